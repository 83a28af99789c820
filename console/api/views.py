"""
The console's pages about the JSON API: License keys (create, revoke), API docs, and the Python
client's download.
"""

from importlib import resources

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from console.accounts.current import can_write
from console.accounts.models import Membership, Role
from console.api import services
from console.api.docs import api_reference
from console.api.errors import error_body
from console.api.forms import LicenseKeyCreateForm
from console.api.models import LicenseKey
from console.api.selectors import license_keys_for
from console.audit.actors import actor_for
from console.errors import NotFound
from console.forms import form_status
from console.responses import (
    HtmxHttpRequest,
    action_done,
    own_or_404,
    render_page_or_partial,
    reveal_once,
)
from console.security.sudo import reauthentication_required


@require_GET
def api_docs(request: HtmxHttpRequest) -> HttpResponse:
    """API docs: how to authenticate, errors, the Python client, and every endpoint."""
    return render(request, "api/api_docs.html", {"reference": api_reference(request)})


# The client holds no secret and changes with the console it comes from: an hour in any cache.
CLIENT_CACHE_SECONDS = 3600


@login_not_required
@csrf_exempt  # it changes nothing; any other method than GET is a JSON 405, as under /api/
def client_download(request: HttpRequest) -> HttpResponse:
    """GET /api/v1/client.py: the Python client, console/client.py, as a file to save."""
    if request.method not in ("GET", "HEAD"):
        message = f'Method "{request.method}" not allowed: GET the client.'
        body = error_body(request, message, "method_not_allowed")
        return JsonResponse(body, status=405, headers={"Allow": "GET, HEAD"})
    source = resources.files("console").joinpath("client.py").read_bytes()
    response = HttpResponse(source, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="client.py"'
    patch_cache_control(response, public=True, max_age=CLIENT_CACHE_SECONDS)
    return response


def may_revoke(membership: Membership, key: LicenseKey) -> bool:
    """Owners revoke any of the provider's keys; Members the keys they created."""
    if membership.allows(Role.OWNER):
        return True
    return membership.allows(Role.MEMBER) and key.created_by_id == membership.user_id


def _license_keys_url() -> str:
    return reverse("license_keys")


@require_GET
def license_keys(request: HtmxHttpRequest) -> HttpResponse:
    """License keys: the provider's keys to the JSON API, with Create and Revoke."""
    return render_page_or_partial(
        request,
        "api/license_keys.html",
        {
            "keys": [
                (key, may_revoke(request.membership, key))
                for key in license_keys_for(request.provider).select_related("created_by")
            ]
        },
        partial="key-table",
        refreshable=("key-table",),
    )


@require_http_methods(["GET", "POST"])
@sensitive_variables("secret", "created")
@can_write
@reauthentication_required
def license_key_create(request: HtmxHttpRequest) -> HttpResponse:
    """Create license key: a name, then the key, shown once."""
    form = LicenseKeyCreateForm(
        request.POST or None, provider=request.provider, created_by=request.user
    )
    if request.method == "POST":
        created = form.create(actor=actor_for(request))
        if created is not None:
            key, secret = created
            return reveal_once(
                request,
                "api/license_key_reveal.html",
                {"key": key, "secret": secret, "back_url": _license_keys_url()},
                changed="licenseKeysChanged",
            )
    return render_page_or_partial(
        request,
        "api/license_key_create.html",
        {"form": form},
        partial="dialog",
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def license_key_revoke(request: HtmxHttpRequest, key_id: str) -> HttpResponse:
    """Revoke, after a confirmation: scripts using the key are refused from then on."""
    key = own_or_404(
        license_keys_for(request.provider), "No such license key among yours.", key_id=key_id
    )
    if not may_revoke(request.membership, key):
        raise PermissionDenied("Members revoke the keys they created; Owners revoke any key.")
    if request.method == "POST":
        try:
            services.revoke_license_key(actor=actor_for(request), key=key)
        except NotFound as gone:
            raise Http404(gone.message) from None
        messages.success(request, f"License key “{key.name}” revoked.")
        return action_done(request, next_url=_license_keys_url(), events=("licenseKeysChanged",))
    return render_page_or_partial(
        request, "api/license_key_revoke.html", {"key": key}, partial="dialog"
    )
