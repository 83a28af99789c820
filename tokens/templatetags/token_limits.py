"""How rate limits and quotas read on the pages: "60 a minute · 10,000 per day"."""

from django import template

from tokens import selectors
from tokens.models import QuotaPeriod, Token

register = template.Library()


def _rate(rate: int) -> str:
    return f"{rate:,} a minute"


def _quota(quota: int, period: str | None) -> str:
    return f"{quota:,} {QuotaPeriod(period or QuotaPeriod.DAY).label}"


@register.simple_tag
def limits_text(rate: int | None, quota: int | None, period: str | None) -> str:
    """The limits set, joined by a middle dot; empty when neither is."""
    parts = []
    if rate is not None:
        parts.append(_rate(rate))
    if quota is not None:
        parts.append(_quota(quota, period))
    return " · ".join(parts)


@register.simple_tag
def limits_in_force(token: Token) -> str:
    """
    A token's limits as its checks apply them (`tokens.usage.Limits.of`): its own, else its
    model's defaults (said so); "No limits" when neither sets any.
    """
    in_force = selectors.limits_in_force(token)
    limits, parts = in_force.limits, []
    if limits.rate is not None:
        default = " (model default)" if in_force.rate_from_model else ""
        parts.append(f"{_rate(limits.rate)}{default}")
    if limits.quota is not None:
        default = " (model default)" if in_force.quota_from_model else ""
        parts.append(f"{_quota(limits.quota, limits.period)}{default}")
    return " · ".join(parts) or "No limits"
