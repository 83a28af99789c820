"""License keys: the JSON API's credentials, made, revoked and checked here."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from console.accounts.models import Membership, Provider
from console.api.models import LICENSE_KEY_NAME_MAX_LENGTH, KeyScope, LicenseKey
from console.api.selectors import license_keys_for
from console.audit.actors import Actor
from console.audit.models import Action
from console.audit.services import record
from console.errors import DomainError, Gone
from console.keys import PresentedDigests, SecretFormat
from console.raw_sql import column, table
from console.text import clean_unique_name, duplicate_name

LICENSE_KEY = SecretFormat("lic_")
LAST_USED_PRECISION = timedelta(minutes=1)


def clean_license_key_name(*, provider: Provider, name: str) -> str:
    """A key name the provider may use: trimmed, 1-100 characters, unique ignoring case."""
    return clean_unique_name(
        name,
        siblings=license_keys_for(provider),
        max_length=LICENSE_KEY_NAME_MAX_LENGTH,
        noun="license key",
    )


@sensitive_variables("secret")
def create_license_key(
    *,
    actor: Actor,
    provider: Provider,
    created_by: User,
    name: str,
    scope: str = KeyScope.MANAGEMENT,
) -> tuple[LicenseKey, str]:
    """
    Create a license key for the JSON API and return it with its secret.

    The key belongs to the provider and acts with its creator's role there, never more; it
    stops working when they leave. A Gateway key (`scope`) only introspects tokens. As with
    tokens, this is the only time the key exists in the clear: show it once.
    """
    if scope not in KeyScope.values:
        raise DomainError("Choose Gateway or Management.", field="scope", code="unknown_scope")
    with transaction.atomic():
        if not Membership.objects.filter(provider=provider, user=created_by).exists():
            raise DomainError(f"{created_by.get_username()} is not a member of {provider.name}.")
        name = clean_license_key_name(provider=provider, name=name)
        secret = LICENSE_KEY.new()
        key = LicenseKey(
            provider=provider,
            created_by=created_by,
            name=name,
            digest=secret.digest,
            hint=secret.hint,
            scope=scope,
        )
        try:
            with transaction.atomic():
                key.save()
        except IntegrityError:
            raise duplicate_name("license key", name) from None
        record(
            actor,
            Action.LICENSE_KEY_CREATED,
            provider=provider,
            target=key,
            changes={
                "name": (None, name),
                "created_by": (None, created_by.get_username()),
                "scope": (None, scope),
            },
        )
    return key, secret.value


def revoke_license_key(*, actor: Actor, key: LicenseKey) -> None:
    """Revoke a license key for good: scripts using it are refused from the next request."""
    with transaction.atomic():
        if not LicenseKey.objects.filter(pk=key.pk).delete()[0]:
            raise Gone("This license key no longer exists.")
        record(actor, Action.LICENSE_KEY_REVOKED, provider=key.provider, target=key)


# The provider's columns that a license key's requests need (scoping, lifetimes, the log).
_PROVIDER_COLUMNS = [
    "id",
    "provider_id",
    "name",
    "default_token_lifetime_days",
    "max_token_lifetime_days",
]


def usable_key_sql(digests: PresentedDigests) -> tuple[str, str]:
    """
    The FROM and WHERE of a usable license key, for the hand-written queries that check one
    (this module's, and the gateway's in tokens.gateway): the key `k` with the presented digest,
    its creator's membership `m` in its provider, which must still exist, the creator `u` and
    the provider `p`, both still active. A key whose creator left or was deactivated, or whose
    provider was, finds nothing. Its parameters are `usable_key_params(digests)`, after any the
    caller's own joins take.
    """
    User = get_user_model()
    joins = (
        f"FROM {table(LicenseKey)} k "
        f"JOIN {table(Membership)} m ON m.{column(Membership, 'provider')} = "
        f"k.{column(LicenseKey, 'provider')} AND m.{column(Membership, 'user')} = "
        f"k.{column(LicenseKey, 'created_by')} "
        f"JOIN {table(User)} u ON u.{column(User, 'pk')} = m.{column(Membership, 'user')} "
        f"JOIN {table(Provider)} p "
        f"ON p.{column(Provider, 'pk')} = k.{column(LicenseKey, 'provider')}"
    )
    where = (
        f"WHERE {digests.condition('k.' + column(LicenseKey, 'digest'))} "
        f"AND u.{column(User, 'is_active')} = %s AND p.{column(Provider, 'is_active')} = %s"
    )
    return joins, where


def usable_key_params(digests: PresentedDigests) -> list:
    return [*digests.params, True, True]


def _license_key_sql(digests: PresentedDigests) -> str:
    """
    The key check's one query, written once by hand for speed (see tokens.services): the key,
    its provider, and its creator's role there (see `usable_key_sql`).
    """
    User = get_user_model()
    provider_columns = ", ".join(
        f"p.{column(Provider, name)} AS p_{name}" for name in _PROVIDER_COLUMNS
    )
    joins, where = usable_key_sql(digests)
    return (
        f"SELECT k.*, m.{column(Membership, 'role')} AS creator_role, "
        f"u.{column(User, User.USERNAME_FIELD)} AS creator_username, {provider_columns} "
        f"{joins} {where}"
    )


@sensitive_variables("presented", "digests")
def authenticate_license_key(presented: str) -> LicenseKey | None:
    """
    The license key `presented` belongs to, with its provider and its creator, or None.

    One indexed query brings the key, its provider and its creator's current role (`creator_role`)
    and username (the request log names them); other fields load when asked for. Writes are rare
    and at most one per call: `last_used_at` when it is more than a minute old, so a gateway
    calling many times a second costs one small write a minute, and the digest when the key was
    found under a fallback digest key, the first time only.
    """
    if not LICENSE_KEY.is_well_formed(presented):
        return None
    digests = PresentedDigests.of(presented)
    found = list(LicenseKey.objects.raw(_license_key_sql(digests), usable_key_params(digests)))
    if not found or not digests.matches(found[0].digest):
        return None
    key = found[0]
    key.provider = Provider.from_db(
        key._state.db, _PROVIDER_COLUMNS, [getattr(key, f"p_{name}") for name in _PROVIDER_COLUMNS]
    )
    key.created_by = _creator(key)
    record_key_use(key, digests)
    return key


def _creator(key: LicenseKey) -> User:
    """The key's creator as the query loaded them: id, username and is_active; others defer."""
    user_model = get_user_model()
    loaded = {"id": key.created_by_id, user_model.USERNAME_FIELD: key.creator_username}
    loaded["is_active"] = True
    # from_db wants the values in the model's field order.
    names = [f.attname for f in user_model._meta.concrete_fields if f.attname in loaded]
    return user_model.from_db(key._state.db, names, [loaded[n] for n in names])


def record_key_use(key: LicenseKey, digests: PresentedDigests) -> None:
    """Write what is due about this use of the key, in one UPDATE: usually nothing."""
    last_used = key.last_used_at.timestamp() if key.last_used_at else None
    written = record_use_of_key(
        pk=key.pk, last_used=last_used, stored_digest=key.digest, digests=digests
    )
    for field, value in written.items():
        setattr(key, field, value)


def record_use_of_key(
    *, pk: int, last_used: float | None, stored_digest: str, digests: PresentedDigests
) -> dict[str, object]:
    """
    The same for a key known by its row's values (the gateway's check, which loads no model):
    `last_used_at` when it is a minute old or more (`last_used` in Unix seconds), the digest
    when it was found under a fallback key. Returns what was written.
    """
    changes: dict[str, object] = {}
    now = timezone.now()
    if last_used is None or now.timestamp() - last_used >= LAST_USED_PRECISION.total_seconds():
        changes["last_used_at"] = now
    if digests.is_stale(stored_digest):
        changes["digest"] = digests.current
    if changes:
        LicenseKey.objects.filter(pk=pk).update(**changes)
    return changes
