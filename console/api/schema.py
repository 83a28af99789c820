"""
The OpenAPI schema's description of how the API authenticates, and of what its request bodies
may hold (extensions loaded by ApiConfig.ready).
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension

from console.api.authentication import LicenseKeyAuthentication
from console.api.serializers import StrictInputMixin


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
IDEMPOTENCY_RESPONSES = {
    "400": "Invalid input, or a malformed `Idempotency-Key`: see `errors`.",
    "409": "Conflict, or a request with this `Idempotency-Key` is still running (retry later).",
    "422": "This `Idempotency-Key` was used with another request.",
}


def document_idempotency(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the `Idempotency-Key` of every write POST."""
    for path, operations in result.get("paths", {}).items():
        post = operations.get("post")
        if post is None or path.removeprefix("/api/v1") in ("/introspect", "/token"):
            continue
        post.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
        for status, description in IDEMPOTENCY_RESPONSES.items():
            post["responses"].setdefault(
                status,
                {
                    "description": description,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            )
    return result
