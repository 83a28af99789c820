"""
How much the JSON API takes from one caller in a minute: repeated bad license keys from one
address (API_BAD_KEY_LIMIT), and the management API's requests of one license key
(API_RATE_LIMIT, off unless set), each answered 429 (Too Many Requests) past its limit.

Counted in the cache, per minute: shared by every app server when the cache is Redis
(`REDIS_URL`), per server process otherwise. One atomic increment per counted request; a
gateway presenting a good key costs the cache nothing (introspection is not the management API).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from rest_framework import exceptions

from console.api.models import LicenseKey
from console.request_log import client_ip

WINDOW_SECONDS = 60
clock: Callable[[], float] = time.time  # tests stop it
_LIMIT_ATTRIBUTE = "api_rate_limit"  # where a request keeps its RateLimit, for its answer


def _count_in_this_minute(counter: str) -> tuple[int, int]:
    """Count one in `counter` for the current minute: the count so far, and the seconds until
    the minute ends."""
    now = int(clock())
    window = now - now % WINDOW_SECONDS
    key = f"{counter}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    return count, window + WINDOW_SECONDS - now


def throttled(message: str, wait: int) -> exceptions.Throttled:
    """A 429 with `Retry-After: wait`, in our words only (REST framework would add its own)."""
    refusal = exceptions.Throttled(detail=message)
    refusal.wait = wait  # type: ignore[attr-defined]  # Retry-After
    return refusal


def _seconds(count: int) -> str:
    return f"{count} second{'s' if count != 1 else ''}"


def seconds_locked_after_bad_key(request: HttpRequest) -> int | None:
    """
    Count one bad key from the request's address; the seconds until its minute ends when the
    address has now sent more than API_BAD_KEY_LIMIT in it, else None.
    """
    count, wait = _count_in_this_minute(f"api-bad-key:{client_ip(request) or 'unknown'}")
    return wait if count > settings.API_BAD_KEY_LIMIT else None


@dataclass(frozen=True)
class RateLimit:
    """Where a license key stands in its minute, as the answer's RateLimit-* headers say."""

    limit: int
    remaining: int
    reset: int  # seconds until the minute ends and the count starts over

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }


def count_key_request(request: HttpRequest, key: LicenseKey) -> None:
    """
    Count one management API request of `key` against API_RATE_LIMIT (nothing when it is 0),
    keep where the key stands on `request` for the answer's headers, and refuse the request
    (429, with Retry-After) once the key has made more than its limit in the minute.
    """
    limit = settings.API_RATE_LIMIT
    if not limit:
        return
    count, reset = _count_in_this_minute(f"api-key-requests:{key.pk}")
    setattr(request, _LIMIT_ATTRIBUTE, RateLimit(limit, max(0, limit - count), reset))
    if count > limit:
        raise throttled(
            f"Too many requests with this license key: at most {limit} a minute. Try again in "
            f"{_seconds(reset)}.",
            reset,
        )


class RateLimitHeadersMiddleware:
    """Every answer to a request counted against API_RATE_LIMIT says where its key stands,
    errors included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        standing: RateLimit | None = getattr(request, _LIMIT_ATTRIBUTE, None)
        if standing is not None:
            for name, value in standing.headers().items():
                response[name] = value
        return response
