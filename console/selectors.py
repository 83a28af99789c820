"""Reads that span the provider's whole account."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from models_registry.selectors import models_for
from tokens.models import TokenStatus
from tokens.selectors import tokens_for

EXPIRING_SOON_DAYS = 7


def account_summary(owner) -> dict[str, int]:
    """Counts for the dashboard: models, and tokens by what a provider acts on."""
    now = timezone.now()
    live = Q(expires_at__gt=now) & ~Q(status=TokenStatus.CANCELED)
    counts = tokens_for(owner).aggregate(
        tokens=Count("pk"),
        active=Count("pk", filter=live & Q(status=TokenStatus.ACTIVE, model__isnull=False)),
        suspended=Count("pk", filter=live & Q(status=TokenStatus.SUSPENDED)),
        unassigned=Count("pk", filter=live & Q(model__isnull=True)),
        expired=Count("pk", filter=Q(expires_at__lte=now)),
        expiring_soon=Count(
            "pk",
            filter=live & Q(expires_at__lte=now + timedelta(days=EXPIRING_SOON_DAYS)),
        ),
        cancelled=Count("pk", filter=Q(status=TokenStatus.CANCELED)),
    )
    counts["models"] = models_for(owner).count()
    return counts
