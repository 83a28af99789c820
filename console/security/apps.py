from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "console.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        # Sign-ins and failed sign-ins become events, whichever view signs someone in.
        from console.security import signals  # noqa: F401
