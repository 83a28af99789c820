"""
A limit with room for 1,000 queries or more is reserved ahead by each process, a batch at a time
(tokens.usage: LEASE_FROM, LEASE_SHARE, LEASE_MOST): most checks then decide without asking the
cache, no limit is ever exceeded, and its last queries are counted one at a time.
"""

import os
import time

import pytest
from django.core.cache import cache

from tests.conftest import CHECKS_UNDER_A_RATE_LIMIT, in_two_processes
from tokens import usage
from tokens.models import Token


@pytest.fixture
def asks(monkeypatch):
    """Every reservation asked of the cache: (key, amount)."""
    asked: list[tuple[str, int]] = []
    for counters in (usage.CacheCounters, usage.RedisCounters):
        real = counters.charge

        def charging(self, charges, real=real):  # RedisCounters' own: one of the two runs
            asked.extend((c.key, c.amount) for c in charges if c.key.startswith(("gw:r", "gw:q")))
            return real(self, charges)

        monkeypatch.setattr(counters, "charge", charging)
    return asked


def check(token, limits, now, cost=1):
    return usage.meter(token_pk=token.pk, limits=limits, cost=cost, now=now)


def rate_counter(token, now):
    return cache.get(usage._rate_key(token.pk, usage.minute_of(now)))


def test_a_large_limit_is_reserved_ahead_so_most_checks_ask_nothing(
    make_token, sentiment, clock, asks
):
    token, _ = make_token(model=sentiment)
    limits = usage.Limits(rate=100_000)

    verdicts = [check(token, limits, clock.now) for _ in range(50)]

    assert all(verdict.allowed for verdict in verdicts)
    assert asks == [(usage._rate_key(token.pk, usage.minute_of(clock.now)), 101)]
    assert rate_counter(token, clock.now) == 101  # 1 now and a batch of 100 ahead
    assert [v.rate.remaining for v in verdicts[:2]] == [99_999, 99_998]


def test_a_small_limit_is_counted_one_query_at_a_time(make_token, sentiment, clock, asks):
    token, _ = make_token(model=sentiment)
    limits = usage.Limits(rate=999)

    for _ in range(3):
        check(token, limits, clock.now)

    assert [amount for _, amount in asks] == [1, 1, 1]
    assert rate_counter(token, clock.now) == 3


def test_a_large_limit_is_never_exceeded_and_ends_exactly(make_token, sentiment, clock, asks):
    token, _ = make_token(model=sentiment)
    limits = usage.Limits(rate=1_000)

    allowed = sum(check(token, limits, clock.now).allowed for _ in range(1_010))

    assert allowed == 1_000
    assert rate_counter(token, clock.now) == 1_000
    assert len(asks) < 1_000  # the first ones came in batches
    assert asks[-1][1] == 1  # and the last one at a time


def test_a_new_minute_starts_a_new_reservation(make_token, sentiment, clock, asks):
    token, _ = make_token(model=sentiment)
    limits = usage.Limits(rate=100_000)
    check(token, limits, clock.now)

    clock.advance(60)
    verdict = check(token, limits, clock.now)

    assert verdict.rate.remaining == 99_999 and verdict.rate.resets_at == int(clock.now) + 60
    assert len(asks) == 2


def test_a_refused_check_gives_back_what_the_process_held(make_token, sentiment, clock, asks):
    token, _ = make_token(model=sentiment)
    limits = usage.Limits(rate=100_000, quota=2)

    verdicts = [check(token, limits, clock.now) for _ in range(3)]

    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[2].reason == usage.QUOTA_EXCEEDED
    assert rate_counter(token, clock.now) == 2  # the batch reserved ahead went back


def test_a_check_of_cost_0_asks_whether_one_more_fits(make_token, sentiment, clock):
    token, _ = make_token(model=sentiment)
    limits = usage.Limits(quota=1)

    assert check(token, limits, clock.now, cost=0).allowed
    assert check(token, limits, clock.now).allowed
    assert not check(token, limits, clock.now, cost=0).allowed


def test_another_providers_key_reserves_nothing(
    client, charlie_key, make_token, sentiment, clock, asks
):
    token, secret = make_token(model=sentiment)
    Token.objects.filter(pk=token.pk).update(rate_limit=100_000)

    answer = client.post(
        "/api/v1/introspect",
        {"token": secret},
        content_type="application/json",
        headers={"Authorization": f"Bearer {charlie_key}"},
    )

    assert answer.json() == {"active": False}
    assert asks == [] and rate_counter(token, clock.now) is None


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Needs Redis: set REDIS_URL.")
def test_two_processes_reserving_ahead_never_get_more_than_the_limit(make_token, sentiment):
    token, _ = make_token(model=sentiment)
    now = (int(time.time()) // 60) * 60 + 1

    printed = in_two_processes(CHECKS_UNDER_A_RATE_LIMIT, token.pk, 5_000, now, 4_000)
    allowed = [int(count) for count in printed]

    # Never more than the limit; at most one batch fewer, held by the one that finished first.
    assert 5_000 - usage.LEASE_MOST <= sum(allowed) <= 5_000
    assert cache.get(usage._rate_key(token.pk, usage.minute_of(now))) <= 5_000
