"""
How tokens are used: each check of a usable token is counted and limited in the cache, and the
counts reach the database at most once a minute per token, never once per check.

Per check, `meter()`:
- decides the token's limits, if it has any (`_within_limits`): its rate limit counts in
  `gw:r:<pk>:<minute>`, its quota in a counter for the current day or month. A limit with room
  is reserved ahead by each process in batches, so most checks decide without asking the cache;
  near its end it is counted one query at a time. No limit is ever exceeded; a refused check
  counts for nothing and gives back what its process held;
- gathers the check's use in the process (`UsageBuffer`), which adds it to the cache about
  once a second: the token's count for the minute (`gw:u:<pk>:<minute>`), its last use (time
  and client address), and, for its first count of a minute, the token on that minute's list
  (`gw:d:<minute>`), which is how the writer finds what to write without scanning keys.

`write_finished_minutes()` writes every finished minute's counts in a few statements: one row
per token and day in `TokenUsage`, and the tokens' `last_used_at` and `last_used_ip`. The first
flush of each minute that starts a count, in whichever process, runs it (in the background, or
after its check's answer has been sent); `manage.py flush_usage` runs it too, for a cron job on
quiet servers. A minute is written once its next minute has also ended, so counts reach the
database one to two minutes after the checks.

What a crash can lose: a process killed outright, its last second of gathered use; counts still
in the cache when the cache itself is lost (Redis restarted without persistence, or local memory
with its process), at most the last two minutes'. Limits hold across every worker and server
when the cache is shared (Redis, `REDIS_URL`); with local memory, each process counts on its own
(`manage.py check --deploy` warns).
"""

import atexit
import calendar
import logging
import threading
import time
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, replace
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


