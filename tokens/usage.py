"""
How tokens are used: each check of a usable token is counted and limited in the cache, and the
counts reach the database at most once a minute per token, never once per check.

Per check, `meter()` touches only the cache (one round trip to Redis, see `RedisCounters`):
- the token's count for the current minute (`gw:u:<pk>:<minute>`), which is also what its rate
  limit counts, and its quota's count for the current day or month, when it has a quota; a
  check that would go over a limit is refused, and its charge taken back, so refused queries
  cost nothing;
- the token's first check in a minute also records its use (time and client address) and puts
  the token on that minute's list (`gw:d:<minute>`), which is how the writer finds what to
  write without scanning keys.

`write_finished_minutes()` writes every finished minute's counts in a few statements: one row
per token and day in `TokenUsage`, and the tokens' `last_used_at` and `last_used_ip`. The first
check of each minute, in whichever process, runs it after its answer has been sent (so no
gateway waits for it); `manage.py flush_usage` runs it too, for a cron job on quiet servers. A
minute is written once its next minute has also ended, so a check that started just before a
minute turned still lands in it: counts reach the database one to two minutes after the checks.

What a crash can lose: counts still in the cache when the cache itself is lost (Redis restarted
without persistence, or local memory with its process), at most the last two minutes'. Limits
hold across every worker and server when the cache is shared (Redis, `REDIS_URL`); with local
memory, each process counts on its own (`manage.py check --deploy` warns).
"""

import atexit
import calendar
import logging
import threading
import time
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, connections, transaction
from django.db.models import Sum
from redis.exceptions import RedisError

from console.raw_sql import column, table
from tokens.models import QuotaPeriod, Token, TokenUsage

logger = logging.getLogger(__name__)

MINUTE = 60
DAY = 86_400
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# How long counts wait in the cache for the writer, and how far back it looks for them.
PENDING_SECONDS = 3_600
LOOKBACK_MINUTES = PENDING_SECONDS // MINUTE
RATE_LIMITED = "rate_limited"
QUOTA_EXCEEDED = "quota_exceeded"


# --- Limits and what remains ---------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """A token's limits in force: its own, else its model's defaults; None is no limit."""

    rate: int | None = None  # queries per minute
    quota: int | None = None  # queries per `period`
    period: str = QuotaPeriod.DAY

    @classmethod
    def effective(
        cls,
        *,
        rate: int | None,
        quota: int | None,
        period: str | None,
        model_rate: int | None = None,
        model_quota: int | None = None,
        model_period: str | None = None,
    ) -> "Limits":
        if quota is None:
            quota, period = model_quota, model_period
        return cls(
            rate=rate if rate is not None else model_rate,
            quota=quota,
            period=period or QuotaPeriod.DAY,
        )

    @classmethod
    def of(cls, token: Token) -> "Limits":
        """`token`'s limits (its model's loaded with it when assigned)."""
        model = token.model if token.model_id is not None else None
        return cls.effective(
            rate=token.rate_limit,
            quota=token.quota,
            period=token.quota_period,
            model_rate=model.default_rate_limit if model else None,
            model_quota=model.default_quota if model else None,
            model_period=model.default_quota_period if model else None,
        )


@dataclass(frozen=True)
class Remaining:
    """One limit at the time of a check: how many queries remain, and when it starts over."""

    limit: int
    remaining: int
    resets_at: int  # Unix seconds
    period: str = "minute"

    def as_dict(self) -> dict[str, Any]:
        return {
            "limit": self.limit,
            "remaining": self.remaining,
            "period": self.period,
            "resets_at": self.resets_at,
        }


@dataclass(frozen=True)
class Verdict:
    """What a check decided: allowed, or refused with a reason and how long to wait."""

    allowed: bool = True
    reason: str | None = None  # RATE_LIMITED or QUOTA_EXCEEDED when refused
    retry_after: int | None = None  # seconds
    rate: Remaining | None = None
    quota: Remaining | None = None
    # True for the first check of a minute, in any process: it runs the writer afterwards.
    write_due: bool = False

    @property
    def remaining(self) -> int | None:
        """Queries left before a limit refuses one; None when the token has no limit."""
        left = [limit.remaining for limit in (self.rate, self.quota) if limit is not None]
        return min(left) if left else None


def clock() -> float:
    """Now, in Unix seconds: what every check and the writer go by (tests move it)."""
    return time.time()


