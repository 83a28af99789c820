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
