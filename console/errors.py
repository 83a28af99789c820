"""The one error type that every service raises when a user breaks a rule."""

from django.db import transaction


class DomainError(Exception):
    """
    A rule was broken; nothing was changed.

    `message` is written for the person who asked (it is shown next to `field` in a form, or
    returned by the API). `code` names the rule, so the API can pick a status (a `conflict` is
    409) and tests can tell rules apart without matching on wording.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __repr__(self) -> str:
        return f"DomainError({self.message!r}, field={self.field!r}, code={self.code!r})"


class _RollBack(Exception):
    pass


def check_without_saving(service, /, **kwargs) -> None:
    """
    Run a service and roll back whatever it wrote: raise the DomainError it would raise.

    Lets a form that must validate before saving (Django admin's) ask the service itself,
    so the rules are not written twice.
    """
    try:
        with transaction.atomic():
            service(**kwargs)
            raise _RollBack
    except _RollBack:
        pass
