"""
The OpenAPI schema's description of how the API authenticates, of what its request bodies may
hold (extensions loaded by ApiConfig.ready), of where a creation leads (links), and of the
`Idempotency-Key` every write POST takes.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_examples_list
from drf_spectacular.utils import OpenApiExample, OpenApiResponse

from console.api.authentication import LicenseKeyAuthentication
from console.api.errors import ERROR_ANSWERS
from console.api.serializers import StrictInputMixin


class LinkedResponse(OpenApiResponse):
    """
    An answer whose values lead to other operations (OpenAPI links): a client, or schemathesis'
    stateful phase, follows them from a new object to what can be done with it.
    """

    def __init__(
        self,
        response,
        *,
        description: str,
        examples: list[OpenApiExample],
        links: dict[str, dict],
    ):
        super().__init__(response, description=description, examples=examples)
        self.links = links


def link(operation_id: str, parameters: dict[str, str], description: str) -> dict:
    """An OpenAPI link to `operation_id`, its parameters taken from the answer (`$response…`)."""
    return {"operationId": operation_id, "parameters": parameters, "description": description}


class ConsoleAutoSchema(AutoSchema):
    """
    drf-spectacular's AutoSchema, with two differences: an operation's description is only what
    its `extend_schema` says (a view's or a mixin's docstring is written for developers, and
    would otherwise become the description of every operation that does not give its own), and
    a `LinkedResponse` carries its links into the schema.
    """

    def get_description(self) -> str:  # type: ignore[override]
        return ""

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        # AutoSchema's own (private) step for one answer: the one place an answer is built.
        answer = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if isinstance(serializer, LinkedResponse):
            answer["links"] = serializer.links
        return answer


class LicenseKeyScheme(OpenApiAuthenticationExtension):
    target_class = LicenseKeyAuthentication
    name = "licenseKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A license key (`lic_…`) from the console's License keys page.",
        }


class StrictInputSchema(OpenApiSerializerExtension):
    """Request bodies say what `StrictInputMixin` enforces: no field beyond those listed."""

    target_class = StrictInputMixin
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": (
        "Any text of yours, new for each new request (a UUID, say). A retry with the same key "
        "and the same request within 24 hours gets the first answer again, with "
        "`Idempotent-Replayed: true`, instead of running twice; a replayed token creation "
        "has `token: null`, as its secret is shown only once."
    ),
}
# Every write POST answers these (400 for a malformed key); each view documents the first two.
IDEMPOTENCY_STATUSES = (400, 409, 422)


def _error_answer(status: int) -> dict:
    answer = ERROR_ANSWERS[status]
    return {
        "description": answer.description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "examples": build_examples_list(
                    [OpenApiExample(answer.code, value=answer.example())]
                ),
            }
        },
    }


def document_idempotency(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the `Idempotency-Key` of every write POST."""
    for path, operations in result.get("paths", {}).items():
        post = operations.get("post")
        if post is None or path.removeprefix("/api/v1") in ("/introspect", "/token"):
            continue
        post.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
        for status in IDEMPOTENCY_STATUSES:
            post["responses"].setdefault(str(status), _error_answer(status))
        post["responses"] = dict(sorted(post["responses"].items()))
    return result
