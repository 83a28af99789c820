"""
Bearer secrets (User Access Tokens, license keys): how they are made, recognised and digested.

A secret looks like its prefix + 43 base62 characters (256 random bits from `secrets`) + a
6-character base62 CRC32 of those 43 characters. The prefix lets secret scanners and people tell
a token from a license key; the checksum rejects a mistyped secret without touching the database.
Only an HMAC-SHA256 digest under `settings.TOKEN_DIGEST_KEY` is stored: a 256-bit random secret
cannot be brute-forced, so it needs no slow hash, and a check costs one indexed query and a few
microseconds of CPU. The prefix is part of what is digested, so the kinds never collide.

`TOKEN_DIGEST_KEY` can be rotated: old keys stay in `TOKEN_DIGEST_KEY_FALLBACKS`, a presented
secret is looked up under every key in the same one query (`PresentedDigests`), and a secret
found under an old key is re-digested under the current one, once.
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

RANDOM_CHARS = 43  # 62**43 > 2**256
CHECKSUM_CHARS = 6  # 62**6 > 2**32


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


def _hmac(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


@sensitive_variables("value")
def digest(value: str) -> str:
    """The keyed digest stored in place of a secret (64 hex characters)."""
    return _hmac(settings.TOKEN_DIGEST_KEY, value)


@dataclass(frozen=True, repr=False)
class PresentedDigests:
    """
    What a presented secret is looked up by: its digest under the current key and under each
    fallback key, all in one query. Without fallbacks this is one digest and one `=` lookup.
    """

    current: str
    fallbacks: tuple[str, ...] = ()

    @classmethod
    @sensitive_variables("value")
    def of(cls, value: str) -> "PresentedDigests":
        fallbacks = tuple(_hmac(key, value) for key in settings.TOKEN_DIGEST_KEY_FALLBACKS)
        return cls(current=digest(value), fallbacks=fallbacks)

    @property
    def params(self) -> list[str]:
        """The query parameters for `condition()`, in its order."""
        return [self.current, *self.fallbacks]

    def condition(self, column: str) -> str:
        """SQL matching any of the digests in `column`: still one indexed lookup."""
        if not self.fallbacks:
            return f"{column} = %s"
        return f"{column} IN ({', '.join(['%s'] * len(self.params))})"

    def matches(self, stored: str) -> bool:
        """True when `stored` is one of the digests, compared in constant time."""
        # A list, not a generator: compare with every key whatever matched first.
        return any([hmac.compare_digest(stored, wanted) for wanted in self.params])

    def is_stale(self, stored: str) -> bool:
        """True when `stored` is a digest under an old key, to be replaced by `current`."""
        return not hmac.compare_digest(stored, self.current)

    def __repr__(self) -> str:
        return f"PresentedDigests(keys={len(self.params)})"


class SecretFormat:
    """One kind of secret, told apart from the others by its prefix (`uat_`, `lic_`)."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.length = len(prefix) + RANDOM_CHARS + CHECKSUM_CHARS
        body = RANDOM_CHARS + CHECKSUM_CHARS
        self._shape = re.compile(rf"{re.escape(prefix)}[0-9A-Za-z]{{{body}}}")

    @sensitive_variables("value", "random_part")
    def new(self) -> NewSecret:
        """Make a new secret, with the digest and hint to store in its place."""
        random_part = base62(int.from_bytes(secrets.token_bytes(32)), RANDOM_CHARS)
        value = f"{self.prefix}{random_part}{_checksum(random_part)}"
        return NewSecret(value=value, digest=digest(value), hint=self.hint(value))

    @sensitive_variables("value")
    def is_well_formed(self, value: str) -> bool:
        """True when `value` has this shape and its checksum matches: no database needed."""
        if not isinstance(value, str) or not self._shape.fullmatch(value):
            return False
        random_part = value[len(self.prefix) : len(self.prefix) + RANDOM_CHARS]
        return hmac.compare_digest(value[-CHECKSUM_CHARS:], _checksum(random_part))

    @sensitive_variables("value")
    def hint(self, value: str) -> str:
        """What a provider may see again later: the prefix and the last four characters."""
        return f"{self.prefix}…{value[-4:]}"
