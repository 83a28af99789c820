"""
TOKEN_DIGEST_KEY rotates: secrets digested under an old key (kept in TOKEN_DIGEST_KEY_FALLBACKS)
still work, are found in the same single query, and are re-digested under the new key once.
"""

import hashlib
import hmac

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from console.api import services as license_keys
from console.api.models import LicenseKey
from tests.conftest import TEST_ACTOR
from tokens import services as tokens
from tokens.models import Token

OLD_KEY = "old-token-digest-key-0123456789abcdef"
NEW_KEY = "new-token-digest-key-fedcba9876543210"
ROTATED = override_settings(TOKEN_DIGEST_KEY=NEW_KEY, TOKEN_DIGEST_KEY_FALLBACKS=[OLD_KEY])
REPLACED = override_settings(TOKEN_DIGEST_KEY=NEW_KEY, TOKEN_DIGEST_KEY_FALLBACKS=[])


def digest_under(key: str, secret: str) -> str:
    return hmac.new(key.encode(), secret.encode(), hashlib.sha256).hexdigest()


def statements(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"].split()[0].upper() for query in queries.captured_queries]


@pytest.fixture
def old_token(make_token, sentiment):
    with override_settings(TOKEN_DIGEST_KEY=OLD_KEY):
        return make_token(model=sentiment)


@pytest.fixture
def old_license_key(alice, acme):
    with override_settings(TOKEN_DIGEST_KEY=OLD_KEY):
        return license_keys.create_license_key(
            actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway"
        )


def test_a_token_made_under_the_old_key_authenticates_and_is_redigested_once(old_token):
    token, secret = old_token

    with ROTATED, CaptureQueriesContext(connection) as first:
        assert tokens.authenticate(secret).token == token
    with ROTATED, CaptureQueriesContext(connection) as again:
        assert tokens.authenticate(secret).token == token

    assert statements(first) == ["SELECT", "UPDATE"]
    assert statements(again) == ["SELECT"]
    assert " IN (" in first.captured_queries[0]["sql"]
    assert Token.objects.get(pk=token.pk).digest == digest_under(NEW_KEY, secret)


def test_a_redigested_token_no_longer_needs_the_fallback(old_token):
    token, secret = old_token
    with ROTATED:
        tokens.authenticate(secret)

    with REPLACED:
        assert tokens.authenticate(secret).token == token


def test_a_token_made_under_the_old_key_is_refused_without_the_fallback(old_token):
    token, secret = old_token

    with REPLACED:
        assert tokens.authenticate(secret).failure == tokens.AuthFailure.UNKNOWN
    assert Token.objects.get(pk=token.pk).digest == digest_under(OLD_KEY, secret)


def test_a_scoped_check_under_a_fallback_still_refuses_another_provider(old_token, charlie, globex):
    token, secret = old_token

    with ROTATED:
        assert tokens.authenticate(secret, provider=globex).failure == tokens.AuthFailure.UNKNOWN
    assert Token.objects.get(pk=token.pk).digest == digest_under(OLD_KEY, secret)


def test_without_fallbacks_a_check_is_one_equality_lookup(make_token, sentiment):
    _, secret = make_token(model=sentiment)

    with REPLACED, CaptureQueriesContext(connection) as queries:
        tokens.authenticate(secret)

    assert statements(queries) == ["SELECT"]
    assert '"digest" = ' in queries.captured_queries[0]["sql"]


def test_a_license_key_made_under_the_old_key_works_and_is_redigested_once(old_license_key):
    key, secret = old_license_key
    # Used a moment ago, so the only write left to do below is the re-digest.
    LicenseKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())

    with ROTATED, CaptureQueriesContext(connection) as first:
        assert license_keys.authenticate_license_key(secret).created_by.username == "alice"
    with ROTATED, CaptureQueriesContext(connection) as again:
        assert license_keys.authenticate_license_key(secret).pk == key.pk

    assert statements(first) == ["SELECT", "UPDATE"]
    assert statements(again) == ["SELECT"]
    assert LicenseKey.objects.get(pk=key.pk).digest == digest_under(NEW_KEY, secret)


def test_a_license_keys_first_use_under_a_fallback_is_still_one_update(old_license_key):
    key, secret = old_license_key

    with ROTATED, CaptureQueriesContext(connection) as first:
        license_keys.authenticate_license_key(secret)

    stored = LicenseKey.objects.get(pk=key.pk)
    assert statements(first) == ["SELECT", "UPDATE"]
    assert stored.digest == digest_under(NEW_KEY, secret)
    assert stored.last_used_at is not None


def test_a_license_key_made_under_the_old_key_is_refused_without_the_fallback(old_license_key):
    _, secret = old_license_key

    with REPLACED:
        assert license_keys.authenticate_license_key(secret) is None


def test_the_api_accepts_a_license_key_made_under_the_old_key(old_license_key, client):
    _, secret = old_license_key

    with ROTATED:
        response = client.get("/api/v1/models", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 200
