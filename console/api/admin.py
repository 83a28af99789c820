from django.contrib import admin

from console.api import services
from console.api.models import LicenseKey
from console.service_admin import ServiceDeletes


@admin.register(LicenseKey)
class LicenseKeyAdmin(ServiceDeletes):
    """Staff see and revoke providers' API keys; keys are made by providers or `createlicense`."""

    list_display = ["name", "provider", "scope", "created_by", "hint", "created_at", "last_used_at"]
    list_filter = ["scope", "created_at", "last_used_at"]
    search_fields = ["name", "created_by__username", "=key_id"]
    list_select_related = ["provider", "created_by"]
    readonly_fields = (
        "key_id",
        "provider",
        "created_by",
        "name",
        "scope",
        "hint",
        "created_at",
        "last_used_at",
    )
    fields = readonly_fields
    delete_service = staticmethod(services.revoke_license_key)
    delete_argument = "key"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
