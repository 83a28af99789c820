"""
Sealing the few secrets the console must read back (an authenticator app's key): encrypted with
a key derived from TOKEN_DIGEST_KEY, so nothing readable is stored and rotating TOKEN_DIGEST_KEY
(with TOKEN_DIGEST_KEY_FALLBACKS) rotates these too. Fernet (AES-128-CBC with HMAC-SHA256) from
the cryptography package, rather than anything written here.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

PURPOSE = b"console.security.sealing"


class Unsealable(ValueError):
    """Sealed under a key that is neither TOKEN_DIGEST_KEY nor one of its fallbacks."""


def _fernet(key: str) -> Fernet:
    derived = hmac.new(key.encode(), PURPOSE, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys() -> MultiFernet:
    keys = [settings.TOKEN_DIGEST_KEY, *settings.TOKEN_DIGEST_KEY_FALLBACKS]
    return MultiFernet([_fernet(key) for key in keys])


@sensitive_variables("secret")
def seal(secret: bytes) -> str:
    """`secret`, encrypted and authenticated under the current key."""
    return _keys().encrypt(secret).decode("ascii")


def unseal(sealed: str) -> bytes:
    """What `seal` sealed, under the current key or a fallback."""
    try:
        return _keys().decrypt(sealed.encode("ascii"))
    except InvalidToken:
        raise Unsealable("Sealed under a key this server no longer has.") from None


def is_sealed_under_a_fallback(sealed: str) -> bool:
    """Whether `sealed` should be sealed again under the current key."""
    try:
        _fernet(settings.TOKEN_DIGEST_KEY).decrypt(sealed.encode("ascii"))
    except InvalidToken:
        return True
    return False
