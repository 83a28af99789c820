"""System checks of the console's own settings (loaded by ConsoleConfig.ready)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.checks import Warning as CheckWarning

MIN_TOKEN_DIGEST_KEY_LENGTH = 32


@register(Tags.security, deploy=True)
def check_token_digest_key_length(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """A short digest key is guessable, and with it every stored digest can be tested offline."""
    if settings.DEBUG or len(settings.TOKEN_DIGEST_KEY) >= MIN_TOKEN_DIGEST_KEY_LENGTH:
        return []
    return [
        Error(
            f"TOKEN_DIGEST_KEY has fewer than {MIN_TOKEN_DIGEST_KEY_LENGTH} characters.",
            hint=(
                'Generate one with `python3 -c "import secrets; '
                'print(secrets.token_urlsafe(50))"` and rotate to it with '
                "TOKEN_DIGEST_KEY_FALLBACKS (see the README)."
            ),
            id="console.E001",
        )
    ]


# Cache backends every app server and worker share, whose `incr` is atomic across them.
SHARED_CACHES = (
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)


@register(Tags.caches, deploy=True)
def check_limits_have_a_shared_cache(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """Rate limits and quotas are counted in the cache: per process unless it is shared."""
    if settings.CACHES["default"]["BACKEND"] in SHARED_CACHES:
        return []
    from django.db import DatabaseError
    from django.db.models import Q

    from models_registry.models import AIModel
    from tokens.models import Token

    try:
        in_use = (
            Token.objects.filter(Q(rate_limit__isnull=False) | Q(quota__isnull=False)).exists()
            or AIModel.objects.filter(
                Q(default_rate_limit__isnull=False) | Q(default_quota__isnull=False)
            ).exists()
        )
    except DatabaseError:  # not migrated yet, or unreachable: nothing to say about limits
        return []
    if not in_use:
        return []
    return [
        CheckWarning(
            "Tokens have rate limits or quotas, but the cache is each process's own memory: "
            "every worker and app server counts them separately, so a token gets its limit "
            "once per process.",
            hint="Set REDIS_URL to a Redis server all of them share (see the README).",
            id="console.W001",
        )
    ]
