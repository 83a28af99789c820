"""Reads of tokens and their usage, always scoped to the provider who owns them."""

from dataclasses import dataclass
from datetime import UTC, date, timedelta

from django.contrib.auth.models import User
from django.db.models import Q, Sum
from django.utils import timezone

from console.accounts.models import Provider
from models_registry.models import AIModel
from tokens import search
from tokens.models import Token, TokenQuerySet, TokenUsage
from tokens.usage import Limits

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


# --- Usage: what the gateway's checks counted (tokens.usage writes it, a minute or two late) ---

USAGE_DAYS = 30
MOST_USED_LIMIT = 5


def utc_today() -> date:
    """Today's UTC date: usage is counted in UTC days, whatever the console's time zone."""
    return timezone.now().astimezone(UTC).date()


def usage_window(today: date | None = None) -> list[date]:
    """The last `USAGE_DAYS` UTC days, oldest first, today last."""
    today = today or utc_today()
    return [today - timedelta(days=back) for back in reversed(range(USAGE_DAYS))]


@dataclass(frozen=True)
class DayCount:
    day: date
    queries: int


@dataclass(frozen=True)
class TokenUsageSummary:
    """One token's queries per day over the last 30 UTC days, and this month's for its quota."""

    days: list[DayCount]  # USAGE_DAYS of them, oldest first, zero where nothing was counted
    this_month: int

    @property
    def today(self) -> int:
        return self.days[-1].queries

    @property
    def total(self) -> int:
        return sum(day.queries for day in self.days)


def usage_of_token(token: Token) -> TokenUsageSummary:
    """`token`'s daily series, zero-filled, in one query on its (token, day) rows."""
    window = usage_window()
    first = min(window[0], window[-1].replace(day=1))  # this month can start before the window
    rows = TokenUsage.objects.filter(
        provider_id=token.provider_id, token=token, day__gte=first
    ).values_list("day", "queries")
    counted = dict(rows)
    month = window[-1].replace(day=1)
    return TokenUsageSummary(
        days=[DayCount(day, counted.get(day, 0)) for day in window],
        this_month=sum(queries for day, queries in counted.items() if day >= month),
    )


@dataclass(frozen=True)
class UsageTotals:
    today: int
    last_30_days: int


def usage_of_model(model: AIModel) -> UsageTotals:
    """Queries made through `model` (by whichever tokens were assigned to it then), today and
    over the last 30 UTC days: one sum read from its (model, day, queries) index alone (scoped
    already: a model, and so its usage, has one provider)."""
    window = usage_window()
    totals = TokenUsage.objects.filter(model=model, day__gte=window[0]).aggregate(
        today=Sum("queries", filter=Q(day=window[-1]), default=0),
        total=Sum("queries", default=0),
    )
    return UsageTotals(today=totals["today"], last_30_days=totals["total"])


def queries_today(provider: Provider) -> int:
    """The provider's queries today (UTC), summed from its (provider, day, queries) index."""
    totals = TokenUsage.objects.filter(provider=provider, day=utc_today()).aggregate(
        total=Sum("queries", default=0)
    )
    return int(totals["total"])


def most_used_tokens_today(provider: Provider, limit: int = MOST_USED_LIMIT) -> list[TokenUsage]:
    """
    The provider's most used tokens today (UTC), most queries first, each with its token: the
    first `limit` entries of today in the (provider, day, -queries) index, so a provider with
    a million tokens in use costs what one with five does. (Over 30 days it would be a sum per
    token of every row in the window.)
    """
    return list(
        TokenUsage.objects.filter(provider=provider, day=utc_today())
        .select_related("token")
        .order_by("-queries", "pk")[:limit]
    )


@dataclass(frozen=True)
class LimitsInForce:
    """A token's limits as its page states them: each its own, or its model's default."""

    limits: Limits
    rate_from_model: bool
    quota_from_model: bool


def limits_in_force(token: Token) -> LimitsInForce:
    """`token`'s limits in force (its model, if any, already loaded with it)."""
    limits = Limits.of(token)
    return LimitsInForce(
        limits=limits,
        rate_from_model=token.rate_limit is None and limits.rate is not None,
        quota_from_model=token.quota is None and limits.quota is not None,
    )
