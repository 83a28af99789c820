"""Every write to AI models goes through here, so the rules live in one place."""

from django.db import IntegrityError, transaction

from console.names import clean_unique_name, duplicate_name
from models_registry.models import MODEL_NAME_MAX_LENGTH, AIModel
from models_registry.selectors import models_for

_UNSET = object()


def clean_model_name(*, owner, name: str, exclude_pk: int | None = None) -> str:
    """A model name the provider may use: trimmed, 1-100 characters, unique ignoring case."""
    return clean_unique_name(
        name,
        siblings=models_for(owner),
        max_length=MODEL_NAME_MAX_LENGTH,
        noun="model",
        exclude_pk=exclude_pk,
    )


def _save(model: AIModel, **kwargs) -> None:
    """Save, turning a lost race on the unique name into the same error the check gives."""
    try:
        with transaction.atomic():
            model.save(**kwargs)
    except IntegrityError:
        raise duplicate_name("model", model.name) from None


def create_model(*, owner, name: str, description: str = "") -> AIModel:
    """Register a new model for `owner`."""
    with transaction.atomic():
        model = AIModel(
            owner=owner,
            name=clean_model_name(owner=owner, name=name),
            description=(description or "").strip(),
        )
        _save(model)
    return model


def update_model(*, model: AIModel, name=_UNSET, description=_UNSET) -> AIModel:
    """Rename a model or change its description."""
    with transaction.atomic():
        if name is not _UNSET:
            model.name = clean_model_name(owner=model.owner, name=name, exclude_pk=model.pk)
        if description is not _UNSET:
            model.description = (description or "").strip()
        _save(model)
        model.tokens.update(model_name=model.name)
    return model


def delete_model(*, model: AIModel) -> None:
    """Delete a model; its tokens stay, unassigned, and can be assigned elsewhere."""
    with transaction.atomic():
        model.tokens.update(model_name="")
        model.delete()
