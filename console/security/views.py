"""
Signing in (the password, then a code when two-factor is on), the Security page, setting up
and turning off two-factor sign-in, recovery codes, and confirming it's you.
"""

import secrets
import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login

from console.accounts.current import provider_not_required
from console.accounts.forms import ConsolePasswordChangeForm
from console.audit.actors import actor_for
from console.audit.models import Action
from console.audit.services import record
from console.errors import DomainError
from console.forms import add_domain_error, form_status
from console.responses import HtmxHttpRequest, render_page_or_partial, safe_next
from console.security import selectors, services
from console.security.forms import AppCodeForm, PasswordAndCodeForm, SecondFactorForm
from console.security.models import RecoveryCodes
from console.security.sudo import (
    mark_reauthenticated,
    open_in_dialog,
    password_confirmed,
    reauthentication_required,
)

PENDING = "sign_in_pending"  # the session's half-done sign-in: who, how, where to, since when
PENDING_SECONDS = 5 * 60
PENDING_TRIES = 5
REGENERATE_ONCE = "recovery_codes_once"


# --- Signing in ---------------------------------------------------------------------------


class SignInView(LoginView):
    """The password; then, for someone with two-factor sign-in on, the code step."""

    def form_valid(self, form):
        user = form.get_user()
        if not services.has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "since": int(time.time()),
            "next": self.get_redirect_url(),
            "tries": 0,
        }
        return redirect("sign_in_code")


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


def _wrong_code(request: HttpRequest, user, pending: dict) -> bool:
    """Count a wrong code (an event for staff); True once there have been too many."""
    pending["tries"] += 1
    request.session[PENDING] = pending
    with transaction.atomic():
        record(
            actor_for(request),
            Action.ACCOUNT_SIGN_IN_FAILED,
            provider=None,
            target=user,
            changes={"second_factor": (None, "wrong code after the right password")},
        )
    return pending["tries"] >= PENDING_TRIES


def _signed_in(request: HttpRequest, user, pending: dict, device) -> HttpResponse:
    """Sign in for real, with the session marked verified by `device`; then where asked."""
    request.session.pop(PENDING, None)
    login(request, user, backend=pending["backend"])
    otp_login(request, device)
    if isinstance(device, RecoveryCodes):
        messages.warning(
            request,
            f"You signed in with a recovery code: {device.remaining} left. Make new ones on "
            "your Security page if you are running low.",
        )
    next_url = pending.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse(settings.LOGIN_REDIRECT_URL)
    return redirect(next_url)


@login_not_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the authenticator app's code, or a recovery code."""
    user, pending = _pending_user(request)
    if user is None or pending is None:
        request.session.pop(PENDING, None)
        messages.info(request, "Sign in again: the code step waits five minutes at most.")
        return redirect("login")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_second_factor(user=user, code=form.cleaned_data["code"])
        except DomainError as error:
            add_domain_error(form, error)
            if _wrong_code(request, user, pending):
                request.session.pop(PENDING, None)
                messages.error(request, "Too many wrong codes: sign in again.")
                return redirect("login")
        else:
            return _signed_in(request, user, pending, device)
    return render(
        request,
        "security/sign_in_code.html",
        {"form": form, "username": user.get_username()},
        status=form_status(form),
    )


# --- The Security page ----------------------------------------------------------------------


@provider_not_required
@require_GET
def security(request: HtmxHttpRequest) -> HttpResponse:
    """Security: two-factor sign-in, recovery codes, recent sign-ins, password changes."""
    user = request.user
    request.session[REGENERATE_ONCE] = secrets.token_urlsafe(16)
    return render(
        request,
        "security/security.html",
        {
            "regenerate_once": request.session[REGENERATE_ONCE],
            "wrong_codes": selectors.wrong_codes(user),
            "authenticator": services.authenticator_of(user),
            "recovery_codes": services.recovery_codes_of(user),
            "sign_ins": selectors.recent_sign_ins(user),
            "failures": selectors.recent_failed_sign_ins(user),
            "password_changes": selectors.password_changes(user),
            "required_by": selectors.providers_requiring_two_factor(user),
            "failure_limit": settings.LOGIN_FAILURE_LIMIT,
            "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
            "section": "security",
        },
    )


def _qr_code(data: str) -> str:
    """A QR code of `data` as an SVG data URI, drawn here (our CSP allows data: images)."""
    return segno.make(data, error="m").svg_data_uri(scale=5, border=2, dark="#101828")


