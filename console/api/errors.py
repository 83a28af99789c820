"""
The JSON API's one error shape, whatever went wrong: `{"message", "code", "errors", "request_id"}`.

Endpoints live beside their pages (`models_registry/api.py`, `tokens/api.py`) and call the same
services; this module turns the services' `DomainError` into that shape with the right status.
"""

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import set_rollback

from console.errors import DomainError

# The services name fields as the pages do; the API names the model by its public id.
API_FIELD_NAMES = {"model": "model_id"}


class ErrorSerializer(serializers.Serializer):
    """
    Every error answer, whatever went wrong: what, a stable code, the fields at fault, and the
    request's id (also the `X-Request-ID` header), which lets the console's operators find it.
    """

    # Built by `error_body()`, below, for every error of the API.

    message = serializers.CharField(help_text="What went wrong, written for a person.")
    code = serializers.CharField(help_text="A stable name for the rule or failure.")
    # A response shape for the schema, never validated: shadowing Serializer.errors is harmless.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per request field, for validation errors.",
    )
    request_id = serializers.CharField(
        required=False,
        help_text="This request's id in the console's logs (also the `X-Request-ID` header).",
    )


def error_body(
    request: HttpRequest | Request | None,
    message: str,
    code: str,
    errors: dict | None = None,
) -> dict:
    """
    The one error shape, `{"message", "code", "errors", "request_id"}`, for any JSON error.

    `errors` is left out when there are none; `request_id` when no request log middleware saw
    the request (a view called directly in a test).
    """
    body: dict = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    request_id = getattr(request, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return body


@dataclass(frozen=True)
class ErrorAnswer:
    """How the schema documents one error status: what it means, and an answer to show."""

    description: str
    message: str
    code: str
    errors: dict[str, list[str]] | None = None

    def example(self) -> dict:
        body: dict[str, object] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return {**body, "request_id": "0b8e4c3f9a1d4e5f8a7b6c5d4e3f2a1b"}


ERROR_ANSWERS = {
    400: ErrorAnswer(
        "Invalid input: see `errors` for the fields. Nothing was changed.",
        "Give a string.",
        "invalid",
        {"name": ["Give a string."]},
    ),
    401: ErrorAnswer(
        "Missing, invalid or revoked credentials (`WWW-Authenticate` says which scheme).",
        "Invalid or revoked license key.",
        "authentication_failed",
    ),
    403: ErrorAnswer(
        "This license key may not do this: its creator is a Viewer (it reads, and changes "
        "nothing), or it is a Gateway key (it only introspects).",
        "This license key acts with its creator's role, Viewer: it can read but not change.",
        "permission_denied",
    ),
    404: ErrorAnswer("Not found, or not yours.", "No such token among yours.", "not_found"),
    405: ErrorAnswer(
        "Not a method this path takes: the `Allow` header lists those it does.",
        'Method "PUT" not allowed.',
        "method_not_allowed",
    ),
    406: ErrorAnswer(
        "The `Accept` header allows no JSON: every answer here is `application/json`.",
        "Could not satisfy the request Accept header.",
        "not_acceptable",
    ),
    409: ErrorAnswer(
        "Conflicts with the current state (a name you already use, a token already assigned, "
        "not assigned, or cancelled), or a request with this `Idempotency-Key` is still "
        "running (retry later).",
        "You already have a token named “alice-laptop”. Choose another name.",
        "duplicate",
        {"name": ["You already have a token named “alice-laptop”. Choose another name."]},
    ),
    412: ErrorAnswer(
        "Changed since you read it (If-Match): GET it again; nothing was changed.",
        "This token changed since you read it (If-Match): GET it again, and send your change "
        "with its new ETag.",
        "precondition_failed",
    ),
    415: ErrorAnswer(
        "A `Content-Type` this endpoint does not read: send JSON (`application/json`).",
        'Unsupported media type "text/plain" in request.',
        "unsupported_media_type",
    ),
    422: ErrorAnswer(
        "This `Idempotency-Key` was used with another request.",
        "This Idempotency-Key was already used with another request. Use a new key for a new "
        "request, and the same request body to retry one.",
        "idempotency_key_reused",
    ),
    429: ErrorAnswer(
        "Too many requests with your license key (the server's API_RATE_LIMIT a minute), or "
        "too many bad license keys from your address: wait `Retry-After` seconds.",
        "Too many requests with this license key: at most 120 a minute. Try again in 12 seconds.",
        "throttled",
    ),
    503: ErrorAnswer(
        "The database is briefly unreachable: retry after `Retry-After` seconds.",
        "The service is temporarily unavailable. Try again shortly.",
        "unavailable",
    ),
}
# What every management endpoint (REST framework's views) can answer, whatever it does.
COMMON_ERRORS = (401, 403, 405, 406, 429, 503)


def error_response(status: int, answer: ErrorAnswer | None = None) -> OpenApiResponse:
    """The schema's entry for one error status: the error envelope, described, with an example."""
    answer = answer or ERROR_ANSWERS[status]
    return OpenApiResponse(
        ErrorSerializer,
        description=answer.description,
        examples=[OpenApiExample(answer.code, value=answer.example(), status_codes=[status])],
    )


def error_responses(
    *statuses: int,
    common: tuple[int, ...] = COMMON_ERRORS,
    answers: dict[int, ErrorAnswer] | None = None,
) -> dict[int, OpenApiResponse]:
    """
    Schema entries for the error answers an endpoint gives: `statuses`, and those every
    management endpoint gives (`common`; the gateway's endpoints name their own). `answers`
    documents a status in the endpoint's own words.
    """
    answers = answers or {}
    return {
        status: error_response(status, answers.get(status))
        for status in sorted({*common, *statuses})
    }


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def _field_errors(detail) -> dict[str, list[str]]:
    errors = {}
    for field, messages in detail.items():
        if isinstance(messages, dict):  # a nested object: name its inner fields "outer.inner"
            for inner, inner_messages in _field_errors(messages).items():
                errors[f"{field}.{inner}"] = inner_messages
        else:
            items = messages if isinstance(messages, list) else [messages]
            errors[field] = [str(item) for item in items]
    return errors


def api_exception_answer(
    request: HttpRequest | Request | None, exc: exceptions.APIException
) -> tuple[int, dict, dict[str, str]]:
    """
    The status, body and headers for one of REST framework's exceptions (not a validation
    error): for the exception handler, and for the gateway's plain views (tokens.gateway).
    """
    headers: dict[str, str] = {}
    auth_header = getattr(exc, "auth_header", None)  # set by DRF on 401s
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)  # set by REST framework on 429s
    if wait is not None:
        headers["Retry-After"] = str(int(wait))
    return exc.status_code, error_body(request, str(exc.detail), str(exc.get_codes())), headers


def api_exception_handler(exc, context):
    """Every error, whatever raised it, answered in the one shape with the right status."""
    request = context["request"]
    headers: dict[str, str] = {}
    if isinstance(exc, DomainError):
        # The rule's kind: 400, 409 (Conflict), 404 (NotFound, Gone) or 412 (Stale).
        code: int = exc.status
        errors = {API_FIELD_NAMES.get(exc.field, exc.field): [exc.message]} if exc.field else None
        body = error_body(request, exc.message, exc.code, errors)
    elif isinstance(exc, Http404):
        code = status.HTTP_404_NOT_FOUND
        body = error_body(request, str(exc) or "Not found.", "not_found")
    elif isinstance(exc, exceptions.ValidationError):
        code = exc.status_code
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = error_body(request, _first_message(detail), "invalid", _field_errors(detail))
    elif isinstance(exc, exceptions.APIException):
        code, body, headers = api_exception_answer(request, exc)
    else:
        return None
    set_rollback()
    return Response(body, status=code, headers=headers)


class OwnObjectMixin(GenericAPIView):
    """Views of the key holder's own objects: anyone else's, or none, is one plain 404."""

    not_found_message: str  # "No such token among yours."

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except Http404:
            raise Http404(self.not_found_message) from None
