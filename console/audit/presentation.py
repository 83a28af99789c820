"""How an event reads on a page and in the CSV export: its changes, field by field."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as format_date

from console.accounts.models import Role
from console.audit.models import ActorKind, Event
from tokens.models import QuotaPeriod, TokenStatus

NOTHING = "—"

FIELD_LABELS = {
    "name": "Name",
    "note": "Note",
    "expires_at": "Expiration",
    "status": "Status",
    "model": "Model",
    "needs_new_evk": "New EVK needed",
    "description": "Description",
    "role": "Role",
    "email": "Email",
    "username": "Username",
    "created_by": "Created by",
    "tokens": "Tokens assigned",
    "default_token_lifetime_days": "Default token lifetime",
    "max_token_lifetime_days": "Maximum token lifetime",
    "scope": "Scope",
    "rate_limit": "Rate limit",
    "quota": "Quota",
    "quota_period": "Quota period",
    "default_rate_limit": "Default rate limit",
    "default_quota": "Default quota",
    "default_quota_period": "Default quota period",
}


def _moment(value: str) -> str:
    moment = timezone.localtime(datetime.fromisoformat(value))
    return format_date(moment, "M j, Y, H:i")


def _days(value: int) -> str:
    return f"{value} day{'s' if value != 1 else ''}"


def _per_minute(value: int) -> str:
    return f"{value:,} a minute"


def _queries(value: int) -> str:
    return f"{value:,} queries"


def _choice(labels: dict[str, str]) -> Callable[[str], str]:
    return lambda value: labels.get(value, value)


_FORMATS: dict[str, Callable] = {
    "expires_at": _moment,
    "status": _choice(dict(TokenStatus.choices)),
    "role": _choice(dict(Role.choices)),
    "needs_new_evk": lambda value: "Yes" if value else "No",
    "default_token_lifetime_days": _days,
    "max_token_lifetime_days": _days,
    "rate_limit": _per_minute,
    "default_rate_limit": _per_minute,
    "quota": _queries,
    "default_quota": _queries,
    "quota_period": _choice(dict(QuotaPeriod.choices)),
    "default_quota_period": _choice(dict(QuotaPeriod.choices)),
}
_WHEN_EMPTY = {
    "rate_limit": "the model's default",
    "quota": "the model's default",
    "default_rate_limit": "no limit",
    "default_quota": "no quota",
    "default_token_lifetime_days": "the server's default",
    "max_token_lifetime_days": "the server's maximum",
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the field had no value before (a creation)
    after: str | None  # None: it has none after (a removal)


def _shown(field: str, value) -> str | None:
    if value is None or value == "":
        return _WHEN_EMPTY.get(field)
    try:
        return str(_FORMATS.get(field, str)(value))
    except (TypeError, ValueError):  # a value written by an older version: show it as it is
        return str(value)


def changes_of(event: Event) -> list[Change]:
    """The event's changed fields, labelled and formatted for people."""
    return [
        Change(FIELD_LABELS.get(field, field), _shown(field, before), _shown(field, after))
        for field, (before, after) in event.changes.items()
    ]


def actor_label(event: Event) -> str:
    """Who acted, as a person reads it: "alice", "License key “scripts”", "Staff: root"."""
    if event.actor_kind == ActorKind.LICENSE_KEY:
        return f"License key “{event.actor_name}”"
    if event.actor_kind == ActorKind.STAFF:
        return f"Staff: {event.actor_name}"
    if event.actor_kind == ActorKind.SYSTEM:
        return f"System ({event.actor_name})"
    return event.actor_name
