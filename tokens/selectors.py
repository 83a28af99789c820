"""Reads of tokens, always scoped to the provider who owns them."""

from dataclasses import dataclass

from django.contrib.auth.models import User

from console.accounts.models import Provider
from models_registry.models import AIModel
from tokens import search
from tokens.models import Token, TokenQuerySet

TYPEAHEAD_LIMIT = 10


def tokens_for(provider: Provider) -> TokenQuerySet:
    """The provider's own tokens with their models, newest first."""
    return Token.objects.filter(provider=provider).select_related("model")


def tokens_of_member(user: User) -> TokenQuerySet:
    """Tokens of every provider `user` belongs to (for opening one by its id, then switching)."""
    return Token.objects.filter(
        provider__memberships__user=user, provider__is_active=True
    ).select_related("model", "provider")


def tokens_of_model(model: AIModel) -> TokenQuerySet:
    """The tokens assigned to one model, newest first (scoped already: a model has one provider)."""
    return Token.objects.filter(provider_id=model.provider_id, model=model).order_by(
        "-created_at", "-pk"
    )


def assignable_tokens(provider: Provider) -> TokenQuerySet:
    """Tokens that may be assigned: the provider's unassigned, uncancelled tokens."""
    return Token.objects.filter(provider=provider).assignable()


@dataclass(frozen=True)
class Match:
    """A token found by the type-ahead, with its name split around the matched text."""

    token: Token
    before: str
    matched: str
    after: str


def _split(token: Token, text: str) -> Match:
    start = token.name.lower().find(text.lower()) if text else -1
    if start < 0:
        return Match(token, token.name, "", "")
    end = start + len(text)
    return Match(token, token.name[:start], token.name[start:end], token.name[end:])


def unassigned_tokens_matching(
    provider: Provider, text: str, limit: int = TYPEAHEAD_LIMIT
) -> list[Match]:
    """
    The provider's assignable tokens whose name contains `text`, ignoring case, best first.

    Names that start with the text come first, then names that merely contain it, each group
    alphabetical; at most `limit`. Each group is its own indexed query with a LIMIT, so neither
    sorts every match (see tokens.search); the few substring matches are sorted here.
    """
    text = (text or "").strip()
    tokens = assignable_tokens(provider)
    if not text:
        return [_split(token, "") for token in search.name_order(tokens)[:limit]]
    found = list(search.starting_with(tokens, text)[:limit])
    if len(found) < limit:
        others = search.containing(tokens, text)[: limit - len(found)]
        found += sorted(others, key=lambda token: (token.name.lower(), token.pk))
    return [_split(token, text) for token in found]
