"""
Each check of a usable token is counted in the cache and reaches the database at most once a
minute per token (tokens.usage): queries per day, last used, last address.
"""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import START, TEST_ACTOR
from tokens import services, usage
from tokens.models import Token, TokenUsage


def introspect(client, key, token, **fields):
    return client.post(
        "/api/v1/introspect",
        {"token": token, **fields},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def written(token) -> dict:
    return dict(TokenUsage.objects.filter(token=token).values_list("day", "queries"))


def test_checks_are_counted_without_a_database_write_per_check(
    client, alice_key, make_token, sentiment, clock
):
    token, secret = make_token(model=sentiment)
    introspect(client, alice_key, secret)  # the key's first use records its "last used"

    with CaptureQueriesContext(connection) as queries:
        for _ in range(20):
            assert introspect(client, alice_key, secret, client_ip="203.0.113.9").json()["active"]

    assert len(queries) == 20  # one SELECT a check
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    assert written(token) == {}
    assert Token.objects.get(pk=token.pk).last_used_at is None


def test_a_minute_is_written_once_the_next_one_has_ended(
    client, alice_key, make_token, sentiment, clock
):
    token, secret = make_token(model=sentiment)
    for _ in range(21):
        introspect(client, alice_key, secret, client_ip="203.0.113.9")
    clock.advance(61)
    introspect(client, alice_key, secret)  # the next minute: too soon to write the first
    assert written(token) == {}

    clock.advance(60)
    introspect(client, alice_key, secret, client_ip="2001:db8::7")  # writes after answering

    token.refresh_from_db()
    assert written(token) == {datetime(2026, 12, 1).date(): 21}  # the first minute
    # The latest use the cache knows, even one of a minute not written yet.
    assert token.last_used_at == datetime.fromtimestamp(START + 121, UTC)
    assert token.last_used_ip == "2001:db8::7"
    clock.advance(120)
    assert usage.write_finished_minutes(clock.now) == 2  # the two minutes after it
    assert written(token) == {datetime(2026, 12, 1).date(): 23}


def test_each_minute_is_written_once_whoever_writes(
    client, alice_key, make_token, sentiment, clock
):
    token, secret = make_token(model=sentiment)
    for _ in range(3):
        introspect(client, alice_key, secret)
    clock.advance(125)

    assert usage.write_finished_minutes(clock.now) == 1
    assert usage.write_finished_minutes(clock.now) == 0
    assert written(token) == {datetime(2026, 12, 1).date(): 3}


def test_cost_counts_more_queries_or_none(client, alice_key, make_token, sentiment, clock):
    token, secret = make_token(model=sentiment)
    introspect(client, alice_key, secret, cost=5)
    introspect(client, alice_key, secret, cost="2")
    introspect(client, alice_key, secret, cost=0)
    clock.advance(125)
    usage.write_finished_minutes(clock.now)

    assert written(token) == {datetime(2026, 12, 1).date(): 7}
    assert Token.objects.get(pk=token.pk).last_used_at is not None  # cost 0 still "used"


@pytest.mark.parametrize("cost", [-1, 1.5, "many", True, 1_000_001])
def test_a_bad_cost_or_address_is_refused_and_counts_nothing(
    client, alice_key, make_token, sentiment, clock, cost
):
    token, secret = make_token(model=sentiment)

    bad_cost = introspect(client, alice_key, secret, cost=cost)
    bad_address = introspect(client, alice_key, secret, client_ip="not-an-address")
    clock.advance(125)
    usage.write_finished_minutes(clock.now)

    assert bad_cost.status_code == 400 and "cost" in bad_cost.json()["errors"]
    assert bad_address.status_code == 400
    assert bad_address.json()["errors"] == {
        "client_ip": ["Send the end user's IPv4 or IPv6 address."]
    }
    assert written(token) == {}


def _suspend(token):
    services.suspend_token(actor=TEST_ACTOR, token=token)


def _unassign(token):
    services.unassign_token(actor=TEST_ACTOR, token=token)


def _cancel(token):
    services.cancel_token(actor=TEST_ACTOR, token=token)


@pytest.mark.parametrize("spoil", [_suspend, _unassign, _cancel])
def test_unusable_tokens_count_nothing(client, alice_key, make_token, sentiment, clock, spoil):
    token, secret = make_token(model=sentiment)
    spoil(token)

    assert introspect(client, alice_key, secret).json() == {"active": False}
    clock.advance(125)
    usage.write_finished_minutes(clock.now)

    assert written(token) == {}
    assert Token.objects.get(pk=token.pk).last_used_at is None


def test_another_providers_key_counts_nothing_on_our_token(
    client, charlie_key, make_token, sentiment, clock
):
    token, secret = make_token(model=sentiment)

    assert introspect(client, charlie_key, secret).json() == {"active": False}
    clock.advance(125)
    usage.write_finished_minutes(clock.now)

    assert written(token) == {}


def test_an_end_users_own_view_records_their_address_without_counting(
    client, make_token, sentiment, clock
):
    token, secret = make_token(model=sentiment)

    response = client.get(
        "/api/v1/token", headers={"Authorization": f"Bearer {secret}"}, REMOTE_ADDR="198.51.100.4"
    )
    clock.advance(125)
    usage.write_finished_minutes(clock.now)

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_ip == "198.51.100.4"
    assert written(token) == {}


def test_a_failing_writer_never_fails_the_check(
    client, alice_key, make_token, sentiment, clock, monkeypatch
):
    _, secret = make_token(model=sentiment)
    introspect(client, alice_key, secret)
    clock.advance(125)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(usage, "_write", broken)
    response = introspect(client, alice_key, secret)

    assert response.status_code == 200 and response.json()["active"] is True


def test_a_deleted_tokens_counts_are_dropped(client, alice_key, make_token, sentiment, clock):
    token, secret = make_token(model=sentiment)
    introspect(client, alice_key, secret)
    services.delete_token(actor=TEST_ACTOR, token=token)
    clock.advance(125)

    usage.write_finished_minutes(clock.now)

    assert not TokenUsage.objects.exists()


def test_flush_usage_writes_what_quiet_servers_left_in_the_cache(
    client, alice_key, make_token, sentiment, clock, monkeypatch
):
    from io import StringIO

    from django.core.management import call_command

    token, secret = make_token(model=sentiment)
    introspect(client, alice_key, secret, cost=4)
    clock.advance(125)
    out = StringIO()

    call_command("flush_usage", stdout=out)

    assert written(token) == {datetime(2026, 12, 1).date(): 4}
    assert out.getvalue().strip() == "Wrote the usage of 1 token-minute."


def test_check_deploy_warns_of_limits_without_a_shared_cache(make_token, sentiment, settings):
    from console.checks import check_limits_have_a_shared_cache

    token, _ = make_token(model=sentiment)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert check_limits_have_a_shared_cache(None) == []  # no limits yet

    services.update_token(actor=TEST_ACTOR, token=token, rate_limit=60)
    warnings = check_limits_have_a_shared_cache(None)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": ""}
    }

    assert [warning.id for warning in warnings] == ["console.W001"]
    assert check_limits_have_a_shared_cache(None) == []