def _rate_key(pk: int, minute: int) -> str:
    """What the token's rate limit counts in one minute: queries allowed, and reserved ahead."""
    return f"gw:r:{pk}:{minute}"


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
    The same counters with one round trip to Redis per call: `INCRBY` on each counter,
    pipelined and written as Redis's protocol by hand (redis-py's general machinery cost more
    than Redis itself). A counter that comes back equal to its charge is new, or was at 0: its
    expiry is set next, a second round trip once a minute per counter. (A process dying in
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
    cost 0, for one more query). A refused check counts for nothing.

    The use (queries, time, address) is gathered in the process (`UsageBuffer`) and reaches the
    cache about once a second, or at once with GATEWAY_USAGE_FLUSH_SECONDS = 0. Limits are
    decided by the shared counters (`_within_limits`).
    """
    limited = limits.rate is not None or limits.quota is not None
    verdict = _within_limits(token_pk, limits, cost, now) if limited else Verdict()
    _buffer.add(token_pk, cost if verdict.allowed else 0, now, client_ip)
    if not settings.GATEWAY_USAGE_FLUSH_SECONDS and _buffer.flush(now)[1]:
        return replace(verdict, write_due=True)  # the writer runs after the answer
    return verdict


# --- Limits: shared counters, reserved ahead -----------------------------------------------------

# A limit with this much room or more is reserved ahead by each process, in batches of at most
# 1/LEASE_SHARE of that room and at most LEASE_MOST queries: most checks then decide in the
# process, with no round trip to the cache. Below it, each query is counted in the cache, so the
# last queries of a limit are decided exactly. A batch not spent by the time another process
# finds the limit full makes that one refuse early (never more than the limit is allowed).
LEASE_FROM = 1_000
LEASE_SHARE = 64
LEASE_MOST = 100
HELD_MOST = 100_000  # tokens a process holds reservations for, at most


@dataclass(slots=True)
class _Held:
    """What this process reserved of one counter and has not spent, and the counter's value."""

    key: str | None = None
    left: int = 0
    seen: int = 0  # the shared counter after this process's last reservation

    def on(self, key: str | None) -> "_Held":
        """This reservation if it is still of `key`; else an empty one (a new minute or period)."""
        return self if self.key == key else _Held(key)

    def fits(self, limit: int | None, cost: int, asked: bool) -> bool:
        """Whether `cost` queries fit (for a cost of 0, one more); `asked`: `seen` is fresh."""
        if limit is None:
            return True
        if cost:
            return self.left >= cost
        return self.left >= 1 or (asked and self.seen < limit)

    def ask(self, limit: int | None, cost: int) -> int:
        """How many to reserve now: what `cost` lacks, and a batch ahead when there is room."""
        if limit is None:
            return 0
        room = limit - self.seen
        ahead = min(LEASE_MOST, room // LEASE_SHARE) if room >= LEASE_FROM else 0
        return max(cost - self.left, 0) + ahead

    def remaining(self, limit: int) -> int:
        return max(limit - self.seen + self.left, 0)


_held: dict[int, tuple[_Held, _Held]] = {}  # token pk: (rate, quota)
_held_lock = threading.Lock()


def _within_limits(pk: int, limits: Limits, cost: int, now: float) -> Verdict:
    minute = minute_of(now)
    rate_key = _rate_key(pk, minute) if limits.rate is not None else None
    quota_first, quota_reset = date.min, 0
    quota_key = None
    if limits.quota is not None:
        quota_first, quota_reset = period_bounds(limits.period, now)
        quota_key = _quota_key(pk, limits.period, quota_first)
    with _held_lock:
        rate, quota = _held.get(pk, (_Held(), _Held()))
        rate, quota = rate.on(rate_key), quota.on(quota_key)
        if rate.fits(limits.rate, cost, False) and quota.fits(limits.quota, cost, False):
            return _spend(pk, limits, cost, rate, quota, minute, quota_reset)
        asks = [rate.ask(limits.rate, cost), quota.ask(limits.quota, cost)]
        if len(_held) >= HELD_MOST:
            _held.clear()  # what they held is refused early at worst, until its minute or period
        _held[pk] = (rate, quota)

    charges = [
        Charge(key, amount, timeout)
        for key, amount, timeout in [
            (rate_key, asks[0], PENDING_SECONDS),
            (quota_key, asks[1], quota_reset - int(now) + 3_600),
        ]
        if key is not None
    ]
    counters = _counters()
    results = counters.charge(charges)
    created = [charge for charge, (_, new) in zip(charges, results, strict=True) if new]
    if created:
        counters.started(created, [])
    totals = {charge.key: total for charge, (total, _) in zip(charges, results, strict=True)}
    if quota_key is not None and quota_key in {charge.key for charge in created}:
        totals[quota_key] = _seeded(pk, quota_key, quota_first, totals[quota_key], created)

    give_back: list[Charge] = []
    with _held_lock:
        for held, limit, asked in ((rate, limits.rate, asks[0]), (quota, limits.quota, asks[1])):
            if limit is None or held.key is None:
                continue
            over = min(max(totals[held.key] - limit, 0), asked)  # reserved past the limit
            if over:
                give_back.append(Charge(held.key, over, 0))
            held.left += asked - over
            held.seen = totals[held.key] - over
        if rate.fits(limits.rate, cost, True) and quota.fits(limits.quota, cost, True):
            verdict = _spend(pk, limits, cost, rate, quota, minute, quota_reset)
        else:
            # Refused: what this process holds goes back, for the others to use.
            give_back += [Charge(h.key, h.left, 0) for h in (rate, quota) if h.key and h.left]
            verdict = _refusal(limits, rate, quota, cost, now, minute, quota_reset)
            rate.seen -= rate.left
            quota.seen -= quota.left
            rate.left = quota.left = 0
    if give_back:
        counters.take_back(give_back)
    return verdict


def _spend(
    pk: int,
    limits: Limits,
    cost: int,
    rate: _Held,
    quota: _Held,
    minute: int,
    quota_reset: int,
) -> Verdict:
    """Take `cost` from what the process holds (under `_held_lock`): an allowed check."""
    rate.left -= cost if limits.rate is not None else 0
    quota.left -= cost if limits.quota is not None else 0
    _held[pk] = (rate, quota)
    return Verdict(
        rate=_remaining(limits.rate, rate, (minute + 1) * MINUTE, "minute"),
        quota=_remaining(limits.quota, quota, quota_reset, limits.period),
    )


def _refusal(
    limits: Limits,
    rate: _Held,
    quota: _Held,
    cost: int,
    now: float,
    minute: int,
    quota_reset: int,
) -> Verdict:
    over_quota = not quota.fits(limits.quota, cost, True)
    resets_at = quota_reset if over_quota else (minute + 1) * MINUTE
    return Verdict(
        allowed=False,
        reason=QUOTA_EXCEEDED if over_quota else RATE_LIMITED,
        retry_after=max(resets_at - int(now), 1),
        rate=_remaining(limits.rate, rate, (minute + 1) * MINUTE, "minute"),
        quota=_remaining(limits.quota, quota, quota_reset, limits.period),
    )


def _remaining(limit: int | None, held: _Held, resets_at: int, period: str) -> Remaining | None:
    if limit is None:
        return None
    return Remaining(
        limit=limit, remaining=held.remaining(limit), resets_at=resets_at, period=period
    )


def _seeded(pk: int, key: str, first: date, total: int, created: list[Charge]) -> int:
    """
    A new quota counter: a new period, or the cache lost it. It starts from what the database
    has of the period's use, once (the mark keeps a counter that merely was at 0 from being
    seeded twice).
    """
    timeout = next(charge.timeout for charge in created if charge.key == key)
    if cache.add(_seeded_key(key), 1, timeout):
        seed = _used_in_period(pk, first)
        if seed:
            return cache.incr(key, seed)
    return total


def _last_use(at: float, client_ip: str | None) -> str:
    return f"{at:.0f} {client_ip or ''}"


# --- Tokens without limits: gathered in the process ----------------------------------------------


class UsageBuffer:
    """
    The use of tokens (queries, last time and address), gathered in this process and added to
    the cache together about once a second (GATEWAY_USAGE_FLUSH_SECONDS) by one background
    thread, so that counting a check costs no round trip to the cache. The flush does what each
    check would have (counts, last use, the minute's list) for every token at once, and runs the
    writer when it is due. A process that exits flushes first; one that is killed loses its last
    second of counts. (Limits are not decided here: see `_within_limits`.)
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
        if self._thread is None and settings.GATEWAY_USAGE_FLUSH_SECONDS:
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

    def flush(self, now: float) -> tuple[int, bool]:
        """
        Add the gathered checks to the cache, as the current minute's (a check is at most about
        a second late): how many tokens were flushed, and whether the writer is due (a minute's
        first counter, in any process, runs it).
        """
        uses = self.take()
        if not uses:
            return 0, False
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
        return len(pks), bool(created) and writer_due(now)

    def flush_and_write(self, now: float) -> int:
        """`flush`, then the writer if it is due: how many tokens were flushed."""
        flushed, write_due = self.flush(now)
        if write_due:
            write_finished_minutes(now)
        return flushed

    def _flush_every(self) -> None:
        while True:
            time.sleep(max(settings.GATEWAY_USAGE_FLUSH_SECONDS, 1))
            self._flush_at_exit()

    def _flush_at_exit(self) -> None:
        try:
            self.flush_and_write(clock())
        except Exception:
            logger.exception("Adding gathered token usage to the cache failed; trying again.")
        finally:
            connections.close_all()  # this thread's own, when the writer ran


_buffer = UsageBuffer()


def flush_buffered(now: float) -> int:
    """This process's gathered checks, added to the cache now, then the writer if it is due."""
    return _buffer.flush_and_write(now)


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
