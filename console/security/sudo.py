"""
Re-authentication for dangerous actions ("sudo mode", as healthchecks calls it): creating a
license key, changing roles, removing a member, deleting a provider, turning two-factor off and
new recovery codes ask for the password again (and a code when two-factor is on) unless the
person did so in the last REAUTHENTICATION_MINUTES (10). Signing in counts as doing so.
"""

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
from django_htmx.http import HttpResponseLocation

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


def reauthentication_required(view: Callable) -> Callable:
    """
    Ask for the password (and a code) first, unless given in the last few minutes. A dialog
    asks inside the dialog, then opens again; a plain form post is sent to confirm and then
    back to the page it came from, to do it again.
    """

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if recently_reauthenticated(request):
            return view(request, *args, **kwargs)
        if request.method == "GET":
            url = confirm_identity_url(request.get_full_path())
            if getattr(request, "htmx", False):
                return HttpResponseLocation(url, target="#modal-content", swap="innerHTML")
            return redirect(url)
        back = request.POST.get("next") or request.headers.get("Referer") or reverse("dashboard")
        messages.info(request, "Confirm it's you, then do it again.")
        if getattr(request, "htmx", False):
            return HttpResponseLocation(confirm_identity_url(back))
        return redirect(confirm_identity_url(back))

    return checked
