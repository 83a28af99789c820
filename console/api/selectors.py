"""Reads of license keys, always scoped to the provider who owns them."""

from django.db.models import QuerySet

from console.api.models import LicenseKey


def license_keys_for(owner) -> QuerySet[LicenseKey]:
    """The provider's license keys, newest first."""
    return LicenseKey.objects.filter(owner=owner).order_by("-created_at", "-pk")