def minute_of(now: float) -> int:
    return int(now) // MINUTE


def period_bounds(period: str, now: float) -> tuple[date, int]:
    """The first day of the UTC day or month `now` is in, and when the next one starts."""
    return _period_bounds(period, int(now) // DAY)


@lru_cache(maxsize=64)
def _period_bounds(period: str, day_number: int) -> tuple[date, int]:
    today = date.fromordinal(EPOCH_ORDINAL + day_number)
    if period == QuotaPeriod.MONTH:
        first = today.replace(day=1)
        days = calendar.monthrange(first.year, first.month)[1]
        return first, calendar.timegm(first.timetuple()) + days * DAY
    return today, (day_number + 1) * DAY


# --- Cache keys ----------------------------------------------------------------------------------


def _count_key(pk: int, minute: int) -> str:
    """The token's queries in one minute: its use, and what its rate limit counts."""
    return f"gw:u:{pk}:{minute}"


def _quota_key(pk: int, period: str, first: date) -> str:
    return f"gw:q:{pk}:{period[0]}{first.toordinal()}"


def _seeded_key(quota_key: str) -> str:
    return f"{quota_key}:seeded"


def _last_key(pk: int) -> str:
    return f"gw:l:{pk}"


def _listed_key(minute: int) -> str:
    return f"gw:d:{minute}"


def _slot_key(minute: int, slot: int) -> str:
    return f"gw:d:{minute}:{slot}"


def _written_key(minute: int) -> str:
    return f"gw:w:{minute}"


def _writer_key(minute: int) -> str:
    return f"gw:run:{minute}"


# --- Counters in the cache -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Charge:
    key: str
    amount: int  # 0 reads the counter
    timeout: int  # seconds the counter lives from its creation


class CacheCounters:
    """Counters through Django's cache API: any backend with an atomic `incr` (local memory)."""

    def charge(self, charges: list[Charge]) -> list[tuple[int, bool]]:
        """Add each charge, creating missing counters: each one's value, and whether it is new."""
        return [self._add(charge) for charge in charges]

    def _add(self, charge: Charge) -> tuple[int, bool]:
        try:
            return cache.incr(charge.key, charge.amount), False
        except ValueError:  # missing: create it, unless another check just did
            if cache.add(charge.key, charge.amount, charge.timeout):
                return charge.amount, True
            return cache.incr(charge.key, charge.amount), False

    def started(self, created: list[Charge], lasts: list[tuple[str, str]]) -> None:
        """Finish what `charge` created (its counters' expiry), and record last uses."""
        if lasts:
            cache.set_many(dict(lasts), PENDING_SECONDS)

    def take_back(self, charges: Iterable[Charge]) -> None:
        for charge in charges:
            if charge.amount:
                with suppress(ValueError):  # expired meanwhile: nothing to take back
                    cache.decr(charge.key, charge.amount)


class RedisCounters(CacheCounters):
    """
    The same counters with one round trip to Redis per check: `INCRBY` on each counter (one or
    two: the token's minute, and its quota's day or month), pipelined and written as Redis's
    protocol by hand (redis-py's general machinery cost more than Redis itself). A counter that
    comes back equal to its charge is new, or was at 0: the first check of a minute sets its
    expiry and the last use, a second round trip once a minute per token. (A process dying in
    between leaves one small key without expiry.) Values stay readable through Django's cache
    API, whose Redis serializer stores integers as they are.
    """

    def __init__(self, backend: RedisCache):
        self.backend = backend
        # Django makes a new client object on every call (about half a millisecond); one per
        # process is enough, its connection pool being thread-safe.
        self.client = backend._cache.get_client(write=True)
        self.serializer = backend._cache._serializer  # type: ignore[attr-defined]

    def charge(self, charges: list[Charge]) -> list[tuple[int, bool]]:
        make_key = self.backend.make_key  # our keys are short and plain: nothing to validate
        command = b""
        for charge in charges:
            key = make_key(charge.key).encode()
            amount = b"%d" % charge.amount
            command += b"*3\r\n$6\r\nINCRBY\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
                len(key),
                key,
                len(amount),
                amount,
            )
        replies = self._send(command, len(charges), charges)
        return [
            (int(value), int(value) == charge.amount)
            for charge, value in zip(charges, replies, strict=True)
        ]

    def _send(self, command: bytes, count: int, charges: list[Charge]) -> list:
        pool = self.client.connection_pool
        connection = pool.get_connection()
        try:
            connection.send_packed_command([command])
            return [connection.read_response() for _ in range(count)]
        except RedisError:  # a dropped connection: redis-py's own pipeline, which retries
            connection.disconnect()
            pipe = self.client.pipeline(transaction=False)
            for charge in charges:
                pipe.incrby(self.backend.make_key(charge.key), charge.amount)
            return pipe.execute()
        finally:
            pool.release(connection)

    def started(self, created: list[Charge], lasts: list[tuple[str, str]]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for charge in created:
            pipe.expire(self.backend.make_key(charge.key), charge.timeout)
        for key, value in lasts:
            pipe.set(self.backend.make_key(key), self.serializer.dumps(value), ex=PENDING_SECONDS)
        pipe.execute()

    def take_back(self, charges: Iterable[Charge]) -> None:
        # One round trip too: a token hammering past its limit is when checks must stay cheap.
        pipe = self.client.pipeline(transaction=False)
        for charge in charges:
            if charge.amount:
                pipe.decrby(self.backend.make_key(charge.key), charge.amount)
        pipe.execute()


_redis_counters: dict[int, RedisCounters] = {}


def _counters() -> CacheCounters:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        counters = _redis_counters.get(id(backend))
        if counters is None or counters.backend is not backend:
            counters = _redis_counters[id(backend)] = RedisCounters(backend)
        return counters
    return CacheCounters()


# --- Metering one check --------------------------------------------------------------------------


def _used_in_period(pk: int, first: date) -> int:
    """What the database holds of this period's use: the quota counter's start after a loss."""
    used = TokenUsage.objects.filter(token_id=pk, day__gte=first).aggregate(n=Sum("queries"))
    return int(used["n"] or 0)


def meter(
    *,
    token_pk: int,
    limits: Limits,
    cost: int = 1,
    client_ip: str | None = None,
    now: float,
) -> Verdict:
    """
    Count one check of a usable token, `cost` queries (0 checks without counting), and decide
    whether its limits allow it: allowed when every limit has room for `cost` (for a check of
    cost 0, for one more query). A refused check takes its charge back: it counts for nothing.
    The token's first check in each minute records its use (time and address) for "Last used".
    A token without limits is only gathered in the process (`UsageBuffer`).
    """
    if limits.rate is None and limits.quota is None and settings.GATEWAY_USAGE_FLUSH_SECONDS:
        _buffer.add(token_pk, cost, now, client_ip)
        return Verdict()
    minute = minute_of(now)
    charges = [Charge(_count_key(token_pk, minute), cost, PENDING_SECONDS)]
    quota_first, quota_reset = date.min, 0
    if limits.quota is not None:
        quota_first, quota_reset = period_bounds(limits.period, now)
        timeout = quota_reset - int(now) + 3_600
        charges.append(Charge(_quota_key(token_pk, limits.period, quota_first), cost, timeout))
    counters = _counters()
    results = counters.charge(charges)

    write_due = False
    created = [charge for charge, (_, new) in zip(charges, results, strict=True) if new]
    if results[0][1]:  # the token's first check this minute
        counters.started(created, [(_last_key(token_pk), _last_use(now, client_ip))])
        _list_for_writing(token_pk, minute)
        write_due = writer_due(now)
    elif created:
        counters.started(created, [])
    if len(results) > 1 and results[1][1]:
        # A new counter: a new period, or the cache lost it. Start from what the database
        # has, once (the mark keeps a counter that merely was at 0 from being seeded twice).
        quota = charges[1]
        if cache.add(_seeded_key(quota.key), 1, quota.timeout):
            seed = _used_in_period(token_pk, quota_first)
            if seed:
                results[1] = (cache.incr(quota.key, seed), True)

    needed = max(cost, 1)
    # What was used before this check, and whether this check fits under each limit.
    states: dict[str, tuple[int, int, int]] = {}  # kind: (limit, used before, resets at)
    if limits.rate is not None:
        states["rate"] = (limits.rate, results[0][0] - cost, (minute + 1) * MINUTE)
    if limits.quota is not None:
        states["quota"] = (limits.quota, results[1][0] - cost, quota_reset)
    if not states:
        return Verdict(write_due=write_due)
    refused = [kind for kind, (limit, used, _) in states.items() if used + needed > limit]
    if refused:
        counters.take_back(charges)
    spent = 0 if refused else cost
    remaining = {
        kind: Remaining(
            limit=limit,
            remaining=max(limit - used - spent, 0),
            resets_at=resets_at,
            period="minute" if kind == "rate" else limits.period,
        )
        for kind, (limit, used, resets_at) in states.items()
    }
    if not refused:
        return Verdict(
            rate=remaining.get("rate"), quota=remaining.get("quota"), write_due=write_due
        )
    kind = "quota" if "quota" in refused else "rate"
    return Verdict(
        allowed=False,
        reason=QUOTA_EXCEEDED if kind == "quota" else RATE_LIMITED,
        retry_after=max(states[kind][2] - int(now), 1),
        rate=remaining.get("rate"),
        quota=remaining.get("quota"),
        write_due=write_due,
    )


def _last_use(at: float, client_ip: str | None) -> str:
    return f"{at:.0f} {client_ip or ''}"


# --- Tokens without limits: gathered in the process ----------------------------------------------


class UsageBuffer:
    """
    Checks of tokens without limits, gathered in this process and added to the cache together,
    about once a second (GATEWAY_USAGE_FLUSH_SECONDS), by one background thread: with no limit
    to decide there is nothing to ask the cache per check, so such a check makes no round trip
    to it. The thread's flush does what each check would have (counts, last use, the minute's
    list) for every token at once, and runs the writer when it is due. A process that exits
    flushes first; one that is killed loses its last second of counts.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._uses: dict[int, list[Any]] = {}  # pk: [queries, last used at, last address]
        self._thread: threading.Thread | None = None

    def add(self, pk: int, cost: int, now: float, client_ip: str | None) -> None:
        with self._lock:
            use = self._uses.get(pk)
            if use is None:
                self._uses[pk] = [cost, now, client_ip]
            else:
                use[0] += cost
                use[1] = now
                use[2] = client_ip
        if self._thread is None:
            self._start()

    def take(self) -> dict[int, list[Any]]:
        """Everything gathered so far, which the caller now owns."""
        with self._lock:
            uses, self._uses = self._uses, {}
        return uses

    def give_back(self, uses: dict[int, list[Any]]) -> None:
        """A flush that failed: its counts wait for the next one."""
        for pk, (queries, at, address) in uses.items():
            self.add(pk, queries, at, address)

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._flush_every, name="usage-flush", daemon=True
            )
        self._thread.start()
        atexit.register(self._flush_at_exit)

    def flush(self, now: float) -> int:
        """
        Add the gathered checks to the cache, as the current minute's (a check is at most about
        a second late), and run the writer if this is its minute's first call: how many tokens
        were flushed.
        """
        uses = self.take()
        if not uses:
            return 0
        try:
            minute = minute_of(now)
            pks = list(uses)
            charges = [Charge(_count_key(pk, minute), uses[pk][0], PENDING_SECONDS) for pk in pks]
            counters = _counters()
            results = counters.charge(charges)
            created = [charge for charge, (_, new) in zip(charges, results, strict=True) if new]
            lasts = [(_last_key(pk), _last_use(uses[pk][1], uses[pk][2])) for pk in pks]
            counters.started(created, lasts)
        except Exception:
            self.give_back(uses)
            raise
        for pk, (_, new) in zip(pks, results, strict=True):
            if new:
                _list_for_writing(pk, minute)
        if writer_due(now):
            write_finished_minutes(now)
        return len(pks)

    def _flush_every(self) -> None:
        while True:
            time.sleep(max(settings.GATEWAY_USAGE_FLUSH_SECONDS, 1))
            self._flush_at_exit()

    def _flush_at_exit(self) -> None:
        try:
            self.flush(clock())
        except Exception:
            logger.exception("Adding gathered token usage to the cache failed; trying again.")
        finally:
            connections.close_all()  # this thread's own, when the writer ran


_buffer = UsageBuffer()


def flush_buffered(now: float) -> int:
    """This process's gathered checks, added to the cache now (`UsageBuffer.flush`)."""
    return _buffer.flush(now)


