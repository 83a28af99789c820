"""
Per-token rate limits and quotas, enforced by introspection in the same call: a refused query
says why and for how long, counts for nothing, and every usable answer says what remains.
"""

import os
from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from console.errors import DomainError
from models_registry.services import update_model
from tests.conftest import CHECKS_UNDER_A_RATE_LIMIT, START, TEST_ACTOR, in_two_processes
from tests.test_usage_metering import introspect
from tokens import services, usage
from tokens.models import TokenUsage

START_DAY = datetime.fromtimestamp(START, UTC).date()


def limit(token, **limits):
    return services.update_token(actor=TEST_ACTOR, token=token, **limits)


def test_a_rate_limit_refuses_the_query_over_it_until_the_minute_ends(
    client, alice_key, make_token, sentiment, clock
):
    token, secret = make_token(model=sentiment)
    limit(token, rate_limit=2)
    clock.advance(15)

    first, second, third = (introspect(client, alice_key, secret).json() for _ in range(3))

    assert first["active"] and first["remaining"] == 1
    assert first["rate_limit"] == {
        "limit": 2,
        "remaining": 1,
        "period": "minute",
        "resets_at": int(START) + 60,
    }
    assert second["active"] and second["remaining"] == 0
    assert third["active"] is False
    assert third["reason"] == "rate_limited" and third["retry_after"] == 45
    assert third["token_id"] == token.token_id  # a usable token: the gateway may say who
    clock.advance(45)
    assert introspect(client, alice_key, secret).json()["active"] is True


def test_refused_queries_count_for_nothing(client, alice_key, make_token, sentiment, clock):
    token, secret = make_token(model=sentiment)
    limit(token, rate_limit=3)
    for _ in range(10):
        introspect(client, alice_key, secret)
    clock.advance(125)
    usage.write_finished_minutes(clock.now)

    assert TokenUsage.objects.get(token=token).queries == 3


def test_a_daily_quota_resets_at_midnight_utc(client, alice_key, make_token, sentiment, clock):
    token, secret = make_token(model=sentiment)
    limit(token, quota=3, quota_period="day")

    answers = [introspect(client, alice_key, secret, cost=1).json() for _ in range(4)]

    assert [answer["active"] for answer in answers] == [True, True, True, False]
    refused = answers[-1]
    midnight = int(datetime(2026, 12, 2, tzinfo=UTC).timestamp())
    assert refused["reason"] == "quota_exceeded"
    assert refused["retry_after"] == midnight - int(START)
    assert refused["quota"] == {"limit": 3, "remaining": 0, "period": "day", "resets_at": midnight}
    clock.now = midnight + 1
    assert introspect(client, alice_key, secret).json()["active"] is True


def test_a_monthly_quota_counts_cost_and_resets_on_the_first(
    client, alice_key, make_token, sentiment, clock
):
    token, secret = make_token(model=sentiment)
    limit(token, quota=10, quota_period="month")

    allowed = introspect(client, alice_key, secret, cost=7).json()
    too_many = introspect(client, alice_key, secret, cost=4).json()
    fits = introspect(client, alice_key, secret, cost=3).json()

    first_of_next = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    assert allowed["quota"]["remaining"] == 3
    assert too_many["active"] is False and too_many["quota"]["remaining"] == 3
    assert fits["active"] is True and fits["remaining"] == 0
    assert fits["quota"]["resets_at"] == first_of_next
    # A check of cost 0 asks whether one more query would go ahead.
    assert introspect(client, alice_key, secret, cost=0).json()["reason"] == "quota_exceeded"


def test_the_tighter_limit_answers_and_a_spent_quota_outranks_the_minute(
    client, alice_key, make_token, sentiment, clock
):
    token, secret = make_token(model=sentiment)
    limit(token, rate_limit=5, quota=2)

    answers = [introspect(client, alice_key, secret).json() for _ in range(3)]

    assert answers[0]["remaining"] == 1  # min(4 this minute, 1 today)
    assert answers[2]["reason"] == "quota_exceeded"


