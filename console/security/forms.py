"""The forms of signing in with a second factor, setting it up, and confirming it's you."""

from django import forms

from console.forms import DialogForm

CODE_ATTRS = {
    "autocomplete": "one-time-code",
    "autofocus": True,
    "spellcheck": "false",
    "autocapitalize": "off",
}
# Recovery codes have letters: a phone's full keyboard wherever they are accepted, its number
# pad only where just the app's 6 digits are.
CODE_WIDGET = forms.TextInput(attrs=CODE_ATTRS)
DIGITS_WIDGET = forms.TextInput(attrs={**CODE_ATTRS, "inputmode": "numeric"})


class SecondFactorForm(forms.Form):
    """The code step of signing in: an app's code or a recovery code."""

    code = forms.CharField(
        label="Authentication code",
        max_length=32,
        strip=True,
        error_messages={"required": "Enter the code from your authenticator app."},
        widget=CODE_WIDGET,
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
    )


class AppCodeForm(forms.Form):
    """Set-up's check that the app has the key: its first code."""

    code = forms.CharField(
        label="Code from your app",
        max_length=16,
        error_messages={"required": "Enter the 6-digit code your app shows."},
        widget=DIGITS_WIDGET,
    )


class PasswordAndCodeForm(DialogForm):
    """Confirm it's you (or turn two-factor off): the password, and a code when it is on."""

    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = SecondFactorForm.base_fields["code"]

    def __init__(self, *args, needs_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["code"]
        else:
            self.fields["code"].widget.attrs.pop("autofocus", None)
