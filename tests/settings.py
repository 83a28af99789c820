"""
The console's own settings, with what only the tests change.

Argon2 is slow on purpose (about 0.6 s a password on these machines), which made every persona
cost that much. Tests hash with MD5 instead, as Django's testing docs advise; Argon2 stays in
the list so stored Argon2 hashes still verify, and test_accounts proves production uses it.
"""

from console.settings import *  # noqa: F403
from console.settings import PASSWORD_HASHERS as PRODUCTION_PASSWORD_HASHERS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]

# Checks are counted in the cache at once: tests/test_usage_buffer.py turns the buffer on.
GATEWAY_USAGE_FLUSH_SECONDS = 0
