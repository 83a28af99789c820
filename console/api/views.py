"""The console's pages about the JSON API: License keys (create, revoke) and API docs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from console.accounts.current import can_write
from console.accounts.models import Membership, Role
from console.api import services
from console.api.docs import api_reference
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
