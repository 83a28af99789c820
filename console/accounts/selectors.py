"""Scoped reads about a provider's people: members, pending invitations, what a delete takes."""

from django.db.models import QuerySet
from django.utils import timezone

from console.accounts.models import Invitation, Membership, Provider


def members_of(provider: Provider) -> QuerySet[Membership]:
    """The provider's memberships with their people, in the order they joined."""
    return Membership.objects.filter(provider=provider).select_related("user")


def pending_invitations_for(provider: Provider) -> QuerySet[Invitation]:
    """Invitations still waiting for an answer (open and unexpired), newest first."""
    return Invitation.objects.filter(
        provider=provider,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def provider_deletion_counts(provider: Provider) -> dict[str, int]:
    """How many of each thing deleting `provider` deletes with it."""
    return {
        "models": provider.ai_models.count(),
        "tokens": provider.tokens.count(),
        "license keys": provider.license_keys.count(),
        "members": provider.memberships.count(),
        "invitations": provider.invitations.count(),
    }
