"""Reads of tokens, always scoped to the provider who owns them."""

from django.db.models import QuerySet

from tokens.models import Token


def tokens_for(owner) -> QuerySet[Token]:
    """The provider's own tokens with their models, newest first."""
    return Token.objects.filter(owner=owner).select_related("model")
