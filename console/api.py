"""
What every JSON API endpoint shares: license-key authentication, errors, paging and the schema.

Endpoints live beside their pages (`models_registry/api.py`, `tokens/api.py`) and call the same
services; this module turns the services' `DomainError` into the API's one error shape:
`{"message": "...", "code": "...", "errors": {"field": ["..."]}}`.
"""

from datetime import UTC, datetime

from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import set_rollback

from console.authentication import LicenseKeyAuthentication
from console.errors import DomainError
from console.pagination import CappedPaginator

# Rules whose breaking is a conflict with the current state of things, not bad input.
CONFLICT_CODES = {"already_assigned", "not_assigned", "cancelled_is_final", "duplicate"}
NOT_FOUND_CODES = {"gone"}
# The services name fields as the pages do; the API names the model by its public id.
API_FIELD_NAMES = {"model": "model_id"}


class LicenseKeyScheme(OpenApiAuthenticationExtension):
    target_class = LicenseKeyAuthentication
    name = "licenseKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A license key (`lic_…`) from the console's License keys page.",
        }


# --- Errors -----------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    message = serializers.CharField(help_text="What went wrong, written for a person.")
    code = serializers.CharField(help_text="A stable name for the rule or failure.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per request field, for validation errors.",
    )


ERROR_DESCRIPTIONS = {
    400: "Invalid input: see `errors` for the fields.",
    401: "Missing, invalid or revoked credentials.",
    404: "Not found, or not yours.",
    409: "Conflicts with the current state (already assigned, duplicate name, cancelled, ...).",
    415: "Send JSON (`Content-Type: application/json`).",
}


def error_responses(*statuses: int) -> dict:
    """Schema entries for the error answers an endpoint gives (401 is always among them)."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in sorted({401, *statuses})
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


def api_exception_handler(exc, context):
    """Every error, whatever raised it, answered in the one shape with the right status."""
    headers = {}
    if isinstance(exc, DomainError):
        if exc.code in CONFLICT_CODES:
            code = status.HTTP_409_CONFLICT
        elif exc.code in NOT_FOUND_CODES:
            code = status.HTTP_404_NOT_FOUND
        else:
            code = status.HTTP_400_BAD_REQUEST
        body = {"message": exc.message, "code": exc.code}
        if exc.field:
            body["errors"] = {API_FIELD_NAMES.get(exc.field, exc.field): [exc.message]}
    elif isinstance(exc, Http404):
        code = status.HTTP_404_NOT_FOUND
        body = {"message": str(exc) or "Not found.", "code": "not_found"}
    elif isinstance(exc, exceptions.APIException):
        code = exc.status_code
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if isinstance(exc, exceptions.ValidationError):
            detail = (
                exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            )
            errors = _field_errors(detail)
            body = {"message": _first_message(detail), "code": "invalid", "errors": errors}
        else:
            body = {"message": str(exc.detail), "code": exc.get_codes()}
    else:
        return None
    set_rollback()
    return Response(body, status=code, headers=headers)


class OwnObjectMixin:
    """Views of the key holder's own objects: anyone else's, or none, is one plain 404."""

    not_found_message: str  # "No such token among yours."

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise Http404(self.not_found_message) from None


# --- Paging -----------------------------------------------------------------------------------


class CappedPagination(PageNumberPagination):
    """
    `?page=N&per_page=25|…|100`, as on the Tokens List, with its count capped at 5,000 so a
    page costs the same at a thousand tokens and at a million (`count_is_capped` says so).
    """

    django_paginator_class = CappedPaginator
    page_size = 25
    page_size_query_param = "per_page"
    page_size_query_description = "Results per page, 1 to 100 (default 25)."
    max_page_size = 100

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param) or "1"
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError({"page": ["Give a page number: 1, 2, 3, ..."]})
        return int(raw)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"per_page": [f"Give a number of results per page from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:  # DRF's answer to an out-of-range page
            raise Http404("That page does not exist.") from None

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_capped": self.page.paginator.is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = "Matches, counted up to 5,000."
        response["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": "True when more than 5,000 match: narrow the filters to see them all.",
        }
        response["required"] = ["count", "count_is_capped", "next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class TextField(serializers.CharField):
    """A string, and only a string: `{"name": 5}` is refused rather than quietly made "5"."""

    default_error_messages = {"invalid": "Give a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class UnixTimestampField(serializers.IntegerField):
    """A moment as whole seconds since 1970-01-01 UTC, as the product docs' tables give it."""

    EARLIEST, LATEST = 0, 253_402_300_799  # 1970-01-01 to 9999-12-31T23:59:59Z

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Bounds checked here on the integer (the validators would see the datetime); the
        # attributes put them in the schema.
        self.min_value, self.max_value = self.EARLIEST, self.LATEST

    def to_internal_value(self, data):
        seconds = super().to_internal_value(data)
        if not self.EARLIEST <= seconds <= self.LATEST:
            raise serializers.ValidationError(
                "Give a Unix timestamp in seconds, from 0 to 253402300799."
            )
        return datetime.fromtimestamp(seconds, tz=UTC)

    def to_representation(self, value):
        return int(value.timestamp())
