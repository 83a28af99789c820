"""
The one error type that every service raises when a rule is broken, and what kind it is.

A service raises `DomainError` (bad input), or one of its kinds: `Conflict` (the request is fine
but the current state forbids it: already assigned, cancelled, name taken), `NotFound` (the
object is not there, or is not yours; `Gone` when it was deleted meanwhile) or `Stale` (the
caller's precondition refused the object as it is now). Each kind carries its HTTP status, so
the pages and the JSON API answer a broken rule with the same status.
"""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any


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


class Stale(DomainError):
    """The object changed since the caller read it (the API's If-Match): nothing was changed."""

    status = HTTPStatus.PRECONDITION_FAILED

    def __init__(self, message: str, *, code: str = "precondition_failed"):
        super().__init__(message, code=code)


Precondition = Callable[[Any], None]
"""
A caller's check of the object as its write finds it, locked, before anything changes (the
API's If-Match): it raises `Stale` to change nothing. Services that take one run it in the
write's own transaction, so no change can land between the check and the write.
"""
