from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from console.pagination import capped_count
from console.responses import render_page_or_partial
from models_registry.forms import ModelCreateForm
from models_registry.selectors import models_for, models_with_token_counts


def get_own_model(request, model_id: str):
    """The logged-in provider's model, or 404 (also for another provider's model)."""
    return get_object_or_404(models_for(request.user), model_id=model_id)


@require_GET
def model_list(request):
    """Models: every model of the provider, with its number of tokens."""
    return render_page_or_partial(
        request,
        "models_registry/model_list.html",
        {"models": models_with_token_counts(request.user), "section": "models"},
        partial="model-table",
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def model_create(request):
    """Create Model: a dialog (htmx) or a page (without JavaScript)."""
    form = ModelCreateForm(request.POST or None, owner=request.user)
    if request.method == "POST":
        model = form.create()
        if model is not None:
            url = reverse("models_registry:detail", args=[model.model_id])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render_page_or_partial(
        request,
        "models_registry/model_create.html",
        {"form": form, "section": "models"},
        partial="dialog",
        status=422 if form.errors else 200,
    )


@require_GET
def model_detail(request, model_id: str):
    """A model's Overview tab."""
    model = get_own_model(request, model_id)
    return render_page_or_partial(
        request,
        "models_registry/model_detail.html",
        {"model": model, "tab": "overview", "token_count": capped_count(model.tokens.all())},
        partial="tab",
    )
