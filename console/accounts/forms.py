"""Forms of the team pages: each hands its input to one service and shows what it refuses."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import User
from django.views.decorators.debug import sensitive_variables

from console.accounts import services
from console.accounts.models import Invitation, Membership, Provider, Role
from console.audit.actors import Actor
from console.errors import DomainError
from console.forms import DialogForm, add_domain_error

PASSWORD_RULES = (
    f"At least {settings.PASSWORD_MIN_LENGTH} characters; not a common password, not only "
    "digits, and not like your username or email."
)


class ConsolePasswordChangeForm(PasswordChangeForm):
    """Change password, with the rules said in one sentence next to the new password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_RULES


class InviteForm(DialogForm):
    """Invite someone: their email and the role they will have."""

    email = forms.EmailField(
        label="Email",
        error_messages={"required": "Enter the email address to invite."},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, provider: Provider, invited_by: User, site_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.invited_by = invited_by
        self.site_url = site_url

    def invite(self, *, actor: Actor) -> tuple[Invitation, str] | None:
        """The invitation and its link token, or None with the errors on the form."""
        if not self.is_valid():
            return None
        try:
            return services.invite(
                actor=actor,
                provider=self.provider,
                email=self.cleaned_data["email"],
                role=self.cleaned_data["role"],
                invited_by=self.invited_by,
                site_url=self.site_url,
            )
        except DomainError as error:
            add_domain_error(self, error)
            return None


class RoleForm(forms.Form):
    """An Owner gives a member another role."""

    role = forms.ChoiceField(label="Role", choices=Role.choices)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership

    def save(self, *, actor: Actor) -> Membership | None:
        if not self.is_valid():
            return None
        try:
            return services.change_role(
                actor=actor, membership=self.membership, role=self.cleaned_data["role"]
            )
        except DomainError as error:
            add_domain_error(self, error)
            return None


class ProviderSettingsForm(forms.Form):
    """Rename the provider and choose its tokens' default and maximum lifetimes."""

    name = forms.CharField(label="Name", error_messages={"required": "Enter the provider's name."})
    default_token_lifetime_days = forms.IntegerField(
        label="Default token lifetime (days)",
        required=False,
        min_value=1,
        help_text=(
            f"Blank: the server's default, {settings.TOKEN_DEFAULT_LIFETIME_DAYS} days. "
            "New and renewed tokens last this long."
        ),
    )
    max_token_lifetime_days = forms.IntegerField(
        label="Maximum token lifetime (days)",
        required=False,
        min_value=1,
        max_value=settings.TOKEN_MAX_LIFETIME_DAYS,
        help_text=(
            f"Blank: the server's maximum, {settings.TOKEN_MAX_LIFETIME_DAYS} days. "
            "No token can be set to expire later than this."
        ),
    )

    require_two_factor = forms.BooleanField(
        label="Require two-factor sign-in for every member",
        required=False,
        help_text=(
            "Members without it are sent to set it up before they can see this provider. "
            "Turn it on for yourself first."
        ),
    )

    def __init__(self, *args, provider: Provider, changed_by: User, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": provider.name,
                "default_token_lifetime_days": provider.default_token_lifetime_days,
                "max_token_lifetime_days": provider.max_token_lifetime_days,
                "require_two_factor": provider.require_two_factor,
            },
        )
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.changed_by = changed_by

    def clean_require_two_factor(self) -> bool:
        required = self.cleaned_data["require_two_factor"]
        if required and not self.provider.require_two_factor:
            from console.security.services import has_two_factor

            if not has_two_factor(self.changed_by):
                raise forms.ValidationError(
                    "Turn on two-factor sign-in for yourself first (Security, in the account "
                    "menu): otherwise this would send you to set it up too."
                )
        return required

    def save(self, *, actor: Actor) -> Provider | None:
        if not self.is_valid():
            return None
        try:
            return services.update_provider_settings(
                actor=actor, provider=self.provider, **self.cleaned_data
            )
        except DomainError as error:
            add_domain_error(self, error)
            return None


class DeleteProviderForm(DialogForm):
    """Delete the provider: its name, typed again, confirms."""

    confirm_name = forms.CharField(
        label="Type the provider's name to confirm",
        error_messages={"required": "Type the provider's name to confirm."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider

    def delete(self, *, actor: Actor) -> bool:
        if not self.is_valid():
            return False
        try:
            services.delete_provider(
                actor=actor, provider=self.provider, confirm_name=self.cleaned_data["confirm_name"]
            )
        except DomainError as error:
            add_domain_error(self, error)
            return False
        return True


class JoinWithNewAccountForm(forms.Form):
    """Someone without an account creates one from an invitation, and joins."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter a username."},
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter a password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_RULES,
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        error_messages={"required": "Enter the password again."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    @sensitive_variables("password")
    def join(self, *, actor: Actor) -> User | None:
        """The new account, now a member of the invitation's provider; or None with errors."""
        if not self.is_valid():
            return None
        password = self.cleaned_data["password1"]
        if password != self.cleaned_data["password2"]:
            self.add_error("password2", "The two passwords differ.")
            return None
        try:
            return services.create_user_and_accept(
                actor=actor,
                invitation=self.invitation,
                username=self.cleaned_data["username"],
                password=password,
            )
        except DomainError as error:
            add_domain_error(self, error, field="password1" if error.field == "password" else None)
            return None