@provider_not_required
@sensitive_post_parameters("code")
@sensitive_variables("codes")
@require_http_methods(["GET", "POST"])
@reauthentication_required
def two_factor_setup(request: HtmxHttpRequest) -> HttpResponse:
    """Turn on two-factor sign-in: scan the QR code (or type the key), enter a first code."""
    if services.has_two_factor(request.user):
        messages.info(request, "Two-factor sign-in is already on.")
        return redirect("security")
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.turn_on_two_factor(
                actor=actor_for(request), user=request.user, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            otp_login(request, services.authenticator_of(request.user))
            mark_reauthenticated(request)
            return _show_recovery_codes(request, codes, first_time=True)
    app = services.pending_authenticator(request.user)
    return render(
        request,
        "security/two_factor_setup.html",
        {"form": form, "qr_code": _qr_code(app.config_url), "key": app.base32_key},
        status=form_status(form),
    )


@sensitive_variables("codes")
def _show_recovery_codes(request: HttpRequest, codes: list[str], *, first_time: bool):
    """The one page that ever shows these codes: never cached, never stored."""
    text = "Token Console recovery codes for {}\n\n{}\n".format(
        request.user.get_username(), "\n".join(codes)
    )
    response = render(
        request,
        "security/recovery_codes.html",
        {"codes": codes, "download": text, "first_time": first_time},
    )
    response["Cache-Control"] = "no-store"
    return response


@provider_not_required
@require_POST
@reauthentication_required
def recovery_codes_regenerate(request: HtmxHttpRequest) -> HttpResponse:
    """New recovery codes: the old ones stop working; the new ones are shown once."""
    # One set per click on the Security page: reloading the codes' page (which resends this
    # post) must not silently replace the codes just shown or downloaded.
    once = request.session.pop(REGENERATE_ONCE, None)
    if not once or request.POST.get("once") != once:
        messages.info(request, "Those recovery codes were made already: these are the ones in use.")
        return redirect("security")
    try:
        codes = services.regenerate_recovery_codes(actor=actor_for(request), user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("security")
    return _show_recovery_codes(request, codes, first_time=False)


@provider_not_required
@sensitive_post_parameters("password", "code")
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HtmxHttpRequest) -> HttpResponse:
    """Turn off two-factor sign-in: the password and a current code, asked here."""
    if not services.has_two_factor(request.user):
        return redirect("security")
    form = PasswordAndCodeForm(request.POST or None, needs_code=True)
    if request.method == "POST" and form.is_valid():
        if not password_confirmed(request, form.cleaned_data["password"]):
            form.add_error("password", "That is not your password.")
        else:
            try:
                services.turn_off_two_factor(
                    actor=actor_for(request), user=request.user, code=form.cleaned_data["code"]
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Two-factor sign-in is off.")
                if request.htmx:  # the page behind the dialog shows it on
                    return HttpResponseClientRedirect(reverse("security"))
                return redirect("security")
    return render_page_or_partial(
        request,
        "security/two_factor_disable.html",
        {"form": form},
        partial="dialog",
        status=form_status(form),
    )


# --- Confirming it's you --------------------------------------------------------------------


@provider_not_required
@sensitive_post_parameters("password", "code")
@require_http_methods(["GET", "POST"])
def confirm_identity(request: HtmxHttpRequest) -> HttpResponse:
    """Sudo mode: the password again (and a code), then on to what asked for it."""
    needs_code = services.has_two_factor(request.user)
    next_url = safe_next(request, reverse("dashboard"))
    form = PasswordAndCodeForm(request.POST or None, needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        if not password_confirmed(request, form.cleaned_data["password"]):
            form.add_error("password", "That is not your password.")
        else:
            try:
                device = (
                    services.verify_second_factor(user=request.user, code=form.cleaned_data["code"])
                    if needs_code
                    else None
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                if device is not None:
                    otp_login(request, device)  # the session is verified, as signing in does
                mark_reauthenticated(request)
                if request.htmx:  # asked inside the dialog: open what asked for it there
                    return open_in_dialog(next_url)
                return redirect(next_url)
    return render_page_or_partial(
        request,
        "security/confirm_identity.html",
        {
            "form": form,
            "next_url": next_url,
            "back_url": _came_from(request),
            "minutes": settings.REAUTHENTICATION_MINUTES,
        },
        partial="dialog",
        status=form_status(form),
    )


def _came_from(request: HttpRequest) -> str:
    """Where Cancel goes: the page the person was on before being asked (never this page)."""
    back = request.POST.get("back") or request.headers.get("Referer") or ""
    here = reverse("confirm_identity")
    if here in back or not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return reverse("dashboard")
    return back


# --- Password ---------------------------------------------------------------------------------


@method_decorator(provider_not_required, name="dispatch")
class ChangePasswordView(PasswordChangeView):
    """Change password, recorded as an event for staff and on the Security page."""

    form_class = ConsolePasswordChangeForm

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            record(
                actor_for(self.request),
                Action.ACCOUNT_PASSWORD_CHANGED,
                provider=None,
                target=form.user,
            )
        return response
