from django import forms
from django.contrib.auth.models import User

from console.accounts.models import Provider
from console.api import services
from console.audit.actors import Actor
from console.errors import DomainError
from console.forms import DialogForm, add_domain_error


class LicenseKeyCreateForm(DialogForm):
    """Create license key: a name to recognise it by (unique among the provider's keys)."""

    name = forms.CharField(
        label="Name",
        help_text="Where the key is used, for example “Query gateway (prod)”.",
        error_messages={"required": "Enter a name for the license key."},
        widget=forms.TextInput(attrs={"maxlength": 100, "autocomplete": "off", "autofocus": True}),
    )

    def __init__(self, *args, provider: Provider, created_by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.created_by = created_by

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
            )
        except DomainError as error:
            add_domain_error(self, error)
            return None
