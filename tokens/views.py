from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url, reswap, trigger_client_event

from console.accounts.current import can_write, check_role, follow
from console.accounts.models import Role
from console.audit.actors import actor_for
from console.audit.presentation import actor_label
from console.audit.selectors import creation_of, history_of_token
from console.audit.views import HISTORY_PAGE_SIZE, event_page
from console.errors import DomainError, NotFound
from console.forms import form_status
from console.pagination import list_context, numbered_page
from console.responses import (
    HtmxHttpRequest,
    action_done,
    own_or_404,
    render_page_or_partial,
    reveal_once,
    safe_next,
)
from models_registry.models import AIModel
from models_registry.views import get_own_model
from tokens import services
from tokens.filters import SORT_DESCRIPTIONS, SORTS, TokenFilter
from tokens.forms import (
    AssignTokenForm,
    ConfirmDeletionForm,
    TokenAddForm,
    TokenCreateForm,
    TokenEditForm,
    TypeaheadSearchForm,
)
from tokens.models import Token
from tokens.selectors import (
    limits_in_force,
    tokens_for,
    tokens_of_member,
    tokens_of_model,
    unassigned_tokens_matching,
    usage_of_model,
    usage_of_token,
)
from tokens.usage_chart import UsageChart

TAB_PAGE_SIZE = 25


def get_own_token(request: HtmxHttpRequest, token_id: str, *, needs: Role = Role.VIEWER) -> Token:
    """
    A token of one of the person's providers, or 404 (also for any other provider's token).
    The page then shows the token's provider, whichever provider the person looked at last;
    a role there that does not allow `needs` is refused (403).
    """
    tokens = tokens_of_member(request.user)
    token = own_or_404(tokens, "No such token among yours.", token_id=token_id)
    follow(request, token.provider)
    check_role(request, needs)
    return token


