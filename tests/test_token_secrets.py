import hashlib
import hmac
import re

from django.test import override_settings

from console.keys import PresentedDigests
from tokens import secrets


def test_secret_has_prefix_256_random_bits_and_a_checksum():
    made = secrets.new_secret()

    assert re.fullmatch(r"uat_[0-9A-Za-z]{49}", made.value)
    assert len(made.value) == secrets.SECRET_LENGTH
    assert 62**secrets.RANDOM_CHARS >= 2**256
    assert secrets.is_well_formed(made.value)


def test_secrets_are_never_repeated():
    assert len({secrets.new_secret().value for _ in range(500)}) == 500


def test_a_mistyped_secret_fails_the_checksum():
    value = secrets.new_secret().value
    position = 10
    swapped = "A" if value[position] != "A" else "B"
    mistyped = value[:position] + swapped + value[position + 1 :]

    assert not secrets.is_well_formed(mistyped)


def test_foreign_and_truncated_strings_are_not_well_formed():
    value = secrets.new_secret().value
    for candidate in ["", "uat_", value[:-1], value + "x", "ghp_" + value[4:], None, 42]:
        assert not secrets.is_well_formed(candidate)


def test_digest_is_hmac_sha256_under_the_server_key():
    value = secrets.new_secret().value
    with override_settings(TOKEN_DIGEST_KEY="key-one"):
        first = secrets.digest(value)
    with override_settings(TOKEN_DIGEST_KEY="key-two"):
        second = secrets.digest(value)

    assert first == hmac.new(b"key-one", value.encode(), hashlib.sha256).hexdigest()
    assert first != second
    assert value not in first


def test_hint_shows_only_prefix_and_last_four_characters():
    made = secrets.new_secret()

    assert made.hint == f"uat_…{made.value[-4:]}"
    assert made.value not in repr(made)
    assert made.hint in repr(made)


def test_presented_digests_cover_the_current_key_then_each_fallback():
    value = secrets.new_secret().value
    with override_settings(TOKEN_DIGEST_KEY="key-two", TOKEN_DIGEST_KEY_FALLBACKS=["key-one"]):
        rotating = PresentedDigests.of(value)
    with override_settings(TOKEN_DIGEST_KEY="key-two", TOKEN_DIGEST_KEY_FALLBACKS=[]):
        settled = PresentedDigests.of(value)
    under_one = hmac.new(b"key-one", value.encode(), hashlib.sha256).hexdigest()

    assert rotating.params == [settled.current, under_one]
    assert rotating.condition("digest") == "digest IN (%s, %s)"
    assert settled.condition("digest") == "digest = %s"
    assert rotating.matches(under_one) and rotating.is_stale(under_one)
    assert not settled.matches(under_one)
    assert not rotating.is_stale(settled.current)


def test_presented_digests_never_show_a_digest_or_the_secret():
    value = secrets.new_secret().value
    with override_settings(TOKEN_DIGEST_KEY_FALLBACKS=["key-one"]):
        presented = PresentedDigests.of(value)

    assert all(shown not in repr(presented) for shown in [value, *presented.params])
