"""Reads of AI models, always scoped to the provider who owns them."""

from django.contrib.auth.models import User
from django.db.models import OuterRef, QuerySet

from console.accounts.models import Provider
from console.pagination import CappedCount
from models_registry.models import AIModel
from tokens.models import Token


def models_for(provider: Provider) -> QuerySet[AIModel]:
    """The provider's own models, by name."""
    return AIModel.objects.filter(provider=provider).order_by("name", "pk")


def models_of_member(user: User) -> QuerySet[AIModel]:
    """Models of every provider `user` belongs to (for opening one by its id, then switching)."""
    return AIModel.objects.filter(
        provider__memberships__user=user, provider__is_active=True
    ).select_related("provider")


def models_with_token_counts(provider: Provider) -> QuerySet[AIModel]:
    """
    The provider's models, each with `tokens_counted`: its tokens, counted up to 5,001 (show it
    with the `capped` filter), in the same query as the models.

    A GROUP BY over every token took 400 ms at a million tokens; a count per model was one
    query per model. Each count here stops at the cap, inside the one query.
    """
    tokens = Token.objects.filter(model=OuterRef("pk"))
    return models_for(provider).annotate(tokens_counted=CappedCount(tokens))