def _list_for_writing(pk: int, minute: int) -> None:
    """Put the token on its minute's list: a numbered slot, so no two processes collide."""
    listed = _listed_key(minute)
    if cache.add(listed, 1, PENDING_SECONDS):
        slot = 1
    else:
        try:
            slot = cache.incr(listed)
        except ValueError:
            return  # the list expired: the minute is long gone
    cache.set(_slot_key(minute, slot), pk, PENDING_SECONDS)


def writer_due(now: float) -> bool:
    """True for the first caller in each minute, in any process: it runs the writer."""
    return cache.add(_writer_key(minute_of(now)), 1, 2 * MINUTE)


# --- Writing the counts --------------------------------------------------------------------------


def write_finished_minutes(now: float) -> int:
    """
    Write every finished minute's counts that no one has written yet; how many token-minutes
    were written. Each minute is claimed first, so two writers never write it twice.
    """
    current = minute_of(now)
    minutes = range(current - LOOKBACK_MINUTES, current - 1)
    listed = cache.get_many([_listed_key(minute) for minute in minutes])
    written = 0
    for minute in minutes:
        slots = listed.get(_listed_key(minute))
        if not slots or not cache.add(_written_key(minute), 1, 2 * PENDING_SECONDS):
            continue
        written += _write_minute(minute, int(slots))
    return written


