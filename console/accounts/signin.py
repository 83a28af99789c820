"""
Signing in: what a locked-out sign-in is answered (django-axes counts the failures).

Failed sign-ins are counted per username and client address together (`console.request_log.
client_ip`, so behind the trusted proxy setting). After LOGIN_FAILURE_LIMIT of them that pair is
locked for LOGIN_LOCKOUT_MINUTES: every attempt, with the right password too, is refused without
being checked, and restarts the wait. The answer is the same whether the username exists or not.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateformat import format as format_date


def lockout_message(now=None) -> str:
    """When to try again: this attempt restarts the wait, so it ends a full lockout from now."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    until = timezone.localtime(now or timezone.now()) + timedelta(minutes=minutes)
    return (
        f"Too many failed sign-ins for this username from your address. Try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''}, after {format_date(until, 'H:i')}."
    )


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """
    django-axes' AXES_LOCKOUT_CALLABLE: say when to try again, where the password was typed:
    the sign-in page again; or, for a signed-in person confirming it's them, that dialog
    (htmx swaps 429s, see base.html) or a page of its own.
    """
    message = lockout_message()
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        template = "security/locked_out.html"
        if getattr(request, "htmx", False):
            template += "#dialog"
        response = render(request, template, {"lockout": message}, status=429)
    else:
        # Unbound: validating would try to authenticate, which is what the lockout refuses.
        username = request.POST.get("username", "")
        response = render(
            request,
            "registration/login.html",
            {
                "form": AuthenticationForm(request, initial={"username": username}),
                "lockout": message,
                "next": request.POST.get("next", ""),
            },
            status=429,
        )
    response["Retry-After"] = str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    return response