def test_a_models_defaults_apply_to_its_tokens_without_their_own(
    client, alice_key, make_token, sentiment, clock
):
    _, plain_secret = make_token("plain", model=sentiment)
    own, own_secret = make_token("own", model=sentiment)
    limit(own, rate_limit=100)
    update_model(actor=TEST_ACTOR, model=sentiment, default_rate_limit=1, default_quota=50)

    plain_answers = [introspect(client, alice_key, plain_secret).json() for _ in range(2)]
    own_answer = introspect(client, alice_key, own_secret).json()

    assert [answer["active"] for answer in plain_answers] == [True, False]
    assert own_answer["rate_limit"]["limit"] == 100  # its own rate...
    assert own_answer["quota"]["limit"] == 50  # ...and the model's quota


def test_a_quota_survives_losing_the_cache(client, alice_key, make_token, sentiment, clock):
    token, secret = make_token(model=sentiment)
    limit(token, quota=5)
    for _ in range(5):
        introspect(client, alice_key, secret)
    clock.advance(125)
    usage.write_finished_minutes(clock.now)

    cache.clear()  # Redis restarted

    assert introspect(client, alice_key, secret).json()["reason"] == "quota_exceeded"


@pytest.mark.parametrize(
    ("limits", "field", "message"),
    [
        ({"rate_limit": 0}, "rate_limit", "Enter a rate limit from 1 to 1,000,000,000"),
        ({"quota": -3}, "quota", "Enter a quota from 1 to 1,000,000,000"),
        ({"quota": 10, "quota_period": "week"}, "quota_period", "Choose per day or per month."),
        ({"rate_limit": "fast"}, "rate_limit", "Enter the rate limit as a whole number."),
    ],
)
def test_bad_limits_are_refused_and_change_nothing(make_token, sentiment, limits, field, message):
    token, _ = make_token(model=sentiment)

    with pytest.raises(DomainError) as refused:
        limit(token, **limits)

    assert refused.value.field == field and refused.value.message.startswith(message)
    token.refresh_from_db()
    assert (token.rate_limit, token.quota, token.quota_period) == (None, None, None)


def test_changing_limits_is_one_event(make_token, sentiment):
    from console.audit.models import Action, Event

    token, _ = make_token(model=sentiment)
    limit(token, rate_limit=60, quota=1000, quota_period="month")

    event = Event.objects.get(action=Action.TOKEN_LIMITS_CHANGED)
    assert event.changes == {
        "rate_limit": [None, 60],
        "quota": [None, 1000],
        "quota_period": [None, "month"],
    }


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Needs Redis: set REDIS_URL.")
def test_a_limit_holds_across_two_processes_sharing_redis(make_token, sentiment):
    token, _ = make_token(model=sentiment)
    # The checks' own minute, whenever the processes run.
    now = (int(usage.clock()) // 60) * 60 + 1
    # Each asks 100 times under one limit of 150: whichever runs first, together they get 150.
    printed = in_two_processes(CHECKS_UNDER_A_RATE_LIMIT, token.pk, 150, now, 100)
    allowed = [int(count) for count in printed]

    assert sum(allowed) == 150
    assert all(count > 0 for count in allowed)  # both processes counted against one limit


def test_another_provider_learns_nothing_of_our_limits(
    client, alice_key, charlie_key, make_token, sentiment, clock
):
    token, secret = make_token(model=sentiment)
    limit(token, rate_limit=1)
    introspect(client, alice_key, secret)

    assert introspect(client, charlie_key, secret).json() == {"active": False}
    assert introspect(client, alice_key, secret).json()["reason"] == "rate_limited"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Needs Redis: set REDIS_URL.")
def test_checks_go_on_when_redis_drops_its_connections(
    client, alice_key, make_token, sentiment, clock
):
    from django.core.cache import caches

    token, secret = make_token(model=sentiment)
    limit(token, rate_limit=2)
    introspect(client, alice_key, secret)
    client_of_redis = caches["default"]._cache.get_client(write=True)
    client_of_redis.client_kill_filter(skipme=False)  # every connection, ours included

    answers = [introspect(client, alice_key, secret).json() for _ in range(2)]

    assert [answer["active"] for answer in answers] == [True, False]
