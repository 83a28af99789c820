from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from console.errors import DomainError
from console.pagination import CappedPaginator
from console.responses import action_done, render_page_or_partial, reveal_once, safe_next
from models_registry.views import get_own_model
from tokens import services
from tokens.filters import SORTS, TokenFilter
from tokens.forms import (
    AssignTokenForm,
    TokenAddForm,
    TokenCreateForm,
    TokenEditForm,
    TypeaheadSearchForm,
)
from tokens.selectors import tokens_for, tokens_of_model, unassigned_tokens_matching

TAB_PAGE_SIZE = 25


def get_own_token(request, token_id: str):
    """The logged-in provider's token, or 404 (also for another provider's token)."""
    return get_object_or_404(tokens_for(request.user), token_id=token_id)


def _tab_url(model) -> str:
    return reverse("tokens:model_tokens", args=[model.model_id])


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def model_tokens(request, model_id: str):
    """A model's Token Management tab: its tokens, Create Token, and Assign token."""
    model = get_own_model(request, model_id)
    page = Paginator(tokens_of_model(model), TAB_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "model": model,
        "tab": "tokens",
        "page": page,
        "assign_form": AssignTokenForm(owner=request.user, model=model),
    }
    return render_page_or_partial(
        request, "tokens/model_tokens.html", context, partial="tab", refreshable=("token-table",)
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@sensitive_variables("secret", "created")
def create_for_model(request, model_id: str):
    """Create Token from a model's tab: Name and Model (this one preselected), then Generate."""
    model = get_own_model(request, model_id)
    if request.method == "POST":
        form = TokenCreateForm(request.POST, owner=request.user)
        created = form.create()
        if created is not None:
            token, secret = created
            return reveal(request, token=token, secret=secret, back_url=_tab_url(model))
    else:
        initial = {"name": request.GET.get("name", ""), "model": model.model_id}
        form = TokenCreateForm(initial=initial, owner=request.user)
    return render_page_or_partial(
        request,
        "tokens/token_create.html",
        {
            "form": form,
            "model": model,
            "back_url": _tab_url(model),
            "section": "models",
            "default_lifetime_days": settings.TOKEN_DEFAULT_LIFETIME_DAYS,
        },
        partial="dialog",
        status=422 if form.errors else 200,
    )


@sensitive_variables("secret")
def reveal(request, *, token, secret: str, back_url: str):
    """A new token's one-time reveal (see `reveal_once`)."""
    return reveal_once(
        request,
        "tokens/token_reveal.html",
        {"token": token, "secret": secret, "back_url": back_url, "section": "models"},
        changed="tokensChanged",
    )


@require_GET
def unassigned_search(request, model_id: str):
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
        {"model": model, "matches": unassigned_tokens_matching(request.user, query), "q": query},
    )


@require_POST
def assign_to_model(request, model_id: str):
    """Save: assign the token chosen in the type-ahead to this model."""
    model = get_own_model(request, model_id)
    form = AssignTokenForm(request.POST, owner=request.user, model=model)
    token = form.assign()
    if token is not None:
        messages.success(request, f"Token “{token.name}” assigned to “{model.name}”.")
        form = AssignTokenForm(owner=request.user, model=model)
    context = {"model": model, "assign_form": form, "assigned": token}
    if not request.htmx:
        if token is None:
            messages.error(request, form.errors["q"][0])
        return action_done(request, next_url=_tab_url(model))
    response = render(
        request,
        "tokens/model_tokens.html#assign-section",
        context,
        status=200 if token else 409 if form.conflict else 422,
    )
    return trigger_client_event(response, "tokensChanged") if token else response


@require_http_methods(["GET", "POST"])
def delete(request, token_id: str):
    """Delete, after the provider types the token's name (the reveal's Delete sends it)."""
    token = get_own_token(request, token_id)
    next_url = safe_next(request, reverse("dashboard"))
    error = None
    if request.method == "POST":
        if request.POST.get("confirm_name", "") == token.name:
            services.delete_token(token=token)
            messages.success(request, f"Token “{token.name}” deleted.")
            return action_done(request, next_url=next_url)
        error = "Type the token's name exactly to confirm."
    return render_page_or_partial(
        request,
        "tokens/token_delete.html",
        {"token": token, "next_url": next_url, "error": error},
        partial="dialog",
        status=422 if error else 200,
    )


