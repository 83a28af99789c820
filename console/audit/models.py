"""
The record of every change: who acted, from where, on what, and what changed (before → after).

Events are append-only. They are written by `console.audit.services.record`, inside the
transaction of the change they describe, and leave only through the `prune_events` command
(`AUDIT_RETENTION_DAYS`). They hold snapshots (the actor's and the target's names), not foreign
keys to them, so a removed member, a revoked key or a deleted token keeps its record.
"""

from typing import Any, NoReturn, Self

from django.db import models
from django.utils import timezone

from console.identifiers import new_public_id

# Fields whose values are moments: stored as ISO 8601 in UTC, shown in the console's time zone,
# given as Unix seconds by the API.
MOMENT_FIELDS = frozenset({"expires_at"})
# Activity's "Name contains": on SQLite, the FTS5 trigram table mirroring target_name (made by
# migration 0002 with pg_trgm's index on PostgreSQL; see console/text_search.py).
TARGET_NAME_FTS_TABLE = "audit_event_target_name_fts"
APPEND_ONLY = "Events are append-only: nothing changes or deletes one (see prune_events)."


def new_event_id() -> str:
    return new_public_id("evt")


class ActorKind(models.TextChoices):
    """Who acts: a person in the console, a license key, staff in the admin, or the system."""

    USER = "user", "Member"
    LICENSE_KEY = "license_key", "License key"
    STAFF = "staff", "Staff"
    SYSTEM = "system", "System"
    # Not signed in: someone who declines an invitation from its link.
    ANONYMOUS = "anonymous", "Someone with a link"


class Source(models.TextChoices):
    """Where the change came from."""

    CONSOLE = "console", "Console"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    COMMAND = "command", "Command"


class TargetKind(models.TextChoices):
    TOKEN = "token", "Token"
    MODEL = "model", "Model"
    LICENSE_KEY = "license_key", "License key"
    MEMBER = "member", "Member"
    INVITATION = "invitation", "Invitation"
    PROVIDER = "provider", "Provider"


class Action(models.TextChoices):
    """Every kind of change, named `target.verb` (the API and CSV give the value)."""

    TOKEN_CREATED = "token.created", "Token created"
    TOKEN_RENAMED = "token.renamed", "Token renamed"
    TOKEN_NOTE_CHANGED = "token.note_changed", "Token note changed"
    TOKEN_EXPIRATION_CHANGED = "token.expiration_changed", "Token expiration changed"
    TOKEN_SUSPENDED = "token.suspended", "Token suspended"
    TOKEN_ACTIVATED = "token.activated", "Token activated"
    TOKEN_CANCELLED = "token.cancelled", "Token cancelled"
    TOKEN_RENEWED = "token.renewed", "Token renewed"
    TOKEN_ASSIGNED = "token.assigned", "Token assigned"
    TOKEN_UNASSIGNED = "token.unassigned", "Token unassigned"
    TOKEN_DELETED = "token.deleted", "Token deleted"
    TOKEN_LIMITS_CHANGED = "token.limits_changed", "Token limits changed"
    MODEL_CREATED = "model.created", "Model created"
    MODEL_RENAMED = "model.renamed", "Model renamed"
    MODEL_DESCRIPTION_CHANGED = "model.description_changed", "Model description changed"
    MODEL_DELETED = "model.deleted", "Model deleted"
    MODEL_LIMITS_CHANGED = "model.limits_changed", "Model limits changed"
    LICENSE_KEY_CREATED = "license_key.created", "License key created"
    LICENSE_KEY_REVOKED = "license_key.revoked", "License key revoked"
    MEMBER_INVITED = "member.invited", "Member invited"
    MEMBER_JOINED = "member.joined", "Member joined"
    MEMBER_ROLE_CHANGED = "member.role_changed", "Member's role changed"
    MEMBER_REMOVED = "member.removed", "Member removed"
    MEMBER_LEFT = "member.left", "Member left"
    INVITATION_DECLINED = "invitation.declined", "Invitation declined"
    INVITATION_REVOKED = "invitation.revoked", "Invitation revoked"
    PROVIDER_CREATED = "provider.created", "Provider created"
    PROVIDER_SETTINGS_CHANGED = "provider.settings_changed", "Provider settings changed"
    PROVIDER_DEACTIVATED = "provider.deactivated", "Provider deactivated"
    PROVIDER_REACTIVATED = "provider.reactivated", "Provider reactivated"
    PROVIDER_DELETED = "provider.deleted", "Provider deleted"
    ACCOUNT_CREATED = "account.created", "Account created"
    ACCOUNT_DEACTIVATED = "account.deactivated", "Account deactivated"
    ACCOUNT_REACTIVATED = "account.reactivated", "Account reactivated"
    ACCOUNT_SIGNED_IN = "account.signed_in", "Signed in"
    ACCOUNT_SIGN_IN_FAILED = "account.sign_in_failed", "Sign-in failed"
    ACCOUNT_PASSWORD_CHANGED = "account.password_changed", "Password changed"
    ACCOUNT_TWO_FACTOR_ENABLED = "account.two_factor_enabled", "Two-factor sign-in turned on"
    ACCOUNT_TWO_FACTOR_DISABLED = "account.two_factor_disabled", "Two-factor sign-in turned off"
    ACCOUNT_RECOVERY_CODES_REGENERATED = (
        "account.recovery_codes_regenerated",
        "Recovery codes regenerated",
    )


