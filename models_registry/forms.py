from django import forms

from console.audit.actors import Actor
from console.errors import DomainError
from console.forms import DialogForm, add_domain_error
from models_registry import services
from models_registry.models import MODEL_NAME_MAX_LENGTH, AIModel
from tokens.forms import QUOTA_HELP, limit_field, quota_period_field
from tokens.models import QuotaPeriod


class ModelFieldsForm(DialogForm):
    """A model's name (unique among the provider's models) and its description."""

    name = forms.CharField(
        label="Name",
        error_messages={"required": "Enter a name for the model."},
        widget=forms.TextInput(
            attrs={"maxlength": MODEL_NAME_MAX_LENGTH, "autocomplete": "off", "autofocus": True}
        ),
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ModelCreateForm(ModelFieldsForm):
    """Create Model: a name and a description."""

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider

    def create(self, *, actor: Actor) -> AIModel | None:
        if not self.is_valid():
            return None
        try:
            return services.create_model(actor=actor, provider=self.provider, **self.cleaned_data)
        except DomainError as error:
            add_domain_error(self, error)
            return None


class ModelLimitsForm(DialogForm):
    """Limits: the model's default rate limit and quota, for its tokens that set none."""

    default_rate_limit = limit_field(
        "Default rate limit",
        what="rate limit",
        help_text="Queries per minute, for each token without a rate limit of its own. "
        "Empty: no limit.",
    )
    default_quota = limit_field(
        "Default quota",
        what="quota",
        help_text="Queries per day or per month, for each token without a quota of its own. "
        f"{QUOTA_HELP} Empty: no quota.",
    )
    default_quota_period = quota_period_field("Default quota period")

    def __init__(self, *args, model: AIModel, **kwargs):
        initial = {
            "default_rate_limit": model.default_rate_limit,
            "default_quota": model.default_quota,
            "default_quota_period": model.default_quota_period or QuotaPeriod.DAY,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.model = model
        self.fields["default_rate_limit"].widget.attrs["autofocus"] = True

    def save(self, *, actor: Actor) -> AIModel | None:
        """Apply the changed defaults through the service (one event), or show why not."""
        if not self.is_valid():
            return None
        changes = {name: self.cleaned_data[name] for name in self.changed_data}
        try:
            return services.update_model(actor=actor, model=self.model, **changes)
        except DomainError as error:
            add_domain_error(self, error)
            return None


class ModelEditForm(ModelFieldsForm):
    """Edit model: its name and its description."""

    def __init__(self, *args, model: AIModel, **kwargs):
        initial = {"name": model.name, "description": model.description}
        super().__init__(*args, initial=initial, **kwargs)
        self.model = model

    def save(self, *, actor: Actor) -> AIModel | None:
        """Rename or describe the model through the service (an event a change), or say why not."""
        if not self.is_valid():
            return None
        try:
            return services.update_model(actor=actor, model=self.model, **self.cleaned_data)
        except DomainError as error:
            add_domain_error(self, error)
            return None


class ModelDeleteForm(DialogForm):
    """Delete model: the provider types the model's name, so a model is never deleted by a slip."""

    confirm_name = forms.CharField(required=False, strip=False)

    def __init__(self, *args, model: AIModel, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"]
        if typed != self.model.name:
            raise forms.ValidationError("Type the model's name exactly to confirm.")
        return typed

    def delete(self, *, actor: Actor) -> bool:
        if not self.is_valid():
            return False
        try:
            services.delete_model(actor=actor, model=self.model)
        except DomainError as error:
            add_domain_error(self, error)
            return False
        return True


MODEL_SORTS = {
    "name": ("Name, A to Z", ("name", "pk")),
    "-name": ("Name, Z to A", ("-name", "-pk")),
    "-created": ("Newest first", ("-created_at", "-pk")),
    "created": ("Oldest first", ("created_at", "pk")),
    "-tokens": ("Most tokens", ("-tokens_counted", "name", "pk")),
}


class ModelListForm(forms.Form):
    """The Models page's search and sort (GET): a bad value is said next to it and ignored."""

    q = forms.CharField(
        label="Name contains", required=False, max_length=MODEL_NAME_MAX_LENGTH, strip=True
    )
    sort = forms.ChoiceField(
        label="Sort",
        required=False,
        choices=[(key, label) for key, (label, _) in MODEL_SORTS.items()],
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, auto_id="models-%s", **kwargs)

    def apply(self, models):
        """`models` found and ordered as asked (by name when the form says nothing usable)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        text = cleaned.get("q") if "q" not in self.errors else ""
        if text:
            models = models.filter(name__icontains=text)
        sort = cleaned.get("sort") if "sort" not in self.errors else ""
        return models.order_by(*MODEL_SORTS[sort or "name"][1])

    @property
    def searched(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("q"))
