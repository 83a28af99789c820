"""Accounts and providers: people, the providers they belong to, and their roles."""

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from console.accounts.models import PROVIDER_NAME_MAX_LENGTH, Membership, Provider, Role
from console.errors import Conflict, DomainError, NotFound
from console.text import clean_name

LAST_OWNER = "A provider always has at least one Owner: make someone else an Owner first."


@sensitive_variables("password")
def create_user(*, username: str, password: str, email: str = "") -> User:
    """A person who can sign in to the console. The password is hashed with Argon2."""
    username = (username or "").strip()
    if not username:
        raise DomainError("Enter a username.", field="username", code="required")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(
            f"The username “{username}” is already taken.", field="username", code="duplicate"
        )
    if not password:
        raise DomainError("Enter a password.", field="password", code="required")
    try:
        validate_password(password, user=User(username=username, email=email))
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password", code="weak") from None
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError:
        raise Conflict(
            f"The username “{username}” is already taken.", field="username", code="duplicate"
        ) from None


def clean_provider_name(name: str, *, exclude_pk: int | None = None) -> str:
    """A provider name: printable, 1-100 characters, unique among providers ignoring case."""
    name = clean_name(name, max_length=PROVIDER_NAME_MAX_LENGTH, noun="provider")
    taken = Provider.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict(
            f"A provider named “{name}” already exists. Choose another name.",
            field="name",
            code="duplicate",
        )
    return name


def create_provider(*, name: str, owner: User) -> Provider:
    """A new provider with `owner` as its first Owner."""
    with transaction.atomic():
        provider = Provider(name=clean_provider_name(name))
        try:
            with transaction.atomic():
                provider.save()
        except IntegrityError:
            raise Conflict(
                f"A provider named “{name}” already exists.", field="name", code="duplicate"
            ) from None
        Membership.objects.create(provider=provider, user=owner, role=Role.OWNER)
    return provider


@sensitive_variables("password")
def create_user_and_provider(
    *, username: str, password: str, email: str = "", provider_name: str | None = None
) -> tuple[User, Provider]:
    """Someone who signs in, and a provider of their own (named after them) that they own."""
    with transaction.atomic():
        user = create_user(username=username, password=password, email=email)
        provider = create_provider(name=provider_name or user.username, owner=user)
    return user, provider


def add_member(*, provider: Provider, user: User, role: str = Role.MEMBER) -> Membership:
    """Make `user` a member of `provider` with `role` (refused if they already are one)."""
    with transaction.atomic():
        if Membership.objects.filter(provider=provider, user=user).exists():
            raise Conflict(
                f"{user.get_username()} is already a member of {provider.name}.",
                code="already_member",
            )
        return Membership.objects.create(provider=provider, user=user, role=Role(role))


def _locked_membership(membership: Membership) -> Membership:
    try:
        return Membership.objects.select_for_update().get(pk=membership.pk)
    except Membership.DoesNotExist:
        raise NotFound("This person is no longer a member.", code="gone") from None


def _refuse_if_last_owner(membership: Membership) -> None:
    if membership.role != Role.OWNER:
        return
    owners = Membership.objects.select_for_update().filter(
        provider_id=membership.provider_id, role=Role.OWNER
    )
    if owners.count() <= 1:
        raise Conflict(LAST_OWNER, field="role", code="last_owner")


def change_role(*, membership: Membership, role: str) -> Membership:
    """Give a member another role; the last Owner cannot be demoted."""
    if role not in Role.values:
        raise DomainError("Choose Owner, Member or Viewer.", field="role", code="unknown_role")
    with transaction.atomic():
        current = _locked_membership(membership)
        if role != Role.OWNER:
            _refuse_if_last_owner(current)
        current.role = Role(role)
        current.save(update_fields=["role"])
    return current


def remove_member(*, membership: Membership) -> None:
    """Take someone out of a provider (or let them leave); the last Owner cannot go."""
    with transaction.atomic():
        current = _locked_membership(membership)
        _refuse_if_last_owner(current)
        current.delete()
