"""The dashboard's reads: counts that span the provider's models and tokens."""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.utils import timezone

from console.accounts.models import Provider
from console.pagination import Tally, capped_count
from models_registry.selectors import models_for
from tokens.models import TokenStatus, TokenUsage
from tokens.selectors import most_used_tokens_today, queries_today, tokens_for

EXPIRING_SOON_DAYS = 7


def account_summary(provider: Provider) -> dict[str, Tally]:
    """Counts for the dashboard: models, and tokens by what a provider acts on."""
    now = timezone.now()
    tokens = tokens_for(provider)
    return {
        "models": capped_count(models_for(provider)),
        "tokens": capped_count(tokens),
        "active": capped_count(tokens.usable(now)),
        "expiring_soon": capped_count(
            tokens.unexpired(now)
            .filter(expires_at__lte=now + timedelta(days=EXPIRING_SOON_DAYS))
            .exclude(status=TokenStatus.CANCELED)
        ),
        # As the Tokens List's "Unassigned" filter counts them, whatever their state.
        "unassigned": capped_count(tokens.unassigned()),
        # By stored status, as the Tokens List's status filter counts them (and as an index
        # serves them: adding "not expired" made SQLite walk the expiry index instead).
        "suspended": capped_count(tokens.filter(status=TokenStatus.SUSPENDED)),
        "expired": capped_count(tokens.expired(now)),
        "cancelled": capped_count(tokens.filter(status=TokenStatus.CANCELED)),
    }


def summary_filters(today: date | None = None) -> dict[str, str]:
    """The Tokens List's filters (a query string) that list what each summary card counts."""
    today = today or timezone.localdate()
    not_cancelled = [("status", TokenStatus.ACTIVE), ("status", TokenStatus.SUSPENDED)]
    return {
        "active": urlencode({"status": TokenStatus.ACTIVE, "assigned": "yes", "expired": "no"}),
        "expiring_soon": urlencode(
            [
                *not_cancelled,
                ("expired", "no"),
                ("expires_before", today + timedelta(days=EXPIRING_SOON_DAYS + 1)),
            ]
        ),
        "unassigned": urlencode({"assigned": "no"}),
        "suspended": urlencode({"status": TokenStatus.SUSPENDED}),
        "expired": urlencode({"expired": "yes"}),
        "cancelled": urlencode({"status": TokenStatus.CANCELED}),
    }


# The Tokens List's filters that list the tokens "Tokens never used" counts.
NEVER_USED_FILTERS = urlencode(
    {"used": "never", "status": TokenStatus.ACTIVE, "assigned": "yes", "expired": "no"}
)


@dataclass(frozen=True)
class UsageSummary:
    queries_today: int
    most_used_today: list[TokenUsage]
    never_used: Tally  # usable tokens (active, assigned, unexpired) never used yet


def usage_summary(provider: Provider) -> UsageSummary:
    """The dashboard's usage: queries today, the most used tokens today, and the tokens handed
    out (active, assigned and unexpired) that nobody has used yet. Three indexed queries."""
    return UsageSummary(
        queries_today=queries_today(provider),
        most_used_today=most_used_tokens_today(provider),
        never_used=capped_count(tokens_for(provider).usable().filter(last_used_at__isnull=True)),
    )
