from typing import cast

from django import forms
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from console.accounts.models import Provider
from console.audit.actors import Actor
from console.errors import DomainError
from console.forms import DialogForm, add_domain_error
from models_registry.models import AIModel
from models_registry.selectors import models_for
from tokens import services
from tokens.models import TOKEN_NAME_MAX_LENGTH, QuotaPeriod, Token, TokenStatus
from tokens.selectors import assignable_tokens, tokens_for


class OwnModelChoiceField(forms.ModelChoiceField):
    """A choice among the provider's own models, by public id; anything else is 'unknown'."""

    default_error_messages = {"invalid_choice": "Choose one of your models."}

    def label_from_instance(self, obj):
        return obj.name


# --- Limits: a token's own, or a model's defaults for its tokens ---------------------------

LIMIT_FIELDS = ("rate_limit", "quota", "quota_period")


class LimitInput(forms.TextInput):
    """
    A whole number of queries, typed as text with a number keypad on phones: a number input
    would send "5-" as empty (the model's default) instead of letting the form say it is wrong.
    """

    def __init__(self, attrs: dict | None = None):
        super().__init__(
            {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        )


class LimitField(forms.IntegerField):
    """A whole number, taking "10,000" or "10 000" as people write it."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("_", "").replace(" ", "").replace("\u202f", "")
        return super().to_python(value)

    def widget_attrs(self, widget):
        return {}  # no min/max/step: those belong to number inputs


def limit_field(label: str, *, what: str, help_text: str) -> LimitField:
    """
    An optional limit. Only the number's form is checked here; its range is the services'
    rule (`clean_limits`), whose message the form shows next to the field.
    """
    return LimitField(
        label=label,
        required=False,
        widget=LimitInput(),
        help_text=help_text,
        error_messages={"invalid": f"Enter the {what} as a whole number."},
    )


def quota_period_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=QuotaPeriod.choices,
        required=False,
        initial=QuotaPeriod.DAY,
        error_messages={"invalid_choice": "Choose per day or per month."},
    )


QUOTA_HELP = "Starts over each day at 00:00 UTC, or on the 1st of each month."


def rate_limit_field() -> LimitField:
    return limit_field(
        "Rate limit",
        what="rate limit",
        help_text="Queries per minute. Empty: the model's default, if any.",
    )


def quota_field() -> LimitField:
    return limit_field(
        "Quota",
        what="quota",
        help_text=f"Queries per day or per month. {QUOTA_HELP} Empty: the model's default, if any.",
    )


def limits_section_open(form: forms.BaseForm, names: tuple[str, ...] = LIMIT_FIELDS) -> bool:
    """Show a form's Limits open when it has a limit, typed or stored, or an error there."""
    if any(form[name].errors for name in names):
        return True
    return any(form[name].value() not in (None, "") for name in names[:2])


class TokenCreateForm(DialogForm):
    """Create Token: a name, optionally the model it is linked to, and optionally limits."""

    name = forms.CharField(
        label="Name",
        error_messages={"required": "Enter a name for the token."},
        widget=forms.TextInput(
            attrs={
                "maxlength": TOKEN_NAME_MAX_LENGTH,
                # What console.js says when a paste is longer: the services' own words.
                "data-too-long": "Names can be at most %(limit)s characters",
                "autocomplete": "off",
                "autofocus": True,
            }
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
    rate_limit = rate_limit_field()
    quota = quota_field()
    quota_period = quota_period_field("Quota period")

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        cast(OwnModelChoiceField, self.fields["model"]).queryset = models_for(provider)

    @property
    def limits_open(self) -> bool:
        return limits_section_open(self)

    @sensitive_variables("secret")
    def create(self, *, actor: Actor) -> tuple[Token, str] | None:
        """Create the token through the service; on a broken rule, show it on the form."""
        if not self.is_valid():
            return None
        try:
            return services.create_token(actor=actor, provider=self.provider, **self.cleaned_data)
        except DomainError as error:
            add_domain_error(self, error)
            return None


class AssignTokenForm(forms.Form):
    """Assign token: the token picked in the type-ahead, by public id."""

    q = forms.CharField(label="Assign token", required=False)
    token_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, provider: Provider, model: AIModel, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.model = model

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        token_id = cleaned.get("token_id")
        if token_id:
            token = tokens_for(self.provider).filter(token_id=token_id).first()
        else:
            token = self._named(cleaned.get("q") or "")
        if token is None:
            # One message, next to the field people see, whatever was wrong with the hidden id.
            self.errors.pop("token_id", None)
            raise forms.ValidationError({"q": "Choose an unassigned token from the list."})
        cleaned["token"] = token
        return cleaned

    def _named(self, name: str) -> Token | None:
        """
        Without JavaScript there is no list to choose from: the unassigned token whose name was
        typed in full (any case), when exactly one has it.
        """
        if not name.strip():
            return None
        named = list(assignable_tokens(self.provider).filter(name__iexact=name.strip())[:2])
        if len(named) > 1:
            raise forms.ValidationError(
                {"q": f"Several unassigned tokens are named “{name.strip()}”: rename one first."}
            )
        return named[0] if named else None

    def assign(self, *, actor: Actor) -> Token | None:
        """Assign the chosen token to the model; on a broken rule, show it on the form."""
        if not self.is_valid():
            return None
        try:
            return services.assign_token(
                actor=actor, token=self.cleaned_data["token"], model=self.model
            )
        except DomainError as error:
            add_domain_error(self, error, field="q")
            return None


class ConfirmDeletionForm(forms.Form):
    """Delete: the provider types the token's name, so a token is never deleted by a slip."""

    confirm_name = forms.CharField(required=False, strip=False)

    def __init__(self, *args, token: Token, **kwargs):
        super().__init__(*args, **kwargs)
        self.token = token

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"]
        if typed != self.token.name:
            raise forms.ValidationError("Type the token's name exactly to confirm.")
        return typed


class TypeaheadSearchForm(forms.Form):
    """The type-ahead's text; a form field, so a NUL byte is refused before any query."""

    q = forms.CharField(required=False)


class ExpirationInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def expiration_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
        widget=ExpirationInput(),
        error_messages={
            "required": "Choose an expiration date.",
            "invalid": "Enter a date and time, such as 2026-12-31 23:59.",
        },
    )


def _limits(field: forms.Field, provider: Provider) -> None:
    """Tell the browser's date picker the allowed range (the service still enforces it)."""
    now = timezone.localtime()
    latest = timezone.localtime(services.latest_expiration(provider, now))
    field.widget.attrs["min"] = now.strftime("%Y-%m-%dT%H:%M")
    field.widget.attrs["max"] = latest.strftime("%Y-%m-%dT%H:%M")
    field.help_text = (
        f"Between now and {provider.token_max_days} days from now ({latest:%b %-d, %Y})."
    )


class TokenAddForm(TokenCreateForm):
    """Add Token from the Tokens List: also a note and an expiration (default: 30 days)."""

    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only you see this; end users never do.",
    )
    expires_at = expiration_field("Expiration")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "model"
        ].help_text = (
            "Optional. End users cannot use an unassigned token until it is linked to a model."
        )
        self.fields["expires_at"].initial = timezone.localtime(
            services.default_expiration(self.provider)
        )
        _limits(self.fields["expires_at"], self.provider)


