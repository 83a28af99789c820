"""The project's own endpoints: what load balancers ask, and the answers to errors."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@login_not_required
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: this app server answers. Touches neither the database nor sessions."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@login_not_required
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: this app server can reach its database (one trivial query), else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")
