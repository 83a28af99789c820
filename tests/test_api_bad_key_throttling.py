"""Repeated bad license keys from one address are answered 429 with Retry-After."""

import os

import pytest
from django.core.cache import caches

from console.api.services import LICENSE_KEY

BAD = LICENSE_KEY.new().value  # well formed, but no key of anyone's


def call(client, key, address="198.51.100.7"):
    return client.get(
        "/api/v1/models", headers={"Authorization": f"Bearer {key}"}, REMOTE_ADDR=address
    )


def test_bad_keys_past_the_limit_get_429_with_retry_after(client, db, settings):
    settings.API_BAD_KEY_LIMIT = 3

    statuses = [call(client, BAD).status_code for _ in range(4)]
    refused = call(client, BAD)

    assert statuses == [401, 401, 401, 429]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert body["code"] == "throttled"
    assert "Too many bad license keys from your address" in body["message"]


def test_a_good_key_from_the_same_address_still_works(client, alice_key, settings):
    settings.API_BAD_KEY_LIMIT = 2
    for _ in range(3):
        call(client, BAD)

    assert call(client, alice_key).status_code == 200


def test_another_address_is_not_held_back(client, db, settings):
    settings.API_BAD_KEY_LIMIT = 2
    for _ in range(3):
        call(client, BAD)

    assert call(client, BAD, address="203.0.113.5").status_code == 401


def test_malformed_keys_count_too(client, db, settings):
    settings.API_BAD_KEY_LIMIT = 2

    statuses = [call(client, "lic_nonsense").status_code for _ in range(3)]

    assert statuses == [401, 401, 429]


def test_another_providers_good_key_is_not_counted_as_bad(client, charlie_key, settings):
    settings.API_BAD_KEY_LIMIT = 1

    statuses = [call(client, charlie_key).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]


def test_the_schema_documents_429(client, db):
    schema = client.get("/api/v1/schema").json()

    assert "429" in schema["paths"]["/api/v1/models"]["get"]["responses"]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Needs Redis: set REDIS_URL.")
def test_app_servers_sharing_redis_count_together(client, db, settings):
    """Two app servers are two cache connections to one Redis: the count is one count."""
    from django.core.cache.backends.redis import RedisCache

    settings.API_BAD_KEY_LIMIT = 3
    other_server = RedisCache(settings.REDIS_URL, {})
    for _ in range(3):
        call(client, BAD)
    counters = [key for key in other_server._cache.get_client().keys("*api-bad-key*")]

    assert caches["default"].__class__.__name__ == "RedisCache"
    assert counters
    assert call(client, BAD).status_code == 429


def test_the_wait_is_said_once(client, db, settings):
    settings.API_BAD_KEY_LIMIT = 1
    call(client, BAD)

    message = call(client, BAD).json()["message"]

    assert message.count("second") == 1
    assert "Expected available" not in message
