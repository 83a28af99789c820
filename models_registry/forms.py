from django import forms

from console.audit.actors import Actor
from console.errors import DomainError
from console.forms import DialogForm, add_domain_error
from models_registry import services
from models_registry.models import MODEL_NAME_MAX_LENGTH, AIModel


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
