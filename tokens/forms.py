from django import forms
from django.views.decorators.debug import sensitive_variables

from console.errors import DomainError
from console.forms import add_domain_error
from models_registry.selectors import models_for
from tokens import services
from tokens.models import TOKEN_NAME_MAX_LENGTH, Token
from tokens.selectors import tokens_for


class OwnModelChoiceField(forms.ModelChoiceField):
    """A choice among the provider's own models, by public id; anything else is 'unknown'."""

    default_error_messages = {"invalid_choice": "Choose one of your models."}

    def label_from_instance(self, obj):
        return obj.name


class TokenCreateForm(forms.Form):
    """Create Token: a name and, optionally, the model it is linked to."""

    name = forms.CharField(
        label="Name",
        error_messages={"required": "Enter a name for the token."},
        widget=forms.TextInput(
            attrs={"maxlength": TOKEN_NAME_MAX_LENGTH, "autocomplete": "off", "autofocus": True}
        ),
        help_text="For easy identification; end users can see it.",
    )
    model = OwnModelChoiceField(
        label="Model",
        queryset=None,
        required=False,
        to_field_name="model_id",
        empty_label="No model (unassigned)",
        help_text="Leave empty to create an unassigned token.",
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["model"].queryset = models_for(owner)

    @sensitive_variables("secret")
    def create(self) -> tuple[Token, str] | None:
        """Create the token through the service; on a broken rule, show it on the form."""
        if not self.is_valid():
            return None
        try:
            return services.create_token(
                owner=self.owner,
                name=self.cleaned_data["name"],
                model=self.cleaned_data["model"],
            )
        except DomainError as error:
            add_domain_error(self, error)
            return None


class AssignTokenForm(forms.Form):
    """Assign token: the token picked in the type-ahead, by public id."""

    q = forms.CharField(label="Assign token", required=False)
    token_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, owner, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.model = model
        self.conflict = False  # the token was assigned meanwhile: HTTP 409 for the API and htmx

    def assign(self) -> Token | None:
        """Assign the chosen token to the model; on a broken rule, show it on the form."""
        if not self.is_valid():
            return None
        token_id = self.cleaned_data["token_id"]
        token = tokens_for(self.owner).filter(token_id=token_id).first() if token_id else None
        if token is None:
            self.add_error("q", "Choose an unassigned token from the list.")
            return None
        try:
            return services.assign_token(token=token, model=self.model)
        except DomainError as error:
            self.conflict = error.code == "already_assigned"
            self.add_error("q", error.message)
            return None
