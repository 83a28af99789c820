"""Reads of license keys, always scoped to the provider who owns them."""

from django.db.models import QuerySet

from console.api.models import LicenseKey


def license_keys_for(provider) -> QuerySet[LicenseKey]:
    """The provider's license keys, newest first."""
    return LicenseKey.objects.filter(provider=provider).order_by("-created_at", "-pk")
