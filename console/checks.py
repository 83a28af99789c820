"""System checks of the console's own settings (loaded by ConsoleConfig.ready)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

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
