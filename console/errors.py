"""
The one error type that every service raises when a rule is broken, and what kind it is.

A service raises `DomainError` (bad input), or one of its kinds: `Conflict` (the request is fine
but the current state forbids it: already assigned, cancelled, name taken) or `NotFound` (the
object is not there, or is not yours; `Gone` when it was deleted meanwhile). Each kind carries
its HTTP status, so the pages and the JSON API answer a broken rule with the same status.
"""

from http import HTTPStatus


class DomainError(Exception):
    """
    A rule was broken; nothing was changed.

    `message` is written for the person who asked (it is shown next to `field` in a form, or
    returned by the API). `code` names the rule, so clients and tests can tell rules apart
    without matching on wording.
    """

    status = HTTPStatus.BAD_REQUEST

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, field={self.field!r}, code={self.code!r})"


class Conflict(DomainError):
    """The request is well formed, but the current state of things forbids it."""

    status = HTTPStatus.CONFLICT


class NotFound(DomainError):
    """The object does not exist among the caller's own."""

    status = HTTPStatus.NOT_FOUND


class Gone(NotFound):
    """The object existed when the request began and was deleted meanwhile."""

    def __init__(self, message: str, *, code: str = "gone"):
        super().__init__(message, code=code)
