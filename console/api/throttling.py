"""
Repeated bad license keys from one address are answered 429 (Too Many Requests).

Counted in the cache, per client address and minute: shared by every app server when the cache
is Redis (`REDIS_URL`), per server process otherwise. Only a refused key is counted, so a
gateway presenting a good key costs the cache nothing.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from console.request_log import client_ip

WINDOW_SECONDS = 60


def seconds_locked_after_bad_key(request: HttpRequest) -> int | None:
    """
    Count one bad key from the request's address; the seconds until its minute ends when the
    address has now sent more than API_BAD_KEY_LIMIT in it, else None.
    """
    now = int(time.time())
    window = now - now % WINDOW_SECONDS
    counter = f"api-bad-key:{client_ip(request) or 'unknown'}:{window}"
    cache.add(counter, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count > settings.API_BAD_KEY_LIMIT:
        return window + WINDOW_SECONDS - now
    return None
