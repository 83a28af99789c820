"""Team pages: Members (roles, removal, invitations), the invitation link, Leave, Settings."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from console.accounts import selectors, services
from console.accounts.current import owners_only, provider_not_required, switch_provider
from console.accounts.forms import (
    DeleteProviderForm,
    InviteForm,
    JoinWithNewAccountForm,
    ProviderSettingsForm,
    RoleForm,
)
from console.accounts.models import Invitation, Membership, Role
from console.audit.actors import actor_for
from console.errors import DomainError
from console.forms import form_status
from console.responses import HtmxHttpRequest, action_done, own_or_404, render_page_or_partial
from console.security.sudo import (
    ask_to_confirm,
    reauthentication_required,
    recently_reauthenticated,
)

MEMBERS_CHANGED = ("membersChanged",)


def _members_url() -> str:
    return reverse("members")


def _membership_or_404(request: HtmxHttpRequest, membership_id: int) -> Membership:
    return own_or_404(
        selectors.members_of(request.provider),
        "No such member in this provider.",
        pk=str(membership_id),
    )


@require_GET
def members(request: HtmxHttpRequest) -> HttpResponse:
    """Members: who belongs to the provider, in which role; Owners manage them and invite."""
    is_owner = request.membership.allows(Role.OWNER)
    return render_page_or_partial(
        request,
        "accounts/members.html",
        {
            "members": [
                (member, RoleForm(membership=member, initial={"role": member.role}))
                for member in selectors.members_of(request.provider)
            ],
            "invitations": selectors.pending_invitations_for(request.provider) if is_owner else [],
            "roles": Role.choices,
        },
        partial="member-table",
        refreshable=("member-table",),
    )


@require_POST
@owners_only
@reauthentication_required
def member_role(request: HtmxHttpRequest, membership_id: int) -> HttpResponse:
    """Save a member's new role (the last Owner keeps theirs); a plain post, so the page
    reloads with the message saying what happened."""
    member = _membership_or_404(request, membership_id)
    form = RoleForm(request.POST, membership=member)
    changed = form.save(actor=actor_for(request))
    if changed is not None:
        messages.success(
            request, f"{member.user.get_username()} is now {changed.get_role_display()}."
        )
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("role") or []))
    return action_done(request, next_url=_members_url(), events=MEMBERS_CHANGED)


@require_http_methods(["GET", "POST"])
@owners_only
@reauthentication_required
def member_remove(request: HtmxHttpRequest, membership_id: int) -> HttpResponse:
    """Remove a member, after a confirmation naming them."""
    member = _membership_or_404(request, membership_id)
    error = None
    if request.method == "POST":
        try:
            services.remove_member(actor=actor_for(request), membership=member)
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(request, f"{member.user.get_username()} was removed.")
            return action_done(request, next_url=_members_url(), events=MEMBERS_CHANGED)
    return render_page_or_partial(
        request,
        "accounts/member_remove.html",
        {"member": member, "error": error},
        partial="dialog",
        status=error.status if error else 200,
    )


@require_http_methods(["GET", "POST"])
@owners_only
@reauthentication_required
def member_invite(request: HtmxHttpRequest) -> HttpResponse:
    """Invite someone by email; the link is emailed and shown here to copy."""
    form = InviteForm(
        request.POST or None,
        provider=request.provider,
        invited_by=request.user,
        site_url=request.build_absolute_uri("/").rstrip("/"),
    )
    if request.method == "POST":
        created = form.invite(actor=actor_for(request))
        if created is not None:
            invitation, token = created
            link = request.build_absolute_uri(reverse("invitation", args=[token]))
            response = render_page_or_partial(
                request,
                "accounts/invitation_sent.html",
                {"invitation": invitation, "link": link},
                partial="dialog",
            )
            response["Cache-Control"] = "no-store"
            return trigger_client_event(response, MEMBERS_CHANGED[0])
    return render_page_or_partial(
        request,
        "accounts/member_invite.html",
        {"form": form, "max_age_days": settings.INVITATION_MAX_AGE_DAYS},
        partial="dialog",
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@owners_only
def invitation_revoke(request: HtmxHttpRequest, invitation_id: str) -> HttpResponse:
    """Withdraw a pending invitation, after a confirmation: its link stops working."""
    invitation: Invitation = own_or_404(
        selectors.pending_invitations_for(request.provider),
        "No such pending invitation.",
        invitation_id=invitation_id,
    )
    if request.method == "POST":
        services.revoke_invitation(actor=actor_for(request), invitation=invitation)
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
        return action_done(request, next_url=_members_url(), events=MEMBERS_CHANGED)
    return render_page_or_partial(
        request, "accounts/invitation_revoke.html", {"invitation": invitation}, partial="dialog"
    )


@require_http_methods(["GET", "POST"])
def provider_leave(request: HtmxHttpRequest) -> HttpResponse:
    """Leave the provider, after a confirmation; the last Owner is told why not."""
    error = None
    if request.method == "POST":
        try:
            services.leave_provider(actor=actor_for(request), membership=request.membership)
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(request, f"You left {request.provider.name}.")
            return redirect("dashboard")
    return render(
        request,
        "accounts/provider_leave.html",
        {"error": error},
        status=error.status if error else 200,
    )


@require_http_methods(["GET", "POST"])
@owners_only
def provider_settings(request: HtmxHttpRequest) -> HttpResponse:
    """Provider settings: its name, its tokens' lifetimes and sign-in rule; Delete provider."""
    if request.method == "POST" and not recently_reauthenticated(request):
        return ask_to_confirm(request)  # it can lift the two-factor rule
    form = ProviderSettingsForm(
        request.POST or None, provider=request.provider, changed_by=request.user
    )
    if request.method == "POST" and form.save(actor=actor_for(request)) is not None:
        messages.success(request, "Provider settings saved.")
        return redirect("provider_settings")
    return render(
        request,
        "accounts/provider_settings.html",
        {"form": form},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@owners_only
@reauthentication_required
def provider_delete(request: HtmxHttpRequest) -> HttpResponse:
    """Delete provider: counts what goes with it; its name, typed, confirms."""
    provider = request.provider
    form = DeleteProviderForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.delete(actor=actor_for(request)):
        messages.success(request, f"{provider.name} and everything it owned were deleted.")
        if request.htmx:  # the page behind the dialog shows a provider that is gone
            return HttpResponseClientRedirect(reverse("dashboard"))
        return redirect("dashboard")
    return render_page_or_partial(
        request,
        "accounts/provider_delete.html",
        {"form": form, "counts": selectors.provider_deletion_counts(provider)},
        partial="dialog",
        status=form_status(form),
    )


# --- The invitation link -------------------------------------------------------------------


def _closed_invitation(request: HtmxHttpRequest, error: DomainError) -> HttpResponse:
    # Tampered: no such link (404). Expired, withdrawn, used, declined: it was real (410 Gone).
    status = 404 if error.code == "tampered" else 410
    return render(request, "accounts/invitation_closed.html", {"error": error}, status=status)


def _joined(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    switch_provider(request, membership)
    messages.success(
        request,
        f"Welcome to {membership.provider.name}: you joined as {membership.get_role_display()}.",
    )
    return redirect("dashboard")


@login_not_required
@provider_not_required
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """
    The invitation link: Accept or Decline when signed in; otherwise create an account and
    join, or sign in and come back. A link that no longer works says why and changes nothing.
    """
    try:
        found = services.invitation_from_link(token)
    except DomainError as closed:
        return _closed_invitation(request, closed)
    signed_in = request.user.is_authenticated
    form = JoinWithNewAccountForm(
        request.POST if request.POST.get("action") == "create" else None, invitation=found
    )
    error = None
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "accept" and signed_in:
                membership = services.accept_invitation(
                    actor=actor_for(request), invitation=found, user=request.user
                )
                return _joined(request, membership)
            if action == "decline":
                services.decline_invitation(actor=actor_for(request), invitation=found)
                messages.info(request, f"You declined the invitation to {found.provider.name}.")
                return redirect("dashboard" if signed_in else "login")
            if action == "create" and not signed_in:
                user = form.join(actor=actor_for(request))
                if user is not None:
                    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[-1])
                    membership = Membership.objects.select_related("provider").get(
                        provider=found.provider, user=user
                    )
                    return _joined(request, membership)
        except DomainError as refusal:
            if refusal.code in {"revoked", "accepted", "declined", "expired", "deleted"}:
                return _closed_invitation(request, refusal)
            error = refusal
    email_differs = signed_in and request.user.email.lower() != found.email.lower()
    return render(
        request,
        "accounts/invitation.html",
        {"invitation": found, "form": form, "error": error, "email_differs": email_differs},
        status=error.status if error else form_status(form),
    )
