"""
The User Access Token's secret: `uat_` + 43 base62 characters + a 6-character checksum.

See `console.keys` for how every bearer secret of the console is made, checked and digested.
"""

from console.keys import CHECKSUM_CHARS, RANDOM_CHARS, NewSecret, SecretFormat, digest

USER_ACCESS_TOKEN = SecretFormat("uat_")
PREFIX = USER_ACCESS_TOKEN.prefix
SECRET_LENGTH = USER_ACCESS_TOKEN.length

new_secret = USER_ACCESS_TOKEN.new
is_well_formed = USER_ACCESS_TOKEN.is_well_formed
hint = USER_ACCESS_TOKEN.hint

__all__ = [
    "CHECKSUM_CHARS",
    "PREFIX",
    "RANDOM_CHARS",
    "SECRET_LENGTH",
    "NewSecret",
    "digest",
    "hint",
    "is_well_formed",
    "new_secret",
]
