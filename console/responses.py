"""How views answer: the same view serves a full page, or an htmx fragment of it."""

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import trigger_client_event
from django_htmx.middleware import HtmxDetails

from console.accounts.models import Membership, Provider


class HtmxHttpRequest(HttpRequest):
    """
    A console page's request: a signed-in provider's (LoginRequiredMiddleware sees to that on
    every page not marked login_not_required), through django-htmx's middleware.
    """

    htmx: HtmxDetails
    user: User
    provider: Provider  # the provider the page shows (console.accounts.current)
    membership: Membership  # the person's place in it


def render_page_or_partial(
    request: HtmxHttpRequest,
    template: str,
    context: dict,
    *,
    partial: str,
    status: int = 200,
    refreshable: tuple[str, ...] = (),
) -> HttpResponse:
    """
    The whole page for a normal request; just `template#partial` for an htmx request, or the
    partial it targets when that is one of `refreshable` (a list reloading itself by its id).

    The answer varies with those request headers, and says so, so that no cache (the browser's
    back button included) serves a fragment in place of the page.
    """
    if request.htmx and request.htmx.target in refreshable:
        partial = request.htmx.target
    name = f"{template}#{partial}" if request.htmx else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target") if refreshable else ("HX-Request",))
    return response


def reveal_once(
    request: HtmxHttpRequest, template: str, context: dict, *, changed: str
) -> HttpResponse:
    """
    The one response that ever carries a new secret: never cached, never stored, and the lists
    behind it (told by the `changed` event) refresh so the new item shows once it is closed.
    """
    response = render_page_or_partial(request, template, context, partial="dialog")
    response["Cache-Control"] = "no-store"
    return trigger_client_event(response, changed)


def own_or_404[M: Model](queryset: QuerySet[M], message: str, **lookup: str) -> M:
    """
    The object of `queryset` (already scoped to the caller) matching `lookup`, or a 404 saying
    `message`: another provider's object is answered exactly like one that does not exist.
    """
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404(message)
    return found


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` URL the form carried, if it points into this site; otherwise `fallback`."""
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def action_done(
    request: HtmxHttpRequest, *, next_url: str, events: tuple[str, ...] = ("tokensChanged",)
) -> HttpResponse:
    """
    After a change: htmx gets an empty answer that closes the dialog and tells the page's
    lists to refresh themselves; a plain form post is redirected back to where it came from.
    """
    if not request.htmx:
        return redirect(next_url)
    response = HttpResponse(status=200)
    for event in (*events, "closeModal"):
        trigger_client_event(response, event)
    return response
