"""License keys: the JSON API's credentials, made, revoked and checked here."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from console.api.models import LICENSE_KEY_NAME_MAX_LENGTH, LicenseKey
from console.api.selectors import license_keys_for
from console.keys import PresentedDigests, SecretFormat
from console.raw_sql import column, table
from console.text import clean_unique_name, duplicate_name

LICENSE_KEY = SecretFormat("lic_")
LAST_USED_PRECISION = timedelta(minutes=1)


def clean_license_key_name(*, owner, name: str) -> str:
    """A key name the provider may use: trimmed, 1-100 characters, unique ignoring case."""
    return clean_unique_name(
        name,
        siblings=license_keys_for(owner),
        max_length=LICENSE_KEY_NAME_MAX_LENGTH,
        noun="license key",
    )


@sensitive_variables("secret")
def create_license_key(*, owner, name: str) -> tuple[LicenseKey, str]:
    """
    Create a license key for the JSON API and return it with its secret.

    As with tokens, this is the only time the key exists in the clear: show it once.
    """
    with transaction.atomic():
        name = clean_license_key_name(owner=owner, name=name)
        secret = LICENSE_KEY.new()
        key = LicenseKey(owner=owner, name=name, digest=secret.digest, hint=secret.hint)
        try:
            with transaction.atomic():
                key.save()
        except IntegrityError:
            raise duplicate_name("license key", name) from None
    return key, secret.value


def revoke_license_key(*, key: LicenseKey) -> None:
    """Revoke a license key for good: scripts using it are refused from the next request."""
    with transaction.atomic():
        LicenseKey.objects.filter(pk=key.pk).delete()


def _license_key_sql(digests: PresentedDigests) -> str:
    """The key check's one query, written once by hand for speed (see tokens.services)."""
    User = get_user_model()
    return (
        f"SELECT k.*, u.{column(User, 'is_active')} AS owner_is_active, "  # noqa: S608 - identifiers only
        f"u.{column(User, User.USERNAME_FIELD)} AS owner_username "
        f"FROM {table(LicenseKey)} k JOIN {table(User)} u "
        f"ON u.{column(User, 'pk')} = k.{column(LicenseKey, 'owner')} "
        f"WHERE {digests.condition('k.' + column(LicenseKey, 'digest'))}"
    )


@sensitive_variables("presented", "digests")
def authenticate_license_key(presented: str) -> LicenseKey | None:
    """
    The license key `presented` belongs to, with its owner, or None.

    One indexed query (its owner comes with it, with only `is_active` and the username loaded,
    which the request log names: other fields load when asked for). Writes are rare and at most
    one per call: `last_used_at` when it is more than a minute old, so a gateway calling many
    times a second costs one small write a minute, and the digest when the key was found under
    a fallback digest key, the first time only.
    """
    if not LICENSE_KEY.is_well_formed(presented):
        return None
    digests = PresentedDigests.of(presented)
    found = list(LicenseKey.objects.raw(_license_key_sql(digests), digests.params))
    if not found or not digests.matches(found[0].digest):
        return None
    key = found[0]
    if not key.owner_is_active:
        return None
    key.owner = _owner(key)
    _record_use(key, digests)
    return key


def _owner(key: LicenseKey) -> User:
    """The key's owner as the query loaded it: id, username and is_active; other fields defer."""
    user_model = get_user_model()
    loaded = {"id": key.owner_id, user_model.USERNAME_FIELD: key.owner_username, "is_active": True}
    # from_db wants the values in the model's field order.
    names = [f.attname for f in user_model._meta.concrete_fields if f.attname in loaded]
    return user_model.from_db(key._state.db, names, [loaded[n] for n in names])


def _record_use(key: LicenseKey, digests: PresentedDigests) -> None:
    """Write what is due about this use of the key, in one UPDATE: usually nothing."""
    changes: dict[str, object] = {}
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        changes["last_used_at"] = now
    if digests.is_stale(key.digest):
        changes["digest"] = digests.current
    if changes:
        LicenseKey.objects.filter(pk=key.pk).update(**changes)
        for field, value in changes.items():
            setattr(key, field, value)
