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


_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chromium/", "Chromium"), ("Chrome/", "Chrome"), ("Safari/", "Safari"),
             ("curl/", "curl"), ("python-requests/", "Python requests"),
             ("Python-urllib/", "Python")]  # fmt: skip
_SYSTEMS = [("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]  # fmt: skip


@register.filter
def browser(user_agent: str | None) -> str:
    """'Firefox on Linux' from a User-Agent header; the header itself when it is unfamiliar."""
    agent = user_agent or ""
    name = next((label for marker, label in _BROWSERS if marker in agent), None)
    system = next((label for marker, label in _SYSTEMS if marker in agent), None)
    if name and system:
        return f"{name} on {system}"
    return name or system or (agent[:60] if agent and agent != "<unknown>" else "Unknown")


@register.filter
def capped(count: int) -> str:
    """A count made by CappedCount: "1,234", or "5,000+" past the cap."""
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"
