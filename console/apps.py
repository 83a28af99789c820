from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Console"

    def ready(self) -> None:
        from console import converters

        # Before any URLconf is loaded: tokens, models_registry and console use <public_id:…>.
        converters.register()
