"""
Which provider a signed-in person is looking at, and what their role there lets them do.

`request.provider` and `request.membership` are the provider the person last chose (kept in the
session) or, failing that, their first; both are read lazily, so a page that does not ask (a
health check) costs no query. A person in no provider sees a page that says so.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from console.accounts.models import Membership, Provider, Role

SESSION_KEY = "provider_id"


def memberships_of(user) -> list[Membership]:
    """The person's memberships of active providers, with the providers, by provider name."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user, provider__is_active=True)
        .select_related("provider")
        .order_by("provider__name")
    )


def _membership_in(request: HttpRequest, provider_id: str | None) -> Membership | None:
    """The person's membership of the provider with this public id, from the one query."""
    memberships = request.memberships  # type: ignore[attr-defined]
    return next((m for m in memberships if m.provider.provider_id == provider_id), None)


def _current_membership(request: HttpRequest) -> Membership | None:
    chosen = _membership_in(request, request.session.get(SESSION_KEY))
    memberships = request.memberships  # type: ignore[attr-defined]
    return chosen or (memberships[0] if memberships else None)


class ProviderRequiresTwoFactor(Exception):
    """The provider's Owners require two-factor sign-in, and this person has none yet."""

    def __init__(self, provider: Provider):
        super().__init__(provider.name)
        self.provider = provider


def follow(request: HttpRequest, provider: Provider) -> None:
    """
    Show `provider` from now on if it is not the one shown: a link to a model or token opens
    for every member of its provider, whichever provider they looked at last. Its rule that
    members sign in with two-factor holds as it does for the provider shown
    (console.security.middleware answers ProviderRequiresTwoFactor).
    """
    if provider.pk == request.provider.pk:  # type: ignore[attr-defined]
        return
    membership = _membership_in(request, provider.provider_id)
    assert membership is not None  # the object was found among the person's providers
    if provider.require_two_factor:
        from console.security.services import has_two_factor

        if not has_two_factor(request.user):  # type: ignore[arg-type]
            raise ProviderRequiresTwoFactor(provider)
    switch_provider(request, membership)


def switch_provider(request: HttpRequest, membership: Membership) -> None:
    """Look at `membership`'s provider from now on (this request and the next ones)."""
    request.session[SESSION_KEY] = membership.provider.provider_id
    request.membership = membership  # type: ignore[attr-defined]
    request.provider = membership.provider  # type: ignore[attr-defined]


class CurrentProviderMiddleware:
    """Sets `request.membership` and `request.provider`; after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # One query, when first asked, serves the current provider and the header's switcher.
        request.memberships = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: memberships_of(request.user)
        )
        membership = SimpleLazyObject(lambda: _current_membership(request))
        request.membership = membership  # type: ignore[attr-defined]
        request.provider = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: membership.provider if membership else None
        )
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match and request.resolver_match.app_name == "admin":
            return None  # Django admin is staff's, whatever providers they belong to
        needs_provider = getattr(view_func, "provider_required", True)
        needs_login = getattr(view_func, "login_required", True)
        if not (needs_provider and needs_login) or not request.user.is_authenticated:
            return None
        if not request.membership:
            return render(request, "accounts/no_provider.html", status=403)
        return None


def provider_not_required(view):
    """Mark a view that a signed-in person may open without belonging to any provider."""
    view.provider_required = False
    return view


def check_role(request: HttpRequest, needed: Role) -> None:
    """Refuse (403) when the person's role in the provider shown does not allow `needed`."""
    membership = request.membership  # type: ignore[attr-defined]
    if not membership.allows(needed):
        raise PermissionDenied(f"Your role ({membership.get_role_display()}) cannot do this.")


def role_required(needed: Role) -> Callable:
    """
    Refuse (403) a member whose role does not allow `needed`. Another provider's people never
    get here: objects are looked up among the current person's providers, so theirs is a 404.
    """

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            check_role(request, needed)
            return view(request, *args, **kwargs)

        return checked

    return decorate


can_write = role_required(Role.MEMBER)
owners_only = role_required(Role.OWNER)


def membership_context(request: HttpRequest) -> dict:
    """Templates' `membership`, `provider`, `can_write`, `is_owner` and the switcher's list."""
    membership = getattr(request, "membership", None)
    if not getattr(request, "user", None) or not request.user.is_authenticated or not membership:
        return {}
    return {
        "membership": membership,
        "current_provider": membership.provider,
        "can_write": membership.allows(Role.MEMBER),
        "is_owner": membership.allows(Role.OWNER),
        "provider_choices": request.memberships,  # type: ignore[attr-defined]
    }


@require_POST
def switch(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The header's provider switcher: show another of the person's providers from now on."""
    membership = _membership_in(request, provider_id)
    if membership is None:
        raise Http404("No such provider among yours.")
    switch_provider(request, membership)
    messages.info(request, f"Now showing {membership.provider.name}.")
    return redirect("dashboard")