def _write_minute(minute: int, slots: int) -> int:
    slot_keys = [_slot_key(minute, slot) for slot in range(1, slots + 1)]
    pks = sorted({int(pk) for pk in cache.get_many(slot_keys).values()})
    count_keys = {pk: _count_key(pk, minute) for pk in pks}
    counts = cache.get_many(list(count_keys.values()))
    lasts = cache.get_many([_last_key(pk) for pk in pks])
    day = datetime.fromtimestamp(minute * MINUTE, UTC).date()
    uses = []
    for pk in pks:
        used_at, _, address = str(lasts.get(_last_key(pk), "")).partition(" ")
        uses.append(
            (
                pk,
                int(counts.get(count_keys[pk]) or 0),
                datetime.fromtimestamp(int(used_at or minute * MINUTE), UTC),
                address or None,
            )
        )
    _write(day, uses)
    cache.delete_many([*slot_keys, *count_keys.values()])
    return len(uses)


def _write(day: date, uses: list[tuple[int, int, datetime, str | None]]) -> None:
    """One statement per token and kind, in one transaction: rows added to, last use moved on."""
    usage, token = table(TokenUsage), table(Token)
    u_token, u_day, u_queries = (column(TokenUsage, name) for name in ("token", "day", "queries"))
    u_provider, u_model = column(TokenUsage, "provider"), column(TokenUsage, "model")
    t_pk, t_provider, t_model = (column(Token, name) for name in ("pk", "provider", "model"))
    t_used, t_ip = column(Token, "last_used_at"), column(Token, "last_used_ip")
    add_queries = (
        f"INSERT INTO {usage} ({u_token}, {u_provider}, {u_model}, {u_day}, {u_queries}) "  # noqa: S608 - identifiers only
        f"SELECT {t_pk}, {t_provider}, {t_model}, %s, %s FROM {token} WHERE {t_pk} = %s "
        f"ON CONFLICT ({u_token}, {u_day}) DO UPDATE SET {u_queries} = "
        f"{usage}.{u_queries} + EXCLUDED.{u_queries}, {u_model} = EXCLUDED.{u_model}"
    )
    move_last_use = (
        f"UPDATE {token} SET {t_used} = %s, {t_ip} = %s "  # noqa: S608 - identifiers only
        f"WHERE {t_pk} = %s AND ({t_used} IS NULL OR {t_used} < %s)"
    )
    ops = connection.ops
    with transaction.atomic(), connection.cursor() as cursor:
        queries = [(ops.adapt_datefield_value(day), n, pk) for pk, n, _, _ in uses if n > 0]
        if queries:
            cursor.executemany(add_queries, queries)
        cursor.executemany(
            move_last_use,
            [
                (ops.adapt_datetimefield_value(at), ip, pk, ops.adapt_datetimefield_value(at))
                for pk, _, at, ip in uses
            ],
        )


def write_after_response(response, now: float) -> None:
    """Run the writer once `response` has been sent (its close), never failing the check."""
    response._resource_closers.append(lambda: write_quietly(now))


def write_quietly(now: float) -> None:
    """The writer, for after an answer: a failure is logged, and the counts wait in the cache."""
    try:
        write_finished_minutes(now)
    except Exception:
        logger.exception("Writing token usage failed; its counts stay in the cache for now.")
