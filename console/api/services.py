"""License keys: the JSON API's credentials, made, revoked and checked here."""

import hmac
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from console.api.models import LICENSE_KEY_NAME_MAX_LENGTH, LicenseKey
from console.api.selectors import license_keys_for
from console.keys import SecretFormat, digest
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


def _license_key_sql() -> str:
    """The key check's one query, written once by hand for speed (see tokens.services)."""
    quote = connection.ops.quote_name
    key, user = LicenseKey._meta, get_user_model()._meta
    return (
        f"SELECT k.*, u.{quote(user.get_field('is_active').column)} AS owner_is_active "  # noqa: S608 - identifiers only
        f"FROM {quote(key.db_table)} k JOIN {quote(user.db_table)} u "
        f"ON u.{quote(user.pk.column)} = k.{quote(key.get_field('owner').column)} "
        f"WHERE k.{quote(key.get_field('digest').column)} = %s"
    )


@sensitive_variables("presented")
def authenticate_license_key(presented: str) -> LicenseKey | None:
    """
    The license key `presented` belongs to, with its owner, or None.

    One indexed query (its owner comes with it, with only `is_active` loaded: other fields load
    when asked for). `last_used_at` is written only when it is more than a minute old, so a
    gateway calling many times a second costs one small write a minute, not one per call.
    """
    if not LICENSE_KEY.is_well_formed(presented):
        return None
    wanted = digest(presented)
    found = list(LicenseKey.objects.raw(_license_key_sql(), [wanted]))
    if not found or not hmac.compare_digest(found[0].digest, wanted):
        return None
    key = found[0]
    if not key.owner_is_active:
        return None
    key.owner = get_user_model().from_db(key._state.db, ["id", "is_active"], [key.owner_id, True])
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        LicenseKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