class TokenEditForm(DialogForm):
    """Edit: name, note, expiration date, status, limits, and the model while unassigned."""

    name = TokenCreateForm.base_fields["name"]
    note = TokenAddForm.base_fields["note"]
    expires_at = expiration_field("Expiration date")
    status = forms.ChoiceField(label="Status", choices=TokenStatus.choices)
    # The dialog sends back the model it showed (a hidden "initial-model"), so a token assigned
    # by someone else meanwhile is not taken for one the person chose to change.
    model = OwnModelChoiceField(
        label="Model",
        queryset=None,
        required=False,
        to_field_name="model_id",
        empty_label="No model (unassigned)",
        show_hidden_initial=True,
    )
    rate_limit = rate_limit_field()
    quota = quota_field()
    quota_period = quota_period_field("Quota period")

    def __init__(self, *args, token: Token, **kwargs):
        initial = {
            "name": token.name,
            "note": token.note,
            # To the minute, as the input shows it, so an untouched field counts as unchanged.
            "expires_at": timezone.localtime(token.expires_at).replace(second=0, microsecond=0),
            "status": token.status,
            "model": token.model.model_id if token.model else None,
            "rate_limit": token.rate_limit,
            "quota": token.quota,
            # "per day" is what the select shows without a quota: no change unless one is set.
            "quota_period": token.quota_period or QuotaPeriod.DAY,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.token = token
        self.fields["name"].widget.attrs.pop("autofocus", None)
        cast(OwnModelChoiceField, self.fields["model"]).queryset = models_for(token.provider)
        _limits(self.fields["expires_at"], token.provider)
        if token.is_assigned and not (self.is_bound and "model" in self.data):
            # Only unassigned tokens can be assigned: the dialog offers Remove assignment instead.
            # A dialog opened while the token was unassigned still sends a Model: a choice there
            # goes to the service, which refuses it (assigned meanwhile) next to the field.
            del self.fields["model"]
        if token.status == TokenStatus.CANCELED:
            for name in ["expires_at", "status", *LIMIT_FIELDS]:
                self.fields[name].disabled = True

    @property
    def limits_open(self) -> bool:
        return limits_section_open(self)

    def save(self, *, actor: Actor) -> Token | None:
        """Apply the changed fields at once through the service, or show why not."""
        if not self.is_valid():
            return None
        changes = {name: self.cleaned_data[name] for name in self.changed_data}
        try:
            return services.update_token(actor=actor, token=self.token, **changes)
        except DomainError as error:
            add_domain_error(self, error)
            return None
