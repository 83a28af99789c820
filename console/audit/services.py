"""
Writing events: one per change, in the change's own transaction; and pruning old ones.

Every write service calls `record` after its change has succeeded and before its transaction
ends: if the change fails, no event is written; if the event cannot be written, the change is
rolled back with it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from console.accounts.models import Provider
from console.audit.actors import Actor
from console.audit.models import Action, Event, TargetKind

# What each kind of object is called in an event: its kind, its public id, its name.
_TARGETS: dict[str, tuple[TargetKind, str, str]] = {
    "tokens.Token": (TargetKind.TOKEN, "token_id", "name"),
    "models_registry.AIModel": (TargetKind.MODEL, "model_id", "name"),
    "api.LicenseKey": (TargetKind.LICENSE_KEY, "key_id", "name"),
    "accounts.Provider": (TargetKind.PROVIDER, "provider_id", "name"),
    "accounts.Invitation": (TargetKind.INVITATION, "invitation_id", "email"),
}
BULK_BATCH = 1_000


@dataclass(frozen=True)
class Target:
    """What a change was made to, as the event keeps it: a snapshot, not a reference."""

    kind: TargetKind
    id: str
    name: str

    @classmethod
    def of(cls, obj: Model) -> "Target":
        """The target for a token, model, license key, provider, invitation or person."""
        label = obj._meta.label
        if label in _TARGETS:
            kind, id_field, name_field = _TARGETS[label]
            return cls(kind, getattr(obj, id_field), str(getattr(obj, name_field)))
        # A person (the user model): as the request log names them.
        return cls(TargetKind.MEMBER, f"user:{obj.pk}", str(obj))


Changes = Mapping[str, tuple[Any, Any]]


def _json_value(value: Any) -> Any:
    """A value as the event stores it: datetimes in ISO 8601 UTC, objects by their name."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _event(
    actor: Actor,
    action: Action,
    *,
    provider: Provider | None,
    target: Target,
    changes: Changes,
    related_id: str,
    now: datetime,
) -> Event:
    return Event(
        provider=provider,
        occurred_at=now,
        actor_kind=actor.kind,
        actor_ref=actor.ref,
        actor_name=actor.name[:150],
        source=actor.source,
        ip=actor.ip,
        request_id=actor.request_id,
        action=action,
        target_kind=target.kind,
        target_id=target.id,
        target_name=target.name[:255],
        related_id=related_id,
        changes={
            field: [_json_value(before), _json_value(after)]
            for field, (before, after) in changes.items()
        },
    )


def _refuse_outside_a_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(
            "Record an event inside the change's transaction (transaction.atomic), so that the "
            "change and its event are written together or not at all."
        )


def record(
    actor: Actor,
    action: Action,
    *,
    provider: Provider | None,
    target: Model | Target,
    changes: Changes | None = None,
    related_id: str = "",
) -> Event:
    """
    Write the event of one change, inside that change's transaction.

    `changes` maps each changed field to its (before, after) values; never pass a secret or a
    digest. `related_id` names another object the change concerns (a token's model).
    """
    _refuse_outside_a_transaction()
    event = _event(
        actor,
        action,
        provider=provider,
        target=target if isinstance(target, Target) else Target.of(target),
        changes=changes or {},
        related_id=related_id,
        now=timezone.now(),
    )
    event.save(force_insert=True)
    return event


def record_each(
    actor: Actor,
    action: Action,
    *,
    provider: Provider | None,
    targets: Iterable[Target],
    changes: Changes | None = None,
    related_id: str = "",
) -> int:
    """The same change made to many objects at once: one event each, written in batches."""
    _refuse_outside_a_transaction()
    now, written, batch = timezone.now(), 0, []
    for target in targets:
        batch.append(
            _event(
                actor,
                action,
                provider=provider,
                target=target,
                changes=changes or {},
                related_id=related_id,
                now=now,
            )
        )
        if len(batch) == BULK_BATCH:
            written += len(Event.objects.bulk_create(batch))
            batch = []
    if batch:
        written += len(Event.objects.bulk_create(batch))
    return written


def prune_events(*, older_than_days: int, batch_size: int = 10_000) -> int:
    """
    Delete events that occurred more than `older_than_days` ago, oldest first, in batches (each
    its own short transaction, so writers are never held up for long). The only way events go.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                Event.objects.filter(occurred_at__lt=cutoff)
                .order_by("occurred_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not batch:
                return deleted
            deleted += Event.objects.filter(pk__in=batch).prune()