class EventQuerySet(models.QuerySet["Event"]):
    """Events are read, never changed: `update()` and `delete()` refuse (see `prune`)."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError(APPEND_ONLY)

    def delete(self) -> NoReturn:
        raise TypeError(APPEND_ONLY)

    def prune(self) -> int:
        """Delete these events for good: for `prune_events` only, which enforces retention."""
        return self._raw_delete(self.db)

    def newest_first(self) -> Self:
        return self.order_by("-occurred_at", "-pk")


class Event(models.Model):
    """One change: who acted (and how, from where), on what, and each changed field's values."""

    event_id = models.CharField(
        "event ID", max_length=32, unique=True, default=new_event_id, editable=False
    )
    # Kept (set to NULL by the database) when the provider is deleted: its provider.deleted
    # event names it. None also for changes outside any provider (a new account).
    provider = models.ForeignKey(
        "accounts.Provider",
        on_delete=models.DB_SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    occurred_at = models.DateTimeField("when", default=timezone.now)
    actor_kind = models.CharField("actor kind", max_length=16, choices=ActorKind.choices)
    # "user:<id>", "key:<key id>" (as in the request log), or "system" / "anonymous".
    actor_ref = models.CharField("actor reference", max_length=64)
    actor_name = models.CharField("actor", max_length=150)
    source = models.CharField(max_length=16, choices=Source.choices)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    request_id = models.CharField("request ID", max_length=200, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    target_kind = models.CharField("target kind", max_length=16, choices=TargetKind.choices)
    target_id = models.CharField("target ID", max_length=64)
    target_name = models.CharField("target", max_length=255)
    # Another object the change concerns: the model a token was assigned to or taken from,
    # the invitation a member joined by. Lets a model's history show its tokens' comings and goings.
    related_id = models.CharField("related ID", max_length=64, blank=True)
    # {field: [before, after]}: JSON values (datetimes as ISO 8601 in UTC). Never a secret.
    changes = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            # The Activity page, newest first, and each of its filters, walked in that order.
            models.Index(
                fields=["provider", "-occurred_at", "-id"], name="event_provider_time_idx"
            ),
            models.Index(
                fields=["provider", "actor_ref", "-occurred_at", "-id"],
                name="event_provider_actor_idx",
            ),
            models.Index(
                fields=["provider", "action", "-occurred_at", "-id"],
                name="event_provider_action_idx",
            ),
            # A token's or a model's history.
            models.Index(fields=["target_id", "-occurred_at", "-id"], name="event_target_idx"),
            models.Index(
                fields=["related_id", "-occurred_at", "-id"],
                name="event_related_idx",
                condition=~models.Q(related_id=""),
            ),
            # prune_events: the oldest first, whatever the provider.
            models.Index(fields=["occurred_at"], name="event_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(APPEND_ONLY)
