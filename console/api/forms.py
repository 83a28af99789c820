from django import forms
from django.contrib.auth.models import User
from django.forms.boundfield import BoundWidget

from console.accounts.models import Provider
from console.api import services
from console.api.models import KeyScope
from console.audit.actors import Actor
from console.errors import DomainError
from console.forms import DialogForm, add_domain_error

# What each scope lets a key do, shown under its choice.
SCOPE_HELP = {
    KeyScope.GATEWAY: "Introspection only: give this to your query gateway.",
    KeyScope.MANAGEMENT: "Everything your role allows: for your scripts.",
}


class LicenseKeyCreateForm(DialogForm):
    """
    Create license key: a name to recognise it by (unique among the provider's keys), and its
    scope, Management unless the key is for a gateway.
    """

    name = forms.CharField(
        label="Name",
        help_text="Where the key is used, for example “Query gateway (prod)”.",
        error_messages={"required": "Enter a name for the license key."},
        widget=forms.TextInput(attrs={"maxlength": 100, "autocomplete": "off", "autofocus": True}),
    )
    scope = forms.ChoiceField(
        label="Scope",
        # Gateway first: the narrower key, for the one place a key is used on every query.
        choices=[(scope, scope.label) for scope in (KeyScope.GATEWAY, KeyScope.MANAGEMENT)],
        initial=KeyScope.MANAGEMENT,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the key may do.",
            "invalid_choice": "Choose Gateway or Management.",
        },
    )

    def __init__(self, *args, provider: Provider, created_by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.created_by = created_by

    def scope_options(self) -> list[tuple[BoundWidget, str]]:
        """Each scope's radio button with what it lets a key do."""
        return [(radio, SCOPE_HELP[radio.data["value"]]) for radio in self["scope"]]

    def create(self, *, actor: Actor):
        """The new key and its secret, or None with the errors on the form."""
        if not self.is_valid():
            return None
        try:
            return services.create_license_key(
                actor=actor,
                provider=self.provider,
                created_by=self.created_by,
                name=self.cleaned_data["name"],
                scope=self.cleaned_data["scope"],
            )
        except DomainError as error:
            add_domain_error(self, error)
            return None
