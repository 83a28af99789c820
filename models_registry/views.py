from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from console.accounts.current import can_write, check_role, follow
from console.accounts.models import Role
from console.audit.actors import actor_for
from console.audit.selectors import history_of_model
from console.audit.views import HISTORY_PAGE_SIZE, event_page, live_targets
from console.forms import form_status
from console.pagination import CappedPaginator, capped_count
from console.responses import HtmxHttpRequest, own_or_404, render_page_or_partial, safe_next
from models_registry.forms import (
    ModelCreateForm,
    ModelDeleteForm,
    ModelEditForm,
    ModelLimitsForm,
    ModelListForm,
)
from models_registry.models import AIModel
from models_registry.selectors import models_of_member, models_with_token_counts

MODELS_PAGE_SIZE = 25


def get_own_model(request: HtmxHttpRequest, model_id: str, *, needs: Role = Role.VIEWER) -> AIModel:
    """
    A model of one of the person's providers, or 404 (also for any other provider's model).
    The page then shows the model's provider; a role there that does not allow `needs` is 403.
    """
    models = models_of_member(request.user)
    model = own_or_404(models, "No such model among yours.", model_id=model_id)
    follow(request, model.provider)
    check_role(request, needs)
    return model


@require_GET
def model_list(request: HtmxHttpRequest) -> HttpResponse:
    """
    Models: the provider's models with their numbers of tokens, found by name, in the order
    asked for, a page at a time (the table alone for htmx).
    """
    form = ModelListForm(request.GET)
    models = form.apply(models_with_token_counts(request.provider))
    page = CappedPaginator(models, MODELS_PAGE_SIZE).get_page(request.GET.get("page"))
    has_models = bool(page.paginator.count) or models_with_token_counts(request.provider).exists()
    return render_page_or_partial(
        request,
        "models_registry/model_list.html",
        {"page": page, "form": form, "has_models": has_models, "section": "models"},
        partial="table",
    )


@require_http_methods(["GET", "POST"])
@can_write
def model_create(request: HtmxHttpRequest) -> HttpResponse:
    """Create Model: a dialog (htmx) or a page (without JavaScript)."""
    form = ModelCreateForm(request.POST or None, provider=request.provider)
    if request.method == "POST":
        model = form.create(actor=actor_for(request))
        if model is not None:
            url = reverse("models_registry:detail", args=[model.model_id])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render_page_or_partial(
        request,
        "models_registry/model_create.html",
        {"form": form, "section": "models"},
        partial="dialog",
        status=form_status(form),
    )


@require_GET
def model_detail(request: HtmxHttpRequest, model_id: str) -> HttpResponse:
    """A model's Overview tab."""
    model = get_own_model(request, model_id)
    return render(
        request,
        "models_registry/model_detail.html",
        {"model": model, "tab": "overview", "token_count": capped_count(model.tokens.all())},
    )


@require_http_methods(["GET", "POST"])
def model_limits(request: HtmxHttpRequest, model_id: str) -> HttpResponse:
    """Limits: the default rate limit and quota of the model's tokens that set none."""
    return _change_dialog(
        request,
        model_id,
        ModelLimitsForm,
        "models_registry/model_limits.html",
        done="Default limits for “{name}” saved.",
    )


@require_http_methods(["GET", "POST"])
def model_edit(request: HtmxHttpRequest, model_id: str) -> HttpResponse:
    """Edit model: rename it, or change its description."""
    return _change_dialog(
        request,
        model_id,
        ModelEditForm,
        "models_registry/model_edit.html",
        done="Model “{name}” saved.",
    )


def _change_dialog(
    request: HtmxHttpRequest,
    model_id: str,
    form_class: type[ModelEditForm] | type[ModelLimitsForm],
    template: str,
    *,
    done: str,
) -> HttpResponse:
    """
    A dialog that changes a model (Members and Owners): saved, the page behind loads again, as
    the model's header shows what changed whichever tab it is (a redirect, not HX-Refresh, so
    the message waits for the page instead of the htmx answer).
    """
    model = get_own_model(request, model_id, needs=Role.MEMBER)
    next_url = safe_next(request, reverse("models_registry:detail", args=[model.model_id]))
    form = form_class(request.POST if request.method == "POST" else None, model=model)
    if request.method == "POST":
        saved = form.save(actor=actor_for(request))
        if saved is not None:
            messages.success(request, done.format(name=saved.name))
            return HttpResponseClientRedirect(next_url) if request.htmx else redirect(next_url)
    return render_page_or_partial(
        request,
        template,
        {"form": form, "model": model, "next_url": next_url, "section": "models"},
        partial="dialog",
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def model_delete(request: HtmxHttpRequest, model_id: str) -> HttpResponse:
    """Delete model, after the provider types its name; its tokens stay, unassigned."""
    model = get_own_model(request, model_id, needs=Role.MEMBER)
    next_url = safe_next(request, reverse("models_registry:detail", args=[model.model_id]))
    tokens = capped_count(model.tokens.all())
    form = ModelDeleteForm(request.POST if request.method == "POST" else None, model=model)
    if request.method == "POST" and form.delete(actor=actor_for(request)):
        done = f"Model “{model.name}” deleted."
        if tokens.count == 1:
            done += " Its token is kept, unassigned: assign it to another model."
        elif tokens.count:
            done += f" Its {tokens} tokens are kept, unassigned: assign them to another model."
        messages.success(request, done)
        url = reverse("models_registry:list")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render_page_or_partial(
        request,
        "models_registry/model_delete.html",
        {"form": form, "model": model, "tokens": tokens, "next_url": next_url},
        partial="dialog",
        status=form_status(form),
    )


@require_GET
def model_history(request: HtmxHttpRequest, model_id: str) -> HttpResponse:
    """A model's History tab: its own changes, and its tokens' assignments and removals."""
    model = get_own_model(request, model_id)
    page, bad_cursor = event_page(request, history_of_model(model), HISTORY_PAGE_SIZE)
    return render_page_or_partial(
        request,
        "models_registry/model_history.html",
        {
            "model": model,
            "tab": "history",
            "page": page,
            "bad_cursor": bad_cursor,
            "live_targets": live_targets(page, model.provider),
        },
        partial="model-history",
        refreshable=("model-history",),
    )
