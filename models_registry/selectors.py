"""Reads of AI models, always scoped to the provider who owns them."""

from django.db.models import Count, QuerySet

from models_registry.models import AIModel


def models_for(owner) -> QuerySet[AIModel]:
    """The provider's own models, by name."""
    return AIModel.objects.filter(owner=owner).order_by("name")


def models_with_token_counts(owner) -> QuerySet[AIModel]:
    """The provider's models, each annotated with `token_count`."""
    return models_for(owner).annotate(token_count=Count("tokens"))
