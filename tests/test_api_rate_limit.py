"""
API_RATE_LIMIT: each license key's requests to the management API in a minute. When set, every
answer to a key's request says where it stands (RateLimit-Limit, -Remaining, -Reset); past the
limit, 429 with Retry-After. Off by default; the gateway's endpoints are never counted.
"""

import os

import pytest

from console.api import throttling
from console.api.models import KeyScope
from console.api.services import create_license_key
from tests.conftest import START, TEST_ACTOR, ApiCaller
from tests.test_settings import manage
from tokens.models import Token

HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


@pytest.fixture
def limit(settings, monkeypatch):
    """API_RATE_LIMIT of 3 a minute, on a clock stopped 20 seconds into a minute."""

    class Clock:
        now = START + 20

    monkeypatch.setattr(throttling, "clock", lambda: Clock.now)
    settings.API_RATE_LIMIT = 3
    return Clock


def key_of(user, provider, **kwargs) -> str:
    return create_license_key(
        actor=TEST_ACTOR, provider=provider, created_by=user, name=f"k-{user}", **kwargs
    )[1]


def standing(response) -> tuple[int, int, int]:
    return tuple(int(response[name]) for name in HEADERS)


def test_off_by_default_no_headers_and_no_limit(api, alice, settings):
    assert settings.API_RATE_LIMIT == 0

    answers = [api.get("/api/v1/models") for _ in range(30)]

    assert {response.status_code for response in answers} == {200}
    assert not any(name in answers[-1] for name in HEADERS)


def test_every_answer_says_where_the_key_stands(api, alice, limit):
    answers = [api.get("/api/v1/models") for _ in range(3)]

    assert [standing(response) for response in answers] == [(3, 2, 40), (3, 1, 40), (3, 0, 40)]


def test_past_the_limit_is_429_with_retry_after_until_the_minute_ends(api, alice, limit):
    for _ in range(3):
        api.get("/api/v1/models")

    refused = api.get("/api/v1/models")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    assert standing(refused) == (3, 0, 40)
    body = refused.json()
    assert body["code"] == "throttled"
    assert body["message"] == (
        "Too many requests with this license key: at most 3 a minute. Try again in 40 seconds."
    )
    assert body["request_id"] == refused["X-Request-ID"]


def test_a_refused_change_changes_nothing(api, make_token, limit):
    token, _ = make_token("kept")
    for _ in range(3):
        api.get("/api/v1/models")

    response = api.patch(f"/api/v1/tokens/{token.token_id}", {"name": "renamed"})

    assert response.status_code == 429
    assert Token.objects.get(pk=token.pk).name == "kept"


def test_the_count_starts_over_with_the_next_minute(api, alice, limit):
    for _ in range(4):
        api.get("/api/v1/models")

    limit.now += 40
    response = api.get("/api/v1/models")

    assert response.status_code == 200
    assert standing(response) == (3, 2, 60)


def test_error_answers_carry_the_headers_too(api, client, victor, acme, make_token, limit):
    token, _ = make_token()
    viewer = ApiCaller(client, key_of(victor, acme))

    answers = [
        api.get("/api/v1/tokens/tok_missing"),  # 404
        api.patch(f"/api/v1/tokens/{token.token_id}", {"stauts": "x"}),  # 400
        viewer.patch(f"/api/v1/tokens/{token.token_id}", {"note": "x"}),  # 403
    ]

    assert [response.status_code for response in answers] == [404, 400, 403]
    assert [standing(response)[1] for response in answers] == [2, 1, 2]


def test_each_key_has_its_own_count(client, alice, bob, charlie, acme, globex, limit):
    alices = ApiCaller(client, key_of(alice, acme))
    bobs = ApiCaller(client, key_of(bob, acme))
    charlies = ApiCaller(client, key_of(charlie, globex))
    for _ in range(4):
        alices.get("/api/v1/models")

    assert alices.get("/api/v1/models").status_code == 429
    assert standing(bobs.get("/api/v1/models")) == (3, 2, 40)
    assert standing(charlies.get("/api/v1/models")) == (3, 2, 40)


def test_the_gateways_endpoints_are_not_counted(client, alice, acme, make_token, sentiment, limit):
    _, secret = make_token(model=sentiment)
    gateway_key = key_of(alice, acme, scope=KeyScope.GATEWAY)
    headers = {"Authorization": f"Bearer {gateway_key}"}

    checks = [
        client.post("/api/v1/introspect", {"token": secret}, headers=headers) for _ in range(5)
    ]
    own = [
        client.get("/api/v1/token", headers={"Authorization": f"Bearer {secret}"}) for _ in range(5)
    ]

    assert {response.status_code for response in checks + own} == {200}
    assert checks[-1].json()["active"] is True
    assert not any(name in response for response in checks + own for name in HEADERS)


def test_requests_without_a_key_carry_no_headers(client, db, limit):
    response = client.get("/api/v1/models")

    assert response.status_code == 401
    assert "RateLimit-Limit" not in response


def test_the_schema_documents_the_429(client, db):
    paths = client.get("/api/v1/schema").json()["paths"]

    assert "API_RATE_LIMIT" in paths["/api/v1/tokens"]["get"]["responses"]["429"]["description"]
    introspect = paths["/api/v1/introspect"]["post"]["responses"]["429"]["description"]
    assert "API_RATE_LIMIT" not in introspect


def test_the_setting_comes_from_the_environment():
    read = "from django.conf import settings; print(settings.API_RATE_LIMIT)"

    given = manage("shell", "-c", read, API_RATE_LIMIT="120")
    blank = manage("shell", "-c", read, API_RATE_LIMIT="")
    negative = manage("check", API_RATE_LIMIT="-1")

    assert given.stdout.split()[-1] == "120"
    assert blank.stdout.split()[-1] == "0"
    assert "API_RATE_LIMIT must be 0 (no limit) or more." in negative.stderr


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Needs Redis: set REDIS_URL.")
def test_app_servers_sharing_redis_count_together(api, alice, limit, settings):
    """Two app servers are two cache connections to one Redis: the count is one count."""
    from django.core.cache.backends.redis import RedisCache

    other_server = RedisCache(settings.REDIS_URL, {})
    for _ in range(3):
        api.get("/api/v1/models")
    counters = other_server._cache.get_client().keys("*api-key-requests*")

    assert counters
    assert api.get("/api/v1/models").status_code == 429