def answers_gone[**P](
    view: Callable[P, HttpResponse],
) -> Callable[P, HttpResponse]:
    """
    A row action on a token that is not there (deleted meanwhile, or never one of yours) answers
    `token_gone` rather than the bare 404 page, which htmx would put in place of the console.
    """

    @wraps(view)
    def answer(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(*args, **kwargs)
        except Http404:
            request = args[0]
            assert isinstance(request, HttpRequest)
            return token_gone(cast(HtmxHttpRequest, request))

    return answer


def token_gone(request: HtmxHttpRequest) -> HttpResponse:
    """
    "This token no longer exists." (404): htmx closes the dialog, shows it as a message and
    refreshes the lists behind; without JavaScript, a page saying so with a link back.
    """
    if not request.htmx:
        context = {"message": services.GONE, "back_url": safe_next(request, _list_url())}
        return render(request, "tokens/token_gone.html", context, status=HTTPStatus.NOT_FOUND)
    messages.error(request, services.GONE)  # shown out of band, by console.middleware
    response = reswap(HttpResponse(status=HTTPStatus.NOT_FOUND), "none")
    for event in ("tokensChanged", "closeModal"):
        trigger_client_event(response, event)
    return response


def _tab_url(model: AIModel) -> str:
    return reverse("tokens:model_tokens", args=[model.model_id])


def _list_url() -> str:
    return reverse("tokens:list")


def _detail_url(token: Token) -> str:
    return reverse("tokens:detail", args=[token.token_id])


# --- A model's Token Management tab ---------------------------------------------------------


# The sorts the model's tab offers: the Tokens List's, but by model (all the same here).
TAB_SORTS = [
    ("-created", "Newest first"),
    ("created", "Oldest first"),
    ("name", "Name, A to Z"),
    ("-name", "Name, Z to A"),
    ("expires", "Expiring soonest"),
    ("-expires", "Expiring latest"),
    ("status", "Status"),
    ("-last_used", "Used most recently"),
    ("last_used", "Unused the longest"),
]


def _tab_context(request: HtmxHttpRequest, model: AIModel, **extra) -> dict:
    """The tab's tokens as its filters (name, status) and sort ask, a page by cursor."""
    query = QueryDict(mutable=True)
    if request.method == "GET":  # without the empty choices its form sends ("Any status")
        for key in request.GET:
            if values := [value for value in request.GET.getlist(key) if value]:
                query.setlist(key, values)
    filterset = TokenFilter(query or None, queryset=tokens_of_model(model), request=request)
    page, bad_cursor = numbered_page(
        filterset.qs,
        per_page=TAB_PAGE_SIZE,
        cursor=query.get("cursor"),
        number=_page_number(request),
        context=list_context(query, paging=LIST_PAGING),
    )
    return {
        "model": model,
        "tab": "tokens",
        "filterset": filterset,
        "page": page,
        "bad_cursor": bad_cursor,
        "sort": filterset.effective_sort,
        "tab_sorts": TAB_SORTS,
        "has_tokens": bool(page.count) or tokens_of_model(model).exists(),
        "assign_form": AssignTokenForm(provider=request.provider, model=model),
        "usage": usage_of_model(model),
        **extra,
    }


@require_GET
def model_tokens(request: HtmxHttpRequest, model_id: str) -> HttpResponse:
    """A model's Token Management tab: its tokens, Create Token, and Assign token."""
    model = get_own_model(request, model_id)
    return render_page_or_partial(
        request,
        "tokens/model_tokens.html",
        _tab_context(request, model),
        partial="tab",
        refreshable=("token-table",),
    )


@require_http_methods(["GET", "POST"])
@sensitive_variables("secret", "created")
def create_for_model(request: HtmxHttpRequest, model_id: str) -> HttpResponse:
    """Create Token from a model's tab: Name and Model (this one preselected), then Generate."""
    model = get_own_model(request, model_id, needs=Role.MEMBER)
    if request.method == "POST":
        form = TokenCreateForm(request.POST, provider=request.provider)
        created = form.create(actor=actor_for(request))
        if created is not None:
            token, secret = created
            return reveal(request, token=token, secret=secret, back_url=_tab_url(model))
    else:
        initial = {"name": request.GET.get("name", ""), "model": model.model_id}
        form = TokenCreateForm(initial=initial, provider=request.provider)
    return render_page_or_partial(
        request,
        "tokens/token_create.html",
        {
            "form": form,
            "model": model,
            "back_url": _tab_url(model),
            "section": "models",
            "default_lifetime_days": request.provider.token_default_days,
        },
        partial="dialog",
        status=form_status(form),
    )


@sensitive_variables("secret")
def reveal(request: HtmxHttpRequest, *, token: Token, secret: str, back_url: str) -> HttpResponse:
    """A new token's one-time reveal (see `reveal_once`)."""
    return reveal_once(
        request,
        "tokens/token_reveal.html",
        {"token": token, "secret": secret, "back_url": back_url, "section": "models"},
        changed="tokensChanged",
    )


@require_GET
def unassigned_search(request: HtmxHttpRequest, model_id: str) -> HttpResponse:
    """The type-ahead's dropdown: unassigned tokens whose name contains `q`, best first."""
    model = get_own_model(request, model_id)
    form = TypeaheadSearchForm(request.GET)
    if not form.is_valid():
        context = {"model": model, "matches": [], "q": ""}
        return render(request, "tokens/model_tokens.html#typeahead-options", context, status=400)
    query = form.cleaned_data["q"][:100]
    return render(
        request,
        "tokens/model_tokens.html#typeahead-options",
        {
            "model": model,
            "matches": unassigned_tokens_matching(request.provider, query),
            "q": query,
        },
    )


@require_POST
def assign_to_model(request: HtmxHttpRequest, model_id: str) -> HttpResponse:
    """Save: assign the token chosen in the type-ahead to this model."""
    model = get_own_model(request, model_id, needs=Role.MEMBER)
    form = AssignTokenForm(request.POST, provider=request.provider, model=model)
    token = form.assign(actor=actor_for(request))
    if token is not None:
        messages.success(request, f"Token “{token.name}” assigned to “{model.name}”.")
        if not request.htmx:
            if token.needs_new_evk:  # htmx shows this beside the form instead
                messages.warning(request, evk_warning(token))
            return action_done(request, next_url=_tab_url(model))
        form = AssignTokenForm(provider=request.provider, model=model)
    if not request.htmx:
        # Without JavaScript: the whole tab again, the form's message beside the field.
        context = _tab_context(request, model, assign_form=form)
        return render(request, "tokens/model_tokens.html", context, status=form_status(form))
    response = render(
        request,
        "tokens/model_tokens.html#assign-section",
        {"model": model, "assign_form": form, "assigned": token},
        status=form_status(form),
    )
    return trigger_client_event(response, "tokensChanged") if token else response


# --- Tokens List ------------------------------------------------------------------------------

PAGE_SIZES = (25, 50, 100)
# The list's own paging parameters: the rest (filters, sort) is what a cursor was made for.
LIST_PAGING = ("cursor", "page", "per_page")


def _page_size(request: HtmxHttpRequest) -> int:
    try:
        size = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def _page_number(request: HtmxHttpRequest) -> int | None:
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


def _without_empty_filters(request: HtmxHttpRequest) -> str:
    """The list's URL with only the filters that were given: a form sends its empty ones too."""
    query = QueryDict(mutable=True)
    for key in request.GET:
        if values := [value for value in request.GET.getlist(key) if value]:
            query.setlist(key, values)
    return f"{request.path}?{query.urlencode()}" if query else request.path


@require_GET
def token_list(request: HtmxHttpRequest) -> HttpResponse:
    """Tokens: every token of the provider, filtered, sorted and paged by the query string.
    Next and Previous carry a cursor (and the page's number, to show), so they reach every
    token, past the count's cap, each page as fast as the first."""
    filterset = TokenFilter(
        request.GET or None, queryset=tokens_for(request.provider), request=request
    )
    page, bad_cursor = numbered_page(
        filterset.qs,
        per_page=_page_size(request),
        cursor=request.GET.get("cursor"),
        number=_page_number(request),
        context=list_context(request.GET, paging=LIST_PAGING),
    )
    list_url = _without_empty_filters(request)
    context = {
        "filterset": filterset,
        "page": page,
        "bad_cursor": bad_cursor,
        "page_sizes": PAGE_SIZES,
        "per_page": page.per_page,
        "sort": filterset.effective_sort,
        "sort_description": SORT_DESCRIPTIONS.get(filterset.effective_sort, ""),
        "sorts": SORTS,
        "has_tokens": page.count or tokens_for(request.provider).exists(),
        "section": "tokens",
        "list_url": list_url,
    }
    # Every htmx request here (filters, sort, pages, reloads) targets the results.
    response = render_page_or_partial(
        request, "tokens/token_list.html", context, partial="token-results"
    )
    if request.htmx and list_url != request.get_full_path():
        push_url(response, list_url)  # the address bar, without the empty filters
    return response


@require_http_methods(["GET", "POST"])
@sensitive_variables("secret", "created")
@can_write
def token_add(request: HtmxHttpRequest) -> HttpResponse:
    """Add Token: Name, Model (optional), Note, Expiration, then Generate Token."""
    back_url = safe_next(request, _list_url())
    form = TokenAddForm(request.POST or None, provider=request.provider)
    if request.method == "POST":
        created = form.create(actor=actor_for(request))
        if created is not None:
            token, secret = created
            return reveal(request, token=token, secret=secret, back_url=back_url)
    return render_page_or_partial(
        request,
        "tokens/token_add.html",
        {"form": form, "back_url": back_url, "section": "tokens"},
        partial="dialog",
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@answers_gone
def token_edit(request: HtmxHttpRequest, token_id: str) -> HttpResponse:
    """Edit: change name, note, expiration date, status, or assign while unassigned."""
    token = get_own_token(request, token_id, needs=Role.MEMBER)
    next_url = safe_next(request, _list_url())
    form = TokenEditForm(request.POST or None, token=token)
    if request.method == "POST":
        saved = form.save(actor=actor_for(request))
        if isinstance(getattr(form, "refusal", None), NotFound):
            return token_gone(request)  # deleted while the dialog was open
        if saved is not None:
            messages.success(request, f"Token “{saved.name}” updated.")
            if saved.needs_new_evk and "model" in form.changed_data:
                messages.warning(request, evk_warning(saved))
            return action_done(request, next_url=next_url)
    return render_page_or_partial(
        request,
        "tokens/token_edit.html",
        {"form": form, "token": token, "next_url": next_url, "section": "tokens"},
        partial="dialog",
        status=form_status(form),
    )


def evk_warning(token: Token) -> str:
    return (
        f"“{token.name}” was reassigned: a new Evaluation Key (EVK) must be generated for "
        f"{token.model_name} before it can be used."
    )


# --- A token's page ----------------------------------------------------------------------------


@require_GET
def token_detail(request: HtmxHttpRequest, token_id: str) -> HttpResponse:
    """A token's page: what it is now, how it is used, and its History (every change, newest
    first)."""
    token = get_own_token(request, token_id)
    page, bad_cursor = event_page(request, history_of_token(token), HISTORY_PAGE_SIZE)
    usage = usage_of_token(token)
    created = creation_of(token)
    return render_page_or_partial(
        request,
        "tokens/token_detail.html",
        {
            "token": token,
            "created_by": actor_label(created) if created else None,
            "usage": usage,
            "chart": UsageChart.of(usage.days),
            "limits": limits_in_force(token),
            "page": page,
            "bad_cursor": bad_cursor,
            "list_url": _list_url(),
            "section": "tokens",
        },
        partial="token-body",
        refreshable=("token-body",),
    )


# --- Row actions ------------------------------------------------------------------------------
# Renew, Suspend and Activate act at once; Remove assignment, Cancel token and Delete ask first
# (GET shows the question, POST acts). Each says what happened, or why nothing did.


def _perform(request: HtmxHttpRequest, service: Callable[..., object], token: Token, done: str):
    """Run a token service and say what happened, or why nothing did, as a message."""
    try:
        service(actor=actor_for(request), token=token)
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done.format(token=token))


def _ask(request: HtmxHttpRequest, template: str, context: dict, *, status: int = 200):
    return render_page_or_partial(request, template, context, partial="dialog", status=status)


@require_POST
@answers_gone
def renew(request: HtmxHttpRequest, token_id: str) -> HttpResponse:
    """Renew: the expiration becomes now plus the default lifetime."""
    token = get_own_token(request, token_id, needs=Role.MEMBER)
    done = "Token “{token.name}” renewed until {token.expires_at:%b %-d, %Y}."
    _perform(request, services.renew_token, token, done)
    return action_done(request, next_url=safe_next(request, _list_url()))


@require_POST
@answers_gone
def suspend(request: HtmxHttpRequest, token_id: str) -> HttpResponse:
    """Suspend: the token stops authenticating until it is activated again."""
    token = get_own_token(request, token_id, needs=Role.MEMBER)
    _perform(request, services.suspend_token, token, "Token “{token.name}” suspended.")
    return action_done(request, next_url=safe_next(request, _list_url()))


@require_POST
@answers_gone
def activate(request: HtmxHttpRequest, token_id: str) -> HttpResponse:
    """Activate: a suspended token authenticates again."""
    token = get_own_token(request, token_id, needs=Role.MEMBER)
    _perform(request, services.activate_token, token, "Token “{token.name}” activated.")
    return action_done(request, next_url=safe_next(request, _list_url()))


@require_http_methods(["GET", "POST"])
@answers_gone
def unassign(request: HtmxHttpRequest, token_id: str) -> HttpResponse:
    """Remove assignment, after asking: the token stays, unassigned."""
    token = get_own_token(request, token_id, needs=Role.MEMBER)
    next_url = safe_next(request, _tab_url(token.model) if token.model else reverse("dashboard"))
    if request.method == "POST":
        done = "Assignment of “{token.name}” to “{token.last_model.name}” removed."
        _perform(request, services.unassign_token, token, done)
        return action_done(request, next_url=next_url)
    return _ask(request, "tokens/token_unassign.html", {"token": token, "next_url": next_url})


@require_http_methods(["GET", "POST"])
@answers_gone
def cancel(request: HtmxHttpRequest, token_id: str) -> HttpResponse:
    """Cancel token, after asking: cancelling is final."""
    token = get_own_token(request, token_id, needs=Role.MEMBER)
    next_url = safe_next(request, _list_url())
    if request.method == "POST":
        _perform(request, services.cancel_token, token, "Token “{token.name}” cancelled.")
        return action_done(request, next_url=next_url)
    return _ask(request, "tokens/token_cancel.html", {"token": token, "next_url": next_url})


@require_http_methods(["GET", "POST"])
@answers_gone
def delete(request: HtmxHttpRequest, token_id: str) -> HttpResponse:
    """Delete, after the provider types the token's name (the reveal's Delete sends it)."""
    token = get_own_token(request, token_id, needs=Role.MEMBER)
    next_url = safe_next(request, reverse("dashboard"))
    form = ConfirmDeletionForm(request.POST or None, token=token)
    if request.method == "POST" and form.is_valid():
        _perform(request, services.delete_token, token, "Token “{token.name}” deleted.")
        if request.htmx and request.htmx.current_url_abs_path == _detail_url(token):
            return HttpResponseClientRedirect(next_url)  # the page behind shows the token
        return action_done(request, next_url=next_url)
    context = {"token": token, "next_url": next_url, "form": form}
    return _ask(request, "tokens/token_delete.html", context, status=form_status(form))
