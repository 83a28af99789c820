"""The project's own endpoints: what load balancers ask."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@login_not_required
@never_cache
def healthz(request):
    """For load balancers: this app server answers. Touches neither the database nor sessions."""
    return HttpResponse("ok", content_type="text/plain")
