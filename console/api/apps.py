from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "console.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        # drf-spectacular finds authentication extensions by their being imported.
        from console.api import schema  # noqa: F401
