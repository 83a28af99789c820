"""The project's own endpoints: what load balancers ask, and the answers to errors."""

import sys
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from console.api.errors import error_body

# Seconds a client (or a load balancer) should wait before trying again when the database is down.
RETRY_AFTER_SECONDS = 30


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


def _is_api(request: HttpRequest) -> bool:
    """Everything under /api/ answers JSON in the API's error envelope, even its errors."""
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """
    handler400, for a request Django itself cannot read (a multipart body without a boundary,
    too many fields): the API's JSON envelope under /api/, Django's page elsewhere.
    """
    if _is_api(request):
        body = error_body(request, "The request could not be read.", "bad_request")
        return JsonResponse(body, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: the API's JSON envelope under /api/, Django's page elsewhere."""
    if _is_api(request):
        body = error_body(request, "Not found.", "not_found")
        return JsonResponse(body, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """
    handler500, also for errors raised in middleware (loading the session or the user): 503
    with Retry-After when the database cannot be reached, else a plain 500. It must not touch
    the database itself, so the page is rendered without a request context.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, (OperationalError, InterfaceError)):
        return _unavailable(request)
    if _is_api(request):
        body = error_body(request, "Something went wrong on our side.", "server_error")
        return JsonResponse(body, status=500)
    return defaults.server_error(request)


def _unavailable(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if _is_api(request):
        message = "The service is temporarily unavailable. Try again shortly."
        response = JsonResponse(error_body(request, message, "unavailable"), status=503)
    else:
        response = HttpResponse(render_to_string("console/unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@login_not_required
def admin_login(request: HttpRequest) -> HttpResponse:
    """Django admin's sign-in page sends staff to the console's, and back to the admin after."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    target = reverse("login") + "?" + urlencode({"next": next_url or reverse("admin:index")})
    return HttpResponseRedirect(target)
