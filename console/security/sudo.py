"""
Re-authentication for dangerous actions ("sudo mode", as healthchecks calls it): creating a
license key, inviting, changing roles, removing a member, saving provider settings, deleting a
provider, setting up two-factor and new recovery codes ask for the password again (and a code
when two-factor is on) unless the person did so in the last REAUTHENTICATION_MINUTES (10).
Signing in counts as doing so; turning two-factor off asks for both itself.
"""

import json
import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables
from django_htmx.http import HttpResponseClientRedirect

SESSION_KEY = "reauthenticated_at"


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = int(time.time())


def recently_reauthenticated(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    return isinstance(at, int) and time.time() - at < settings.REAUTHENTICATION_MINUTES * 60


@sensitive_variables("password")
def password_confirmed(request: HttpRequest, password: str) -> bool:
    """
    Whether `password` is the signed-in person's, checked as signing in is: through
    django-axes, so guesses here count towards the same lockout as on the sign-in page.
    """
    user = authenticate(request, username=request.user.get_username(), password=password)
    return user is not None and user.pk == request.user.pk


def confirm_identity_url(next_url: str) -> str:
    return reverse("confirm_identity") + "?" + urlencode({"next": next_url})


def open_in_dialog(url: str) -> HttpResponse:
    """htmx: load `url` into the console's dialog, leaving the address bar and history alone."""
    response = HttpResponse()
    response["HX-Location"] = json.dumps(
        {"path": url, "target": "#modal-content", "swap": "innerHTML", "push": "false"}
    )
    return response


def ask_to_confirm(request: HttpRequest) -> HttpResponse:
    """
    Send the person to confirm it's them. A dialog asks inside the dialog, then opens; a page
    asks on its own page; a form post is not carried out: confirm, then do it again.
    """
    if request.method == "GET":
        url = confirm_identity_url(request.get_full_path())
        return open_in_dialog(url) if getattr(request, "htmx", False) else redirect(url)
    back = request.POST.get("next") or request.headers.get("Referer") or reverse("dashboard")
    messages.info(request, "Confirm it's you, then do it again.")
    url = confirm_identity_url(back)
    return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)


def reauthentication_required(view: Callable) -> Callable:
    """The view goes ahead only for someone who confirmed it's them in the last minutes."""

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if recently_reauthenticated(request):
            return view(request, *args, **kwargs)
        return ask_to_confirm(request)

    return checked
