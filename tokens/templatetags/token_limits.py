"""How rate limits and quotas read on the pages: "60 a minute · 10,000 per day"."""

from django import template

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
    A token's limits as its checks apply them: its own, else its model's defaults (said so);
    "No limits" when neither sets any.
    """
    model = token.model
    parts = []
    if token.rate_limit is not None:
        parts.append(_rate(token.rate_limit))
    elif model is not None and model.default_rate_limit is not None:
        parts.append(f"{_rate(model.default_rate_limit)} (model default)")
    if token.quota is not None:
        parts.append(_quota(token.quota, token.quota_period))
    elif model is not None and model.default_quota is not None:
        parts.append(f"{_quota(model.default_quota, model.default_quota_period)} (model default)")
    return " · ".join(parts) or "No limits"
