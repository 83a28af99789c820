"""Small presentation filters shared by every page."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from console.pagination import COUNT_CAP

register = template.Library()


@register.filter
def relative(value: datetime | None) -> str:
    """'in 3 days' or '2 days ago', to the largest unit; 'just now' within a minute."""
    if value is None:
        return ""
    now = timezone.now()
    if abs((value - now).total_seconds()) < 60:
        return "just now"
    if value > now:
        return f"in {timeuntil(value, now, depth=1)}"
    return f"{timesince(value, now, depth=1)} ago"


@register.filter
def capped(count: int) -> str:
    """A count made by CappedCount: "1,234", or "5,000+" past the cap."""
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"
