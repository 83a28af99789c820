"""Accounts and providers: people, the providers they belong to, and their roles."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from console.accounts.models import PROVIDER_NAME_MAX_LENGTH, Invitation, Membership, Provider, Role
from console.audit.actors import Actor
from console.audit.models import Action, ActorKind
from console.audit.services import record
from console.errors import Conflict, DomainError, Gone, NotFound
from console.text import clean_name

logger = logging.getLogger(__name__)

LAST_OWNER = "A provider always has at least one Owner: make someone else an Owner first."
EXPIRED = "This invitation has expired. Ask an Owner of the provider for a new one."
PROVIDER_GONE = "This invitation's provider no longer exists."


def _username_taken(username: str) -> Conflict:
    return Conflict(
        f"The username “{username}” is already taken.", field="username", code="duplicate"
    )


def _provider_name_taken(name: str) -> Conflict:
    """The refusal of a taken provider name (found by the check, or by the database)."""
    return Conflict(
        f"A provider named “{name}” already exists. Choose another name.",
        field="name",
        code="duplicate",
    )


def _save_provider(provider: Provider) -> None:
    """Save, turning a lost race on the unique name into the same refusal the check gives."""
    try:
        with transaction.atomic():
            provider.save()
    except IntegrityError:
        raise _provider_name_taken(provider.name) from None


@sensitive_variables("password")
def create_user(*, actor: Actor, username: str, password: str, email: str = "") -> User:
    """A person who can sign in to the console. The password is hashed with Argon2."""
    username = (username or "").strip()
    if not username:
        raise DomainError("Enter a username.", field="username", code="required")
    if User.objects.filter(username__iexact=username).exists():
        raise _username_taken(username)
    if not password:
        raise DomainError("Enter a password.", field="password", code="required")
    try:
        validate_password(password, user=User(username=username, email=email))
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password", code="weak") from None
    with transaction.atomic():
        try:
            with transaction.atomic():
                user = User.objects.create_user(username=username, email=email, password=password)
        except IntegrityError:
            raise _username_taken(username) from None
        # Someone not signed in who makes an account (from an invitation) makes it themselves.
        maker = actor.as_user(user) if actor.kind == ActorKind.ANONYMOUS else actor
        record(
            maker,
            Action.ACCOUNT_CREATED,
            provider=None,
            target=user,
            changes={"username": (None, username), "email": (None, email)},
        )
    return user


def clean_provider_name(name: str, *, exclude_pk: int | None = None) -> str:
    """A provider name: printable, 1-100 characters, unique among providers ignoring case."""
    name = clean_name(name, max_length=PROVIDER_NAME_MAX_LENGTH, noun="provider")
    taken = Provider.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise _provider_name_taken(name)
    return name


def create_provider(*, actor: Actor, name: str, owner: User) -> Provider:
    """A new provider with `owner` as its first Owner."""
    with transaction.atomic():
        provider = Provider(name=clean_provider_name(name))
        _save_provider(provider)
        record(
            actor,
            Action.PROVIDER_CREATED,
            provider=provider,
            target=provider,
            changes={"name": (None, provider.name)},
        )
        add_member(actor=actor, provider=provider, user=owner, role=Role.OWNER)
    return provider


@sensitive_variables("password")
def create_user_and_provider(
    *,
    actor: Actor,
    username: str,
    password: str,
    email: str = "",
    provider_name: str | None = None,
) -> tuple[User, Provider]:
    """Someone who signs in, and a provider of their own (named after them) that they own."""
    with transaction.atomic():
        user = create_user(actor=actor, username=username, password=password, email=email)
        provider = create_provider(actor=actor, name=provider_name or user.username, owner=user)
    return user, provider


def add_member(
    *,
    actor: Actor,
    provider: Provider,
    user: User,
    role: str = Role.MEMBER,
    invitation: Invitation | None = None,
) -> Membership:
    """
    Make `user` a member of `provider` with `role` (refused if they already are one), by
    `invitation` when they accepted one.
    """
    with transaction.atomic():
        if Membership.objects.filter(provider=provider, user=user).exists():
            raise Conflict(
                f"{user.get_username()} is already a member of {provider.name}.",
                code="already_member",
            )
        membership = Membership.objects.create(provider=provider, user=user, role=Role(role))
        record(
            actor,
            Action.MEMBER_JOINED,
            provider=provider,
            target=user,
            changes={"role": (None, membership.role)},
            related_id=invitation.invitation_id if invitation else "",
        )
    return membership


def _locked_membership(membership: Membership) -> Membership:
    try:
        return (
            Membership.objects.select_for_update(of=("self",))
            .select_related("provider", "user")
            .get(pk=membership.pk)
        )
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


def change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    """Give a member another role; the last Owner cannot be demoted."""
    if role not in Role.values:
        raise DomainError("Choose Owner, Member or Viewer.", field="role", code="unknown_role")
    with transaction.atomic():
        current = _locked_membership(membership)
        if role == current.role:
            return current
        if role != Role.OWNER:
            _refuse_if_last_owner(current)
        before, current.role = current.role, Role(role)
        current.save(update_fields=["role"])
        record(
            actor,
            Action.MEMBER_ROLE_CHANGED,
            provider=current.provider,
            target=current.user,
            changes={"role": (before, current.role)},
        )
    return current


def _remove(actor: Actor, membership: Membership, action: Action) -> None:
    with transaction.atomic():
        current = _locked_membership(membership)
        _refuse_if_last_owner(current)
        current.delete()
        record(
            actor,
            action,
            provider=current.provider,
            target=current.user,
            changes={"role": (current.role, None)},
        )


def remove_member(*, actor: Actor, membership: Membership) -> None:
    """An Owner takes someone out of a provider; the last Owner cannot go."""
    _remove(actor, membership, Action.MEMBER_REMOVED)


LAST_OWNER_LEAVING = (
    "You are the last Owner of {provider}: make someone else an Owner first, "
    "or delete the provider in Provider settings."
)
INVITATION_SALT = "console.accounts.invitation"


def leave_provider(*, actor: Actor, membership: Membership) -> None:
    """The member leaves the provider; its last Owner cannot, and is told why."""
    try:
        _remove(actor, membership, Action.MEMBER_LEFT)
    except Conflict as error:
        if error.code != "last_owner":
            raise
        raise Conflict(
            LAST_OWNER_LEAVING.format(provider=membership.provider.name), code="last_owner"
        ) from None


# --- Invitations ---------------------------------------------------------------------------


def invitation_link_token(invitation: Invitation) -> str:
    """The signed (and timestamped) id that the invitation link carries; useless if altered."""
    return signing.dumps(invitation.invitation_id, salt=INVITATION_SALT)


def invite(
    *,
    actor: Actor,
    provider: Provider,
    email: str,
    role: str,
    invited_by: User,
    site_url: str = "",
) -> tuple[Invitation, str]:
    """
    Invite `email` to join `provider` with `role`: an open invitation for
    INVITATION_MAX_AGE_DAYS, emailed as a link (`site_url` + the invitation page). Returns the
    invitation and the link's token, for the Owner to pass on by hand too.
    """
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("Enter a valid email address.", field="email", code="invalid") from None
    if role not in Role.values:
        raise DomainError("Choose Owner, Member or Viewer.", field="role", code="unknown_role")
    if Membership.objects.filter(provider=provider, user__email__iexact=email).exists():
        raise Conflict(
            f"Someone with the email {email} is already a member of {provider.name}.",
            field="email",
            code="already_member",
        )
    with transaction.atomic():
        invitation = Invitation.objects.create(
            provider=provider,
            email=email,
            role=Role(role),
            invited_by=invited_by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
        link_token = invitation_link_token(invitation)
        # The event never holds the link: whoever holds it can join.
        record(
            actor,
            Action.MEMBER_INVITED,
            provider=provider,
            target=invitation,
            changes={"email": (None, email), "role": (None, invitation.role)},
        )
        # Sent inside the transaction: if the mail server refuses, no invitation is left behind
        # that nobody was told about, and the Owner can simply try again.
        try:
            _email_invitation(invitation, link=site_url + reverse("invitation", args=[link_token]))
        except (smtplib.SMTPException, OSError):
            logger.exception("The invitation email to the mail server failed")
            raise DomainError(
                "The invitation email could not be sent, so no invitation was made. Try again "
                "in a moment; if it keeps failing, the console's email settings need a look.",
                code="email_failed",
            ) from None
    return invitation, link_token


def _email_invitation(invitation: Invitation, *, link: str) -> None:
    inviter = invitation.invited_by.get_username() if invitation.invited_by else "An Owner"
    send_mail(
        subject=f"Join {invitation.provider.name} on Token Console",
        message=(
            f"{inviter} invites you to join {invitation.provider.name} on Token Console "
            f"as {invitation.get_role_display()}.\n\n"
            f"Accept or decline here (the link works until "
            f"{invitation.expires_at:%B %-d, %Y %H:%M} UTC):\n\n{link}\n\n"
            "If you did not expect this, ignore this email.\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


def _refuse_unless_open(invitation: Invitation) -> None:
    if invitation.revoked_at:
        raise Gone("This invitation was withdrawn by the provider.", code="revoked")
    if invitation.accepted_at:
        raise Gone("This invitation has already been used.", code="accepted")
    if invitation.declined_at:
        raise Gone("This invitation was declined.", code="declined")
    if invitation.expires_at <= timezone.now():
        raise Gone(EXPIRED, code="expired")


TAMPERED = "This invitation link is not valid. Check that you copied all of it."


def invitation_from_link(token: str) -> Invitation:
    """
    The open invitation a link's token names, or a DomainError saying why not (tampered:
    NotFound; expired, withdrawn, used or declined: Gone). Changes nothing.
    """
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        invitation_id = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise Gone(EXPIRED, code="expired") from None
    except signing.BadSignature:
        raise NotFound(TAMPERED, code="tampered") from None
    invitation = (
        Invitation.objects.select_related("provider", "invited_by")
        .filter(invitation_id=invitation_id)
        .first()
    )
    if invitation is None:  # signed by us, but its provider has been deleted since
        raise Gone(PROVIDER_GONE, code="deleted")
    _refuse_unless_open(invitation)
    return invitation


def _locked_invitation(invitation: Invitation) -> Invitation:
    current = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if current is None:
        raise Gone(PROVIDER_GONE, code="deleted")
    _refuse_unless_open(current)
    return current


def accept_invitation(*, actor: Actor, invitation: Invitation, user: User) -> Membership:
    """
    `user` joins the invitation's provider with its role; the invitation is used up. Anyone
    holding the link may accept, signed in as any account (the page warns when the account's
    email is not the one invited).
    """
    with transaction.atomic():
        current = _locked_invitation(invitation)
        membership = add_member(
            actor=actor,
            provider=current.provider,
            user=user,
            role=current.role,
            invitation=current,
        )
        current.accepted_at = timezone.now()
        current.accepted_by = user
        current.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def _close(actor: Actor, invitation: Invitation, moment: str, action: Action) -> Invitation:
    """Close an open invitation by stamping `moment` (declined_at, revoked_at) with now."""
    with transaction.atomic():
        current = _locked_invitation(invitation)
        setattr(current, moment, timezone.now())
        current.save(update_fields=[moment])
        record(actor, action, provider=current.provider, target=current)
    return current


def decline_invitation(*, actor: Actor, invitation: Invitation) -> Invitation:
    """Say no: the link stops working and the Owners no longer see it pending."""
    return _close(actor, invitation, "declined_at", Action.INVITATION_DECLINED)


def revoke_invitation(*, actor: Actor, invitation: Invitation) -> Invitation:
    """An Owner withdraws an open invitation: its link stops working."""
    return _close(actor, invitation, "revoked_at", Action.INVITATION_REVOKED)


# --- Provider settings ---------------------------------------------------------------------


_SETTINGS = (
    "name",
    "default_token_lifetime_days",
    "max_token_lifetime_days",
    "require_two_factor",
)


def _clean_lifetime(days: int | None, *, field: str, noun: str) -> int | None:
    if days is None:
        return None
    if not 1 <= days <= settings.TOKEN_MAX_LIFETIME_DAYS:
        raise DomainError(
            f"The {noun} must be between 1 and {settings.TOKEN_MAX_LIFETIME_DAYS} days "
            "(the server's limit), or blank for the server's default.",
            field=field,
            code="out_of_range",
        )
    return days


def update_provider_settings(
    *,
    actor: Actor,
    provider: Provider,
    name: str,
    default_token_lifetime_days: int | None,
    max_token_lifetime_days: int | None,
    require_two_factor: bool | None = None,
) -> Provider:
    """
    Rename the provider and set its tokens' default and maximum lifetimes (None: the server's
    defaults), each 1 day to TOKEN_MAX_LIFETIME_DAYS, the default no longer than the maximum;
    and whether every member must sign in with two-factor (None: as it was).
    """
    default = _clean_lifetime(
        default_token_lifetime_days, field="default_token_lifetime_days", noun="default lifetime"
    )
    maximum = _clean_lifetime(
        max_token_lifetime_days, field="max_token_lifetime_days", noun="maximum lifetime"
    )
    effective_max = maximum or settings.TOKEN_MAX_LIFETIME_DAYS
    if (default or settings.TOKEN_DEFAULT_LIFETIME_DAYS) > effective_max:
        raise DomainError(
            f"The default lifetime cannot be longer than the maximum ({effective_max} days).",
            field="default_token_lifetime_days",
            code="default_above_max",
        )
    with transaction.atomic():
        current = Provider.objects.select_for_update().get(pk=provider.pk)
        before = {field: getattr(current, field) for field in _SETTINGS}
        current.name = clean_provider_name(name, exclude_pk=current.pk)
        current.default_token_lifetime_days = default
        current.max_token_lifetime_days = maximum
        if require_two_factor is not None:
            current.require_two_factor = require_two_factor
        changes = {
            field: (before[field], getattr(current, field))
            for field in _SETTINGS
            if getattr(current, field) != before[field]
        }
        if changes:
            _save_provider(current)
            record(
                actor,
                Action.PROVIDER_SETTINGS_CHANGED,
                provider=current,
                target=current,
                changes=changes,
            )
    return current


def _switch_active[M: (Provider, User)](
    actor: Actor, obj: M, active: bool, *, on: Action, off: Action
) -> M:
    """Set `obj.is_active` (a provider's or a person's), recording which way it went."""
    with transaction.atomic():
        current = type(obj).objects.select_for_update().get(pk=obj.pk)
        if current.is_active == active:
            return current
        current.is_active = active
        current.save(update_fields=["is_active"])
        record(
            actor,
            on if active else off,
            provider=current if isinstance(current, Provider) else None,
            target=current,
            changes={"is_active": (not active, active)},
        )
    return current


def set_provider_active(*, actor: Actor, provider: Provider, active: bool) -> Provider:
    """
    Staff deactivate a provider, or reactivate it: while inactive its tokens do not
    authenticate, its license keys do not work and its members do not see it.
    """
    on, off = Action.PROVIDER_REACTIVATED, Action.PROVIDER_DEACTIVATED
    return _switch_active(actor, provider, active, on=on, off=off)


def set_account_active(*, actor: Actor, user: User, active: bool) -> User:
    """
    Staff deactivate someone's account, or reactivate it. While inactive they cannot sign in,
    their open sessions no longer count as signed in, and their license keys stop working.
    """
    on, off = Action.ACCOUNT_REACTIVATED, Action.ACCOUNT_DEACTIVATED
    return _switch_active(actor, user, active, on=on, off=off)


def delete_provider(*, actor: Actor, provider: Provider, confirm_name: str) -> None:
    """
    Delete the provider and everything it owns (models, tokens, license keys, memberships,
    invitations), once its exact name is typed to confirm.
    """
    if (confirm_name or "").strip() != provider.name:
        raise DomainError(
            f"Type the provider's name, {provider.name}, exactly to confirm.",
            field="confirm_name",
            code="confirmation",
        )
    with transaction.atomic():
        # Written first, so that it names the provider; the database then keeps every event of
        # the provider's, their provider emptied (Event.provider), for staff.
        record(actor, Action.PROVIDER_DELETED, provider=provider, target=provider)
        if not Provider.objects.filter(pk=provider.pk).delete()[0]:
            raise Gone("This provider no longer exists.")


@sensitive_variables("password")
def create_user_and_accept(
    *, actor: Actor, invitation: Invitation, username: str, password: str
) -> User:
    """
    A new account, with the invited email, that joins the invitation's provider at once. The
    new person is the actor of both: they made the account and joined.
    """
    with transaction.atomic():
        user = create_user(
            actor=actor, username=username, password=password, email=invitation.email
        )
        acting = actor.as_user(user)
        accept_invitation(actor=acting, invitation=invitation, user=user)
    return user
