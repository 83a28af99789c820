"""Where two-factor sign-in is required: by a provider's Owner, and by the admin (a setting)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect

from console.accounts.current import ProviderRequiresTwoFactor
from console.security.services import has_two_factor
from console.security.sudo import confirm_identity_url

# What someone sent to set up two-factor sign-in may still do: leave, or look elsewhere.
STILL_ALLOWED = {"logout", "switch_provider", "provider_leave"}


class TwoFactorRequiredMiddleware:
    """After CurrentProviderMiddleware and django-otp's OTPMiddleware in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        # Pages open to everyone (health checks) never load the session's user.
        if not getattr(view_func, "login_required", True) or match is None:
            return None
        user = request.user
        if not user.is_authenticated or match.url_name in STILL_ALLOWED:
            return None
        if match.app_name == "admin":
            return self._admin(request)
        needs_provider = getattr(view_func, "provider_required", True)
        provider = request.provider if needs_provider else None
        if provider and provider.require_two_factor and not has_two_factor(user):
            return self._set_up_first(request, provider)
        return None

    def process_exception(self, request, exception):
        """A link into another provider that requires two-factor sign-in (follow())."""
        if isinstance(exception, ProviderRequiresTwoFactor):
            return self._set_up_first(request, exception.provider)
        return None

    def _set_up_first(self, request, provider):
        messages.warning(
            request, f"{provider.name} requires two-factor sign-in: set it up to continue."
        )
        return redirect("two_factor_setup")

    def _admin(self, request):
        """Staff open the admin signed in with a second factor, when ADMIN_REQUIRE_2FA is on."""
        if not settings.ADMIN_REQUIRE_2FA or not request.user.is_staff:
            return None
        if request.user.is_verified():
            return None
        if not has_two_factor(request.user):
            messages.warning(request, "Django admin requires two-factor sign-in: set it up first.")
            return redirect("two_factor_setup")
        return redirect(confirm_identity_url(request.get_full_path()))
