"""
The JSON API's one error shape, whatever went wrong: `{"message", "code", "errors", "request_id"}`.

Endpoints live beside their pages (`models_registry/api.py`, `tokens/api.py`) and call the same
services; this module turns the services' `DomainError` into that shape with the right status.
"""

from typing import Any

from django.http import Http404, HttpRequest
from drf_spectacular.utils import OpenApiResponse
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
    The body of every error answer, built by `error_body()` whatever went wrong.

    `request_id` is the request log's id for this request, also in the `X-Request-ID` header:
    quoting it lets the console's operators find what happened.
    """

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


ERROR_DESCRIPTIONS = {
    400: "Invalid input: see `errors` for the fields.",
    401: "Missing, invalid or revoked credentials.",
    404: "Not found, or not yours.",
    409: "Conflicts with the current state (already assigned, duplicate name, cancelled, ...).",
    412: "Changed since you read it (If-Match): GET it again; nothing was changed.",
    415: "Send JSON (`Content-Type: application/json`).",
    429: "Too many bad license keys from your address: wait `Retry-After` seconds.",
}
RATE_LIMITED = (
    "Too many requests with your license key (the server's API_RATE_LIMIT a minute), or too "
    "many bad license keys from your address: wait `Retry-After` seconds."
)


def error_responses(*statuses: int, rate_limited: bool = True) -> dict:
    """
    Schema entries for the error answers an endpoint gives. 401 and 429, for a bad license key
    and too many of them, are always among them; the 429 also covers a key's own rate limit
    unless `rate_limited` is False (the gateway's endpoints, which it does not apply to).
    """
    responses = {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in sorted({401, 429, *statuses})
    }
    if rate_limited:
        responses[429] = OpenApiResponse(ErrorSerializer, description=RATE_LIMITED)
    return responses


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
