from django import forms

from console.audit.actors import Actor
from console.errors import DomainError
from console.forms import DialogForm, add_domain_error
from models_registry import services
from models_registry.models import MODEL_NAME_MAX_LENGTH, AIModel
from tokens.forms import QUOTA_HELP, limit_field, quota_period_field
from tokens.models import QuotaPeriod


class ModelCreateForm(DialogForm):
    """Create Model: a name (unique among the provider's models) and a description."""

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
