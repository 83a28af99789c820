from django import forms

from console.api import services
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

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner

    def create(self):
        """The new key and its secret, or None with the errors on the form."""
        if not self.is_valid():
            return None
        try:
            return services.create_license_key(owner=self.owner, name=self.cleaned_data["name"])
        except DomainError as error:
            add_domain_error(self, error)
            return None
