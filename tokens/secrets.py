"""
The token secret: how it is made, recognised and digested.

A secret looks like `uat_` + 43 base62 characters (256 random bits from `secrets`) + a 6-character
base62 CRC32 of those 43 characters. The prefix lets secret scanners and people recognise it; the
checksum rejects a mistyped token without touching the database. Only an HMAC-SHA256 digest under
`settings.TOKEN_DIGEST_KEY` is stored: a 256-bit random secret cannot be brute-forced, so it needs
no slow hash, and a lookup costs one indexed query and a few microseconds of CPU.
"""

import hashlib
import hmac
import re
import secrets
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from console.identifiers import base62

PREFIX = "uat_"
RANDOM_CHARS = 43  # 62**43 > 2**256
CHECKSUM_CHARS = 6  # 62**6 > 2**32
SECRET_LENGTH = len(PREFIX) + RANDOM_CHARS + CHECKSUM_CHARS
_SHAPE = re.compile(rf"{PREFIX}[0-9A-Za-z]{{{RANDOM_CHARS + CHECKSUM_CHARS}}}")


@dataclass(frozen=True, repr=False)
class NewSecret:
    """A freshly made secret and what may be stored about it. `repr` never shows the secret."""

    value: str
    digest: str
    hint: str

    def __repr__(self) -> str:
        return f"NewSecret(hint={self.hint!r})"


def _checksum(random_part: str) -> str:
    return base62(zlib.crc32(random_part.encode("ascii")), CHECKSUM_CHARS)


@sensitive_variables("value", "random_part")
def new_secret() -> NewSecret:
    """Make a new secret, with the digest and hint to store in its place."""
    random_part = base62(int.from_bytes(secrets.token_bytes(32)), RANDOM_CHARS)
    value = f"{PREFIX}{random_part}{_checksum(random_part)}"
    return NewSecret(value=value, digest=digest(value), hint=hint(value))


@sensitive_variables("value")
def is_well_formed(value: str) -> bool:
    """True when `value` has our shape and its checksum matches: no database needed."""
    if not isinstance(value, str) or not _SHAPE.fullmatch(value):
        return False
    random_part = value[len(PREFIX) : len(PREFIX) + RANDOM_CHARS]
    return hmac.compare_digest(value[-CHECKSUM_CHARS:], _checksum(random_part))


@sensitive_variables("value")
def digest(value: str) -> str:
    """The keyed digest stored in place of the secret (64 hex characters)."""
    key = settings.TOKEN_DIGEST_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


@sensitive_variables("value")
def hint(value: str) -> str:
    """What a provider may see again later: the prefix and the last four characters."""
    return f"{PREFIX}…{value[-4:]}"
