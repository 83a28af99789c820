from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Console"

    def ready(self) -> None:
        # System checks register themselves by being imported.
        from console import (
            checks,  # noqa: F401
            converters,
        )

        # Before any URLconf is loaded: tokens, models_registry and console use <public_id:…>.
        converters.register()
