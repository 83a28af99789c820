"""
Every write to tokens, and the check of a presented secret, go through here.

Pages, the admin and the API call these functions and nothing else, so each rule lives in one
place. A broken rule raises `DomainError` and changes nothing: each function runs in one
transaction and only touches the caller's `token` object once everything has succeeded.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from console.accounts.models import Provider
from console.audit.actors import Actor
from console.audit.models import Action, TargetKind
from console.audit.services import Target, record, record_each
from console.errors import Conflict, DomainError, Gone, Precondition
from console.keys import PresentedDigests
from console.raw_sql import column, table
from console.text import clean_long_text, clean_unique_name, duplicate_name
from models_registry.models import AIModel
from tokens import secrets
from tokens.models import MAX_LIMIT, TOKEN_NAME_MAX_LENGTH, QuotaPeriod, Token, TokenStatus
from tokens.selectors import tokens_for

UNSET: Any = object()
"""Marks an `update_token` argument that was not given (None means 'unassigned' for a model)."""
GONE = "This token no longer exists."


# --- The allowed range of expirations -------------------------------------------------------


def default_expiration(provider: Provider, now: datetime | None = None) -> datetime:
    """Now plus the provider's default lifetime (else TOKEN_DEFAULT_LIFETIME_DAYS, 30 days)."""
    return (now or timezone.now()) + timedelta(days=provider.token_default_days)


def server_default_expiration() -> datetime:
    """Now plus the server's default lifetime (a form's first suggestion, before a provider)."""
    return timezone.now() + timedelta(days=settings.TOKEN_DEFAULT_LIFETIME_DAYS)


def latest_expiration(provider: Provider, now: datetime | None = None) -> datetime:
    """The furthest expiration allowed: now plus the provider's (or the server's) maximum."""
    return (now or timezone.now()) + timedelta(days=provider.token_max_days)


def clean_expiration(expires_at: datetime | None, *, provider: Provider) -> datetime:
    """An expiration inside the allowed range: in the future, at most the maximum lifetime ahead."""
    if expires_at is None:
        raise DomainError("Choose an expiration date.", field="expires_at", code="required")
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    now = timezone.now()
    if expires_at <= now:
        raise DomainError(
            "Choose an expiration in the future.", field="expires_at", code="expiration_past"
        )
    latest = latest_expiration(provider, now)
    if expires_at > latest:
        raise DomainError(
            f"Choose an expiration at most {provider.token_max_days} days from now "
            f"(on or before {latest:%Y-%m-%d}).",
            field="expires_at",
            code="expiration_too_far",
        )
    return expires_at


def clean_token_name(*, provider: Provider, name: str, exclude_pk: int | None = None) -> str:
    """A token name the provider may use: trimmed, 1-100 characters, unique ignoring case."""
    return clean_unique_name(
        name,
        siblings=tokens_for(provider),
        max_length=TOKEN_NAME_MAX_LENGTH,
        noun="token",
        exclude_pk=exclude_pk,
    )


def clean_note(note: str | None) -> str:
    """A provider-only note: trimmed, at most 2,000 characters."""
    return clean_long_text(note, field="note", label="Notes")


@dataclass(frozen=True)
class LimitFields:
    """What the limits are called where they are set: a token's own, or a model's defaults."""

    rate: str = "rate_limit"
    quota: str = "quota"
    period: str = "quota_period"


MODEL_DEFAULTS = LimitFields("default_rate_limit", "default_quota", "default_quota_period")


