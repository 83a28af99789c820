"""Every write to AI models goes through here, so the rules live in one place."""

from typing import Any

from django.db import IntegrityError, transaction

from console.accounts.models import Provider
from console.audit.actors import Actor
from console.audit.models import Action
from console.audit.services import record
from console.errors import Gone, Precondition
from console.text import clean_long_text, clean_unique_name, duplicate_name
from models_registry.models import MODEL_NAME_MAX_LENGTH, AIModel
from models_registry.selectors import models_for
from tokens.services import (
    MODEL_DEFAULTS,
    clean_limits,
    set_model_name_on_tokens,
    unassign_tokens_of_deleted_model,
)

_UNSET: Any = object()


def clean_model_name(*, provider: Provider, name: str, exclude_pk: int | None = None) -> str:
    """A model name the provider may use: trimmed, 1-100 characters, unique ignoring case."""
    return clean_unique_name(
        name,
        siblings=models_for(provider),
        max_length=MODEL_NAME_MAX_LENGTH,
        noun="model",
        exclude_pk=exclude_pk,
    )


def clean_description(description: str | None) -> str:
    """A model's description: trimmed, at most 2,000 characters."""
    return clean_long_text(description, field="description", label="Descriptions")


def _save(model: AIModel) -> None:
    """Save, turning a lost race on the unique name into the same error the check gives."""
    try:
        with transaction.atomic():
            model.save()
    except IntegrityError:
        raise duplicate_name("model", model.name) from None


def create_model(
    *,
    actor: Actor,
    provider: Provider,
    name: str,
    description: str = "",
    default_rate_limit: int | None = None,
    default_quota: int | None = None,
    default_quota_period: str | None = None,
) -> AIModel:
    """Register a new model for `provider`, optionally with default limits for its tokens."""
    with transaction.atomic():
        defaults = clean_limits(
            rate=default_rate_limit,
            quota=default_quota,
            period=default_quota_period,
            fields=MODEL_DEFAULTS,
        )
        model = AIModel(
            provider=provider,
            name=clean_model_name(provider=provider, name=name),
            description=clean_description(description),
            **defaults,
        )
        _save(model)
        created = {"name": (None, model.name)}
        if model.description:
            created["description"] = (None, model.description)
        created |= {field: (None, value) for field, value in defaults.items() if value}
        record(actor, Action.MODEL_CREATED, provider=provider, target=model, changes=created)
    return model


def _locked(model: AIModel) -> AIModel:
    try:
        return (
            AIModel.objects.select_for_update(of=("self",))
            .select_related("provider")
            .get(pk=model.pk)
        )
    except AIModel.DoesNotExist:
        raise Gone("This model no longer exists.") from None


_DEFAULTS = ("default_rate_limit", "default_quota", "default_quota_period")


def update_model(
    *,
    actor: Actor,
    model: AIModel,
    name: str = _UNSET,
    description: str = _UNSET,
    default_rate_limit: int | None = _UNSET,
    default_quota: int | None = _UNSET,
    default_quota_period: str | None = _UNSET,
    precondition: Precondition | None = None,
) -> AIModel:
    """
    Rename a model, change its description, or its default limits (for its tokens that set
    none of their own, from their next check); its tokens show the new name. `precondition`
    checks the model as the change finds it, locked, before anything changes.
    """
    with transaction.atomic():
        current = _locked(model)
        if precondition is not None:
            precondition(current)
        stored_name, stored_description = current.name, current.description
        stored_defaults = {field: getattr(current, field) for field in _DEFAULTS}
        if (default_rate_limit, default_quota, default_quota_period) != (_UNSET,) * 3:
            defaults = clean_limits(
                rate=stored_defaults["default_rate_limit"]
                if default_rate_limit is _UNSET
                else default_rate_limit,
                quota=stored_defaults["default_quota"]
                if default_quota is _UNSET
                else default_quota,
                period=stored_defaults["default_quota_period"]
                if default_quota_period is _UNSET
                else default_quota_period,
                fields=MODEL_DEFAULTS,
            )
            for field, value in defaults.items():
                setattr(current, field, value)
        changed_defaults = {
            field: (stored_defaults[field], getattr(current, field))
            for field in _DEFAULTS
            if getattr(current, field) != stored_defaults[field]
        }
        if changed_defaults:
            AIModel.objects.filter(pk=current.pk).update(
                **{field: after for field, (_, after) in changed_defaults.items()}
            )
            record(
                actor,
                Action.MODEL_LIMITS_CHANGED,
                provider=current.provider,
                target=current,
                changes=changed_defaults,
            )
        if name is not _UNSET:
            current.name = clean_model_name(
                provider=current.provider, name=name, exclude_pk=current.pk
            )
        if description is not _UNSET:
            current.description = clean_description(description)
        if (current.name, current.description) == (stored_name, stored_description):
            return current
        _save(current)
        if current.name != stored_name:
            set_model_name_on_tokens(model=current, name=current.name)
            record(
                actor,
                Action.MODEL_RENAMED,
                provider=current.provider,
                target=current,
                changes={"name": (stored_name, current.name)},
            )
        if current.description != stored_description:
            record(
                actor,
                Action.MODEL_DESCRIPTION_CHANGED,
                provider=current.provider,
                target=current,
                changes={"description": (stored_description, current.description)},
            )
    return current


def delete_model(*, actor: Actor, model: AIModel) -> None:
    """Delete a model; its tokens stay, unassigned, and can be assigned elsewhere."""
    with transaction.atomic():
        current = _locked(model)
        unassigned = unassign_tokens_of_deleted_model(actor=actor, model=current)
        current.delete()
        record(
            actor,
            Action.MODEL_DELETED,
            provider=current.provider,
            target=current,
            changes={"tokens": (unassigned, 0)} if unassigned else None,
        )