# --- Tokens List ------------------------------------------------------------------------------

PAGE_SIZES = (25, 50, 100)


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def token_list(request):
    """Tokens: every token of the provider, filtered, sorted and paged by the query string."""
    filterset = TokenFilter(request.GET or None, queryset=tokens_for(request.user), request=request)
    paginator = CappedPaginator(filterset.qs, _page_size(request))
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": paginator.per_page,
        "sort": filterset.effective_sort,
        "sorts": SORTS,
        "has_tokens": page.paginator.count or tokens_for(request.user).exists(),
        "section": "tokens",
    }
    # Every htmx request here (filters, sort, pages, reloads) targets the results.
    return render_page_or_partial(
        request, "tokens/token_list.html", context, partial="token-results"
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@sensitive_variables("secret", "created")
def token_add(request):
    """Add Token: Name, Model (optional), Note, Expiration, then Generate Token."""
    back_url = safe_next(request, reverse("tokens:list"))
    form = TokenAddForm(request.POST or None, owner=request.user)
    if request.method == "POST":
        created = form.create()
        if created is not None:
            token, secret = created
            return reveal(request, token=token, secret=secret, back_url=back_url)
    return render_page_or_partial(
        request,
        "tokens/token_add.html",
        {"form": form, "back_url": back_url, "section": "tokens"},
        partial="dialog",
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def token_edit(request, token_id: str):
    """Edit: change name, note, expiration date, status, or assign while unassigned."""
    token = get_own_token(request, token_id)
    next_url = safe_next(request, reverse("tokens:list"))
    form = TokenEditForm(request.POST or None, token=token)
    if request.method == "POST":
        saved = form.save()
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
        status=422 if form.errors else 200,
    )


def evk_warning(token) -> str:
    return (
        f"“{token.name}” was reassigned: a new Evaluation Key (EVK) must be generated for "
        f"{token.model.name} before it can be used."
    )


def _perform(request, service, token, done: str) -> None:
    """Run a token service and say what happened, or why nothing did, as a message."""
    try:
        service(token=token)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done.format(token=token))


def _quick_action(service, done: str):
    """A one-click row action (Renew, Suspend, Activate): POST, say what happened, refresh."""

    @require_POST
    def view(request, token_id: str):
        token = get_own_token(request, token_id)
        _perform(request, service, token, done)
        return action_done(request, next_url=safe_next(request, reverse("tokens:list")))

    view.__name__ = service.__name__
    return view


def _confirmed_action(service, done: str, template: str, fallback):
    """An action that asks first (Remove assignment, Cancel token): GET the dialog, POST to act."""

    @require_http_methods(["GET", "POST"])
    def view(request, token_id: str):
        token = get_own_token(request, token_id)
        next_url = safe_next(request, fallback(token))
        if request.method == "POST":
            _perform(request, service, token, done)
            return action_done(request, next_url=next_url)
        context = {"token": token, "next_url": next_url}
        return render_page_or_partial(request, template, context, partial="dialog")

    view.__name__ = service.__name__
    return view


renew = _quick_action(
    services.renew_token, "Token “{token.name}” renewed until {token.expires_at:%b %-d, %Y}."
)
suspend = _quick_action(services.suspend_token, "Token “{token.name}” suspended.")
activate = _quick_action(services.activate_token, "Token “{token.name}” activated.")


unassign = _confirmed_action(
    services.unassign_token,
    "Assignment of “{token.name}” to “{token.last_model.name}” removed.",
    "tokens/token_unassign.html",
    lambda token: _tab_url(token.model) if token.model else reverse("dashboard"),
)
cancel = _confirmed_action(
    services.cancel_token,
    "Token “{token.name}” cancelled.",
    "tokens/token_cancel.html",
    lambda token: reverse("tokens:list"),
)