def _clean_limit(value: Any, field: str, what: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(f"Enter the {what} as a whole number.", field=field, code="invalid")
    if not 1 <= value <= MAX_LIMIT:
        raise DomainError(
            f"Enter a {what} from 1 to {MAX_LIMIT:,}, or leave it empty.",
            field=field,
            code="limit_out_of_range",
        )
    return value


def clean_limits(
    *, rate: Any, quota: Any, period: Any, fields: LimitFields = LimitFields()
) -> dict[str, Any]:
    """
    Limits as stored: each empty (None) or a whole number from 1 to MAX_LIMIT; the quota's
    period, day (the default) or month, only with a quota.
    """
    cleaned_quota = _clean_limit(quota, fields.quota, "quota")
    if period in (None, "") or cleaned_quota is None:
        period = QuotaPeriod.DAY if cleaned_quota is not None else None
    elif period not in QuotaPeriod.values:
        raise DomainError("Choose per day or per month.", field=fields.period, code="invalid")
    return {
        fields.rate: _clean_limit(rate, fields.rate, "rate limit"),
        fields.quota: cleaned_quota,
        fields.period: period,
    }


def _check_model_is_providers(*, provider: Provider, model: AIModel) -> None:
    # Another provider's model is reported exactly like one that does not exist.
    if model.provider_id != provider.pk:
        raise DomainError("Choose one of your models.", field="model", code="unknown_model")


# --- Creating ---------------------------------------------------------------------------------


@sensitive_variables("secret")
def create_token(
    *,
    actor: Actor,
    provider: Provider,
    name: str,
    model: AIModel | None = None,
    note: str = "",
    expires_at: datetime | None = None,
    rate_limit: int | None = None,
    quota: int | None = None,
    quota_period: str | None = None,
) -> tuple[Token, str]:
    """
    Create a token and return it with its secret.

    This is the only time the secret exists outside the end user's hands: show it once, never
    store or log it. `model=None` makes an unassigned token; `expires_at=None` the default
    lifetime; limits left empty take the model's defaults.
    """
    with transaction.atomic():
        name = clean_token_name(provider=provider, name=name)
        limits = clean_limits(rate=rate_limit, quota=quota, period=quota_period)
        if model is not None:
            _check_model_is_providers(provider=provider, model=model)
        expires_at = (
            default_expiration(provider)
            if expires_at is None
            else clean_expiration(expires_at, provider=provider)
        )
        secret = secrets.new_secret()
        token = Token(
            provider=provider,
            name=name,
            model=model,
            model_name=model.name if model else "",
            last_model=model,
            note=clean_note(note),
            expires_at=expires_at,
            digest=secret.digest,
            hint=secret.hint,
            **limits,
        )
        try:
            with transaction.atomic():
                token.save()
        except IntegrityError:
            raise duplicate_name("token", name) from None
        created = {"name": name, "model": token.model_name or None, "note": token.note}
        record(
            actor,
            Action.TOKEN_CREATED,
            provider=provider,
            target=token,
            changes={
                **{field: (None, value) for field, value in created.items() if value},
                **{field: (None, value) for field, value in limits.items() if value},
                "status": (None, token.status),
                "expires_at": (None, expires_at),
            },
            related_id=model.model_id if model else "",
        )
    return token, secret.value


# --- Changing ---------------------------------------------------------------------------------


def _locked(token: Token) -> Token:
    """The token's current row, locked until the transaction ends (on databases that lock)."""
    try:
        return (
            Token.objects.select_for_update(of=("self",))
            .select_related("provider", "model")
            .get(pk=token.pk)
        )
    except Token.DoesNotExist:
        raise Gone(GONE) from None


def _current(token: Token, precondition: Precondition | None) -> Token:
    """The token's locked row, once the caller's `precondition` has accepted it."""
    current = _locked(token)
    if precondition is not None:
        precondition(current)
    return current


def _refreshed(token: Token) -> Token:
    """`token` with its row's values after a change, or Gone if it was deleted meanwhile."""
    try:
        token.refresh_from_db()
    except Token.DoesNotExist:
        raise Gone(GONE) from None
    return token


def _write(current: Token, fields: list[str]) -> None:
    """
    Store `fields` of `current`, or raise Gone when its row was deleted meanwhile.

    An UPDATE that matches no row says so by its count; `save(update_fields=...)` would raise a
    DatabaseError instead. Where rows are not locked (SQLite), a delete can land in between.
    """
    values = {name: getattr(current, name) for name in fields}
    try:
        with transaction.atomic():
            written = Token.objects.filter(pk=current.pk).update(
                **values, updated_at=timezone.now()
            )
    except IntegrityError:
        raise duplicate_name("token", current.name) from None
    if not written:
        raise Gone(GONE)


def _check_status_change(current: Token, status: str) -> TokenStatus:
    if status not in TokenStatus.values:
        raise DomainError(
            "Choose ACTIVE, SUSPENDED or CANCELED.", field="status", code="unknown_status"
        )
    if current.status == TokenStatus.CANCELED and status != TokenStatus.CANCELED:
        raise Conflict(
            "A cancelled token cannot be reactivated or suspended: cancelling is final.",
            field="status",
            code="cancelled_is_final",
        )
    return TokenStatus(status)


def _refuse_if_cancelled(current: Token, what: str, field: str | None = None) -> None:
    if current.status == TokenStatus.CANCELED:
        raise Conflict(f"A cancelled token cannot {what}.", field=field, code="cancelled_is_final")


# What changing each field is called in the token's history; a status by the status it becomes.
_FIELD_ACTIONS = {
    "name": Action.TOKEN_RENAMED,
    "note": Action.TOKEN_NOTE_CHANGED,
    "expires_at": Action.TOKEN_EXPIRATION_CHANGED,
    "rate_limit": Action.TOKEN_LIMITS_CHANGED,
    "quota": Action.TOKEN_LIMITS_CHANGED,
    "quota_period": Action.TOKEN_LIMITS_CHANGED,
}
_LIMITS = ("rate_limit", "quota", "quota_period")
_STATUS_ACTIONS = {
    TokenStatus.ACTIVE: Action.TOKEN_ACTIVATED,
    TokenStatus.SUSPENDED: Action.TOKEN_SUSPENDED,
    TokenStatus.CANCELED: Action.TOKEN_CANCELLED,
}
_EDITABLE = ("name", "note", "expires_at", "status", *_LIMITS)


def _record_limits(actor: Actor, current: Token, changed: list[str], before: dict) -> None:
    """One event for the limits, whichever of them changed."""
    changes = {field: (before[field], getattr(current, field)) for field in changed}
    if changes:
        record(
            actor,
            Action.TOKEN_LIMITS_CHANGED,
            provider=current.provider,
            target=current,
            changes=changes,
        )


def _record_change(actor: Actor, current: Token, field: str, before: Any) -> None:
    after = getattr(current, field)
    action = _STATUS_ACTIONS[after] if field == "status" else _FIELD_ACTIONS[field]
    record(
        actor,
        action,
        provider=current.provider,
        target=current,
        changes={field: (before, after)},
    )


def update_token(
    *,
    actor: Actor,
    token: Token,
    name: str = UNSET,
    note: str = UNSET,
    expires_at: datetime = UNSET,
    status: str = UNSET,
    model: AIModel | None = UNSET,
    rate_limit: int | None = UNSET,
    quota: int | None = UNSET,
    quota_period: str | None = UNSET,
    precondition: Precondition | None = None,
) -> Token:
    """
    Change any of a token's fields at once (the Edit dialog and the API's PATCH).

    `model` may be set only while the token is unassigned (assigning it), or to None (removing
    the assignment), or to the model it has (no change); moving an assigned token to another
    model is refused: remove the assignment first. A cancelled token keeps its name and note
    editable and nothing else. Each field that really changes gets its own event (renamed, note
    changed, suspended...); the limits one. `precondition` checks the token as the change finds
    it, locked, before anything changes.
    """
    with transaction.atomic():
        current = _current(token, precondition)
        before = {field: getattr(current, field) for field in _EDITABLE}
        if name is not UNSET:
            current.name = clean_token_name(
                provider=current.provider, name=name, exclude_pk=current.pk
            )
        if note is not UNSET:
            current.note = clean_note(note)
        if expires_at is not UNSET and expires_at != current.expires_at:
            _refuse_if_cancelled(current, "get a new expiration", field="expires_at")
            current.expires_at = clean_expiration(expires_at, provider=current.provider)
        if status is not UNSET and status != current.status:
            current.status = _check_status_change(current, status)
        if (rate_limit, quota, quota_period) != (UNSET, UNSET, UNSET):
            _refuse_if_cancelled(current, "get new limits", field="rate_limit")
            limits = clean_limits(
                rate=current.rate_limit if rate_limit is UNSET else rate_limit,
                quota=current.quota if quota is UNSET else quota,
                period=current.quota_period if quota_period is UNSET else quota_period,
            )
            for field, value in limits.items():
                setattr(current, field, value)
        changed = [field for field in _EDITABLE if getattr(current, field) != before[field]]
        if changed:
            _write(current, changed)
            for field in changed:
                if field not in _LIMITS:
                    _record_change(actor, current, field, before[field])
            _record_limits(actor, current, [f for f in changed if f in _LIMITS], before)
        if model is not UNSET and model is None and current.model_id is not None:
            _unassign(actor, current)
        elif model is not UNSET and model is not None:
            _assign(actor, current, model)
    return _refreshed(token)


def rename_token(*, actor: Actor, token: Token, name: str) -> Token:
    """Give a token a new name (unique for its provider, ignoring case)."""
    return update_token(actor=actor, token=token, name=name)


def set_note(*, actor: Actor, token: Token, note: str) -> Token:
    """Change the provider-only note; end users never see it."""
    return update_token(actor=actor, token=token, note=note)


def set_expiration(*, actor: Actor, token: Token, expires_at: datetime) -> Token:
    """Move the expiration, inside the allowed range; not for cancelled tokens."""
    return update_token(actor=actor, token=token, expires_at=expires_at)


def suspend_token(*, actor: Actor, token: Token) -> Token:
    """Stop a token from authenticating until it is activated again."""
    return update_token(actor=actor, token=token, status=TokenStatus.SUSPENDED)


def activate_token(*, actor: Actor, token: Token) -> Token:
    """Let a suspended token authenticate again; a cancelled one never comes back."""
    return update_token(actor=actor, token=token, status=TokenStatus.ACTIVE)


def cancel_token(*, actor: Actor, token: Token, precondition: Precondition | None = None) -> Token:
    """Cancel a token for good."""
    return update_token(
        actor=actor, token=token, status=TokenStatus.CANCELED, precondition=precondition
    )


def renew_token(*, actor: Actor, token: Token, precondition: Precondition | None = None) -> Token:
    """Expiration becomes now plus the default lifetime; cancelled tokens cannot be renewed."""
    with transaction.atomic():
        current = _current(token, precondition)
        _refuse_if_cancelled(current, "be renewed")
        before = current.expires_at
        current.expires_at = default_expiration(current.provider)
        _write(current, ["expires_at"])
        record(
            actor,
            Action.TOKEN_RENEWED,
            provider=current.provider,
            target=current,
            changes={"expires_at": (before, current.expires_at)},
        )
    return _refreshed(token)


# --- Assignment -------------------------------------------------------------------------------


def _assign(actor: Actor, current: Token, model: AIModel) -> None:
    """
    Assign the locked token `current` to `model`, and record it. Already assigned to `model`,
    it stays as it is: what was asked is so, and nothing is recorded.
    """
    _check_model_is_providers(provider=current.provider, model=model)
    if current.model_id == model.pk:
        return
    # One conditional UPDATE: of two concurrent assignments of one token, exactly one finds it
    # still unassigned, on every database, with or without row locks.
    assigned = (
        Token.objects.filter(pk=current.pk)
        .assignable()
        .update(
            model=model,
            model_name=model.name,
            last_model=model,
            needs_new_evk=Case(
                When(last_model__isnull=True, then=Value(False)),
                When(last_model=model, then=F("needs_new_evk")),
                default=Value(True),
            ),
            updated_at=timezone.now(),
        )
    )
    if not assigned:
        _refuse_assignment(current, model)
        return
    # The same rule as the UPDATE's, on the row this transaction holds.
    needs_new_evk = current.last_model_id not in (None, model.pk) or (
        current.last_model_id == model.pk and current.needs_new_evk
    )
    changes: dict[str, tuple[Any, Any]] = {"model": (None, model.name)}
    if needs_new_evk != current.needs_new_evk:
        changes["needs_new_evk"] = (current.needs_new_evk, needs_new_evk)
    record(
        actor,
        Action.TOKEN_ASSIGNED,
        provider=current.provider,
        target=current,
        changes=changes,
        related_id=model.model_id,
    )


def _refuse_assignment(token: Token, model: AIModel) -> None:
    """
    Say why the token could not be assigned: deleted, cancelled, or assigned already (to
    another model: assigned to `model` meanwhile, it is as asked and nothing is refused).
    """
    current = Token.objects.select_related("model").filter(pk=token.pk).first()
    if current is None:
        raise Gone(GONE)
    if current.model_id == model.pk:
        return
    _refuse_if_cancelled(current, "be assigned", field="model")
    raise Conflict(
        f"“{current.name}” is already assigned to “{current.model}”. Only unassigned tokens can "
        "be assigned: remove its assignment first.",
        field="model",
        code="already_assigned",
    )


def assign_token(
    *, actor: Actor, token: Token, model: AIModel, precondition: Precondition | None = None
) -> Token:
    """
    Assign an unassigned token to one of its provider's models.

    Only an unassigned, uncancelled token can be assigned; one assigned to `model` already stays
    as it is, without an error (as `update_token` with its own model). When the model differs
    from the one the token last had, `needs_new_evk` is set: the end user must generate a new
    Evaluation Key for the new model.
    """
    with transaction.atomic():
        _assign(actor, _current(token, precondition), model)
    return _refreshed(token)


def _unassign(actor: Actor, current: Token) -> None:
    """Remove the locked token `current`'s assignment, and record it."""
    removed = (
        Token.objects.filter(pk=current.pk)
        .assigned()
        .update(model=None, model_name="", updated_at=timezone.now())
    )
    if not removed:
        if not Token.objects.filter(pk=current.pk).exists():
            raise Gone(GONE)
        raise Conflict("This token is not assigned to a model.", code="not_assigned")
    record(
        actor,
        Action.TOKEN_UNASSIGNED,
        provider=current.provider,
        target=current,
        changes={"model": (current.model_name, None)},
        related_id=current.model.model_id if current.model else "",
    )


def unassign_token(
    *, actor: Actor, token: Token, precondition: Precondition | None = None
) -> Token:
    """Remove a token's assignment: it stays, unassigned, and stops authenticating."""
    with transaction.atomic():
        _unassign(actor, _current(token, precondition))
    return _refreshed(token)


def delete_token(*, actor: Actor, token: Token, precondition: Precondition | None = None) -> None:
    """Delete a token for good; its secret stops working at once. Its history stays."""
    with transaction.atomic():
        current = _current(token, precondition)
        if not Token.objects.filter(pk=current.pk).delete()[0]:
            raise Gone(GONE)
        record(
            actor,
            Action.TOKEN_DELETED,
            provider=current.provider,
            target=current,
            related_id=current.model.model_id if current.model else "",
        )


def set_model_name_on_tokens(*, model: AIModel, name: str) -> None:
    """
    Keep the copy of a model's name on its tokens in step (the Tokens List sorts by it): the
    models' services call this when a model is renamed. Not a change of the tokens' own.
    """
    Token.objects.filter(model=model).update(model_name=name)


def unassign_tokens_of_deleted_model(*, actor: Actor, model: AIModel) -> int:
    """
    A model is being deleted: its tokens stay, unassigned, and each gets its own
    token.unassigned event. Returns how many there were.
    """
    assigned = list(Token.objects.filter(model=model).values_list("token_id", "name"))
    record_each(
        actor,
        Action.TOKEN_UNASSIGNED,
        provider=model.provider,
        targets=(Target(TargetKind.TOKEN, token_id, name) for token_id, name in assigned),
        changes={"model": (model.name, None)},
        related_id=model.model_id,
    )
    Token.objects.filter(model=model).update(model=None, model_name="", updated_at=timezone.now())
    return len(assigned)


# --- Authenticating ---------------------------------------------------------------------------


class AuthFailure(StrEnum):
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    CANCELED = "canceled"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    UNASSIGNED = "unassigned"
    PROVIDER_INACTIVE = "provider_inactive"


@dataclass(frozen=True)
class Authentication:
    """The outcome of presenting a secret: the token when usable, otherwise why not."""

    token: Token | None
    failure: AuthFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def _failure(token: Token) -> AuthFailure | None:
    reason = token.unusable_because()
    return AuthFailure(reason) if reason else None


# The model's limits for its tokens: loaded with the token, for metering.
_MODEL_LIMIT_COLUMNS = ["default_rate_limit", "default_quota", "default_quota_period"]


def _lookup_sql(*, with_provider: bool, digests: PresentedDigests) -> str:
    """
    The check's one query, written once by hand: the ORM would spend about a millisecond
    compiling it on every call, several times the cost of running it (`benchmark_introspection`).
    Identifiers come from the models' metadata, quoted for the database in use.
    """
    token, model, provider = table(Token), table(AIModel), table(Provider)
    model_columns = "".join(
        f", m.{column(AIModel, name)} AS model_{name}" for name in _MODEL_LIMIT_COLUMNS
    )
    select = f"SELECT t.*, m.{column(AIModel, 'model_id')} AS model_public_id{model_columns}"
    joins = f"LEFT JOIN {model} m ON m.{column(AIModel, 'pk')} = t.{column(Token, 'model')}"
    where = f"WHERE {digests.condition('t.' + column(Token, 'digest'))}"
    if with_provider:
        # The license key's provider, already known to be active: no join needed.
        where += f" AND t.{column(Token, 'provider')} = %s"
    else:
        select += f", p.{column(Provider, 'is_active')} AS provider_active"
        joins += f" JOIN {provider} p ON p.{column(Provider, 'pk')} = t.{column(Token, 'provider')}"
    return f"{select} FROM {token} t {joins} {where}"


@sensitive_variables("presented", "digests")
def authenticate(presented: str, *, provider: Provider | None = None) -> Authentication:
    """
    Check a presented secret: one indexed query, a few microseconds of CPU, no write.

    A malformed or mistyped secret is refused before the database is asked. With `provider`, a
    token of another provider counts as unknown. The token comes back with its model's id and
    name loaded (the model's other fields load if asked for). A token found under a fallback
    digest key is re-digested under the current key: one write, the first time only.
    """
    if not secrets.is_well_formed(presented):
        return Authentication(None, AuthFailure.MALFORMED)
    digests = PresentedDigests.of(presented)
    params = digests.params if provider is None else [*digests.params, provider.pk]
    sql = _lookup_sql(with_provider=provider is not None, digests=digests)
    found = list(Token.objects.raw(sql, params))
    if not found or not digests.matches(found[0].digest):
        return Authentication(None, AuthFailure.UNKNOWN)
    token = found[0]
    if digests.is_stale(token.digest):
        # update(), not save(): neither updated_at nor anything else of the token changes.
        Token.objects.filter(pk=token.pk).update(digest=digests.current)
        token.digest = digests.current
    if token.model_id is not None:
        # Values in the model's field order, as from_db expects.
        token.model = AIModel.from_db(
            token._state.db,
            ["id", "model_id", "provider_id", "name", *_MODEL_LIMIT_COLUMNS],
            [
                token.model_id,
                token.model_public_id,
                token.provider_id,
                token.model_name,
                *(getattr(token, f"model_{name}") for name in _MODEL_LIMIT_COLUMNS),
            ],
        )
    # Only looked up without `provider` (an end user's own check): a license key's provider is
    # already known to be active.
    if not getattr(token, "provider_active", True):
        return Authentication(None, AuthFailure.PROVIDER_INACTIVE)
    failure = _failure(token)
    return Authentication(token if failure is None else None, failure)
