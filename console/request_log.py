"""
One log line per request (logger `console.requests`, INFO), from the outermost middleware.

The line names the request by an id that is also returned in the `X-Request-ID` header and in
the JSON API's error bodies, so a provider quoting one lets us find the other. It says who
called from what authentication already loaded, never asking the database: a lazy session user
that nothing evaluated (say, on /healthz) stays unevaluated.
"""

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.encoding import escape_uri_path
from django.utils.functional import SimpleLazyObject, empty

from console.api.models import LicenseKey
from console.log_formats import key_value_text
from tokens.models import Token

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's request id may look like; anything else could forge or break a log line.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,200}")

logger = logging.getLogger("console.requests")


def request_id_for(request: HttpRequest) -> str:
    """The trusted proxy's `X-Request-ID` if TRUST_PROXY_HEADERS is on and it is sane; else new."""
    return request_id_from(request.META.get("HTTP_X_REQUEST_ID", ""))


def request_id_from(incoming: str) -> str:
    """`incoming`, the request's `X-Request-ID`, if it can be trusted and is sane; else a new id."""
    if settings.TRUST_PROXY_HEADERS and SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def client_ip(request: HttpRequest) -> str | None:
    """
    The client's address: the connection's, or, behind a trusted proxy (TRUST_PROXY_HEADERS),
    the one that proxy wrote into X-Forwarded-For: TRUSTED_PROXY_COUNT entries from the right,
    as each proxy appends the address it saw. Entries further left are the client's own claims.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUST_PROXY_HEADERS:
        header = request.headers.get("X-Forwarded-For", "")
        # No header is no entries (not one empty one): too few, so the connection's address.
        forwarded = [part.strip() for part in header.split(",")] if header else []
        if len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
            address = forwarded[-settings.TRUSTED_PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _loaded(request: HttpRequest, attribute: str) -> object | None:
    """request.user or .provider if something already evaluated it (a view, REST framework)."""
    value = request.__dict__.get(attribute)
    if isinstance(value, SimpleLazyObject):
        wrapped = value._wrapped
        return None if wrapped is empty else wrapped
    return value


def _provider_id(provider: object | None) -> str | None:
    return getattr(provider, "__dict__", {}).get("provider_id")


def provider_and_actor(request: HttpRequest) -> tuple[str | None, str | None]:
    """The provider's public id and the actor's, from what is already loaded."""
    auth = request.__dict__.get("auth")  # set by REST framework after authenticating
    identity = getattr(auth, "log_identity", None)  # the gateway's light caller
    if identity is not None:
        return identity
    if isinstance(auth, LicenseKey):
        provider = auth.provider if LicenseKey.provider.is_cached(auth) else None
        return _provider_id(provider), f"key:{auth.key_id}"
    if isinstance(auth, Token):
        # An end user with a token: its provider's name was not loaded, and is not worth a query.
        return None, f"token:{auth.token_id}"
    user = _loaded(request, "user")
    pk = getattr(user, "pk", None)
    if getattr(user, "is_authenticated", False) and pk is not None:
        return _provider_id(_loaded(request, "provider")), f"user:{pk}"
    return None, None


class LoggedRequest(HttpRequest):
    """A request this middleware has seen: it carries its id, for error bodies and the log."""

    request_id: str


# Pages whose path carries a bearer secret: an invitation link lets whoever holds it join.
SECRET_PATHS = {"invitation": "/invitations/<token>/"}


def logged_path(request: HttpRequest) -> str:
    """The path only, escaped: never the query string, a raw newline or space, or a secret."""
    match = request.resolver_match
    if match is not None and match.url_name in SECRET_PATHS:
        return SECRET_PATHS[match.url_name]
    return escape_uri_path(request.path)


class RequestLogMiddleware:
    """First in MIDDLEWARE, so it sees the final status and times the whole request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        logged = cast(LoggedRequest, request)
        logged.request_id = request_id_for(request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = logged.request_id
        if logger.isEnabledFor(logging.INFO):
            provider, actor = provider_and_actor(logged)
            log_request(
                request_id=logged.request_id,
                provider=provider,
                actor=actor,
                method=request.method,
                path=logged_path(request),
                status=response.status_code,
                started=started,
            )
        return response


def log_request(
    *,
    request_id: str,
    provider: str | None,
    actor: str | None,
    method: str | None,
    path: str,
    status: int,
    started: float,
) -> None:
    """The one line for a request (`path` already safe to log: see `logged_path`)."""
    fields = {
        "request_id": request_id,
        "provider": provider,
        "actor": actor,
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    logger.info(key_value_text(fields), extra={"log_fields": fields})
