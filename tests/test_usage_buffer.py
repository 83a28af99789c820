"""
Checks of tokens without limits are gathered in the process and added to the cache about once a
second (tokens.usage.UsageBuffer, GATEWAY_USAGE_FLUSH_SECONDS): no round trip to the cache per
check, and the same counts, last use and written rows as counting each check at once.
"""

import os
import time
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.conftest import START, in_two_processes
from tests.test_usage_metering import introspect, written
from tokens import usage
from tokens.models import Token

TODAY = datetime(2026, 12, 1).date()


@pytest.fixture
def buffered(settings, monkeypatch):
    """The buffer on, its thread not started: each test flushes when it means to."""
    settings.GATEWAY_USAGE_FLUSH_SECONDS = 1
    monkeypatch.setattr(usage.UsageBuffer, "_start", lambda self: None)
    usage._buffer.take()  # nothing left over from another test
    yield
    usage._buffer.take()


def minute_count(token, now) -> int | None:
    return cache.get(usage._count_key(token.pk, usage.minute_of(now)))


def test_checks_of_a_token_without_limits_do_not_touch_the_cache(
    client, alice_key, make_token, sentiment, clock, buffered, monkeypatch
):
    token, secret = make_token(model=sentiment)

    def no_cache():
        raise AssertionError("a check asked the cache")

    monkeypatch.setattr(usage, "_counters", no_cache)
    answers = [introspect(client, alice_key, secret).json() for _ in range(5)]

    assert all(answer["active"] and answer["remaining"] is None for answer in answers)
    assert minute_count(token, clock.now) is None


def test_a_flush_adds_the_gathered_counts_and_the_last_use(
    client, alice_key, make_token, sentiment, clock, buffered
):
    token, secret = make_token(model=sentiment)
    other, other_secret = make_token(model=sentiment, name="other")
    for _ in range(3):
        introspect(client, alice_key, secret, client_ip="203.0.113.9", cost=2)
    clock.advance(1)
    introspect(client, alice_key, secret, client_ip="2001:db8::7")
    introspect(client, alice_key, other_secret)

    assert usage.flush_buffered(clock.now) == 2
    assert minute_count(token, clock.now) == 7
    assert minute_count(other, clock.now) == 1
    assert cache.get(usage._last_key(token.pk)) == f"{START + 1:.0f} 2001:db8::7"
    assert usage.flush_buffered(clock.now) == 0  # each check is added once


def test_gathered_counts_are_written_like_counts_added_at_once(
    client, alice_key, make_token, sentiment, clock, buffered
):
    token, secret = make_token(model=sentiment)
    for _ in range(4):
        introspect(client, alice_key, secret, client_ip="203.0.113.9")
    usage.flush_buffered(clock.now)
    clock.advance(61)
    introspect(client, alice_key, secret, client_ip="203.0.113.10")
    usage.flush_buffered(clock.now)

    clock.advance(120)
    assert usage.flush_buffered(clock.now) == 0
    assert usage.write_finished_minutes(clock.now) == 2

    token.refresh_from_db()
    assert written(token) == {TODAY: 5}
    assert token.last_used_at == datetime.fromtimestamp(START + 61, UTC)
    assert token.last_used_ip == "203.0.113.10"


def test_the_flush_runs_the_writer_when_it_is_due(
    client, alice_key, make_token, sentiment, clock, buffered
):
    token, secret = make_token(model=sentiment)
    introspect(client, alice_key, secret)
    usage.flush_buffered(clock.now)
    clock.advance(125)
    introspect(client, alice_key, secret)

    usage.flush_buffered(clock.now)  # the first call of its minute: it writes what is due

    assert written(token) == {TODAY: 1}


def test_a_token_with_a_limit_is_decided_in_the_shared_cache_and_its_use_gathered(
    client, alice_key, make_token, sentiment, clock, buffered
):
    token, secret = make_token(model=sentiment)
    Token.objects.filter(pk=token.pk).update(rate_limit=2)

    answers = [introspect(client, alice_key, secret).json() for _ in range(3)]

    assert [answer["active"] for answer in answers] == [True, True, False]
    assert cache.get(usage._rate_key(token.pk, usage.minute_of(clock.now))) == 2
    assert minute_count(token, clock.now) is None  # its use is gathered, as any token's
    assert usage.flush_buffered(clock.now) == 1
    assert minute_count(token, clock.now) == 2  # the refused check counts for nothing


def test_a_model_default_limit_is_counted_at_once_too(
    client, alice_key, make_token, sentiment, clock, buffered
):
    sentiment.default_quota = 1
    sentiment.save()
    _token, secret = make_token(model=sentiment)

    answers = [introspect(client, alice_key, secret).json() for _ in range(2)]

    assert [answer["active"] for answer in answers] == [True, False]
    assert answers[1]["reason"] == "quota_exceeded"


def test_a_failed_flush_keeps_its_counts_for_the_next(
    client, alice_key, make_token, sentiment, clock, buffered, monkeypatch
):
    token, secret = make_token(model=sentiment)
    for _ in range(2):
        introspect(client, alice_key, secret)
    real = usage._counters

    def down():
        raise RedisConnectionError("the cache is away")

    monkeypatch.setattr(usage, "_counters", down)
    with pytest.raises(RedisConnectionError):
        usage.flush_buffered(clock.now)
    introspect(client, alice_key, secret)  # gathered while the cache was away

    monkeypatch.setattr(usage, "_counters", real)
    assert usage.flush_buffered(clock.now) == 1
    assert minute_count(token, clock.now) == 3


def test_unusable_tokens_and_another_providers_key_gather_nothing(
    client, alice_key, charlie_key, make_token, sentiment, clock, buffered
):
    _token, secret = make_token(model=sentiment)
    _unassigned, unassigned_secret = make_token(name="unassigned")

    assert introspect(client, charlie_key, secret).json() == {"active": False}
    assert introspect(client, alice_key, unassigned_secret).json() == {"active": False}
    assert usage.flush_buffered(clock.now) == 0


def test_the_buffers_thread_flushes_on_its_own(settings, make_token, sentiment):
    settings.GATEWAY_USAGE_FLUSH_SECONDS = 1
    token, _ = make_token(model=sentiment)
    buffer = usage.UsageBuffer()
    now = time.time()

    buffer.add(token.pk, 3, now, "203.0.113.9")
    minutes = {usage.minute_of(now), usage.minute_of(now) + 1}  # whichever it flushes in
    counts: list = []
    deadline = now + 10
    while 3 not in counts and time.time() < deadline:
        time.sleep(0.05)
        counts = [cache.get(usage._count_key(token.pk, minute)) for minute in minutes]

    assert 3 in counts
    assert buffer._uses == {}
    assert buffer._thread is not None and buffer._thread.daemon


BUFFERED_CHECKS = """
import sys
import django
django.setup()
from django.conf import settings
from tokens import usage
settings.GATEWAY_USAGE_FLUSH_SECONDS = 1
usage.UsageBuffer._start = lambda self: None  # this script flushes itself
pk, checks, now = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
for _ in range(checks):
    usage.meter(token_pk=pk, limits=usage.Limits(), cost=1, client_ip="203.0.113.9", now=now)
print(usage.flush_buffered(now))
"""


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Needs Redis: set REDIS_URL.")
def test_two_processes_gather_into_one_count_in_redis(make_token, sentiment):
    token, _ = make_token(model=sentiment)
    now = (int(time.time()) // 60) * 60 + 1

    flushed = [int(count) for count in in_two_processes(BUFFERED_CHECKS, token.pk, 40, now)]

    assert flushed == [1, 1]
    assert minute_count(token, now) == 80
