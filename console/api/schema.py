"""The OpenAPI schema's description of how the API authenticates (loaded by ApiConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from console.api.authentication import LicenseKeyAuthentication


class LicenseKeyScheme(OpenApiAuthenticationExtension):
    target_class = LicenseKeyAuthentication
    name = "licenseKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A license key (`lic_…`) from the console's License keys page.",
        }
