"""
The gateway's two endpoints, the product's hot path: `POST /api/v1/introspect` (RFC 7662, a
provider's query gateway asks it for each end-user query) and `GET /api/v1/token` (an end user
asks about their own token).

Plain Django views, not REST framework's: they answer in the API's one error shape and are
documented in its schema (see `tokens.api`), but skip its request and response machinery.
`GatewayShortcutMiddleware` sends them their requests straight after the request log and the
security headers, past sessions, CSRF, sign-in and the rest, which API requests never need.
In the server, `GatewayWSGIHandler` answers the everyday check even before Django builds a
request, and hands everything else, every refusal included, to Django and these views.

An introspection is one round trip to the database, which brings the license key (with its
creator's membership and provider, both still active) and the presented token together, and,
at most one round trip to the cache (`tokens.usage`: use is gathered in the process, limits
are reserved ahead in batches). Nothing is cached between requests: a revoked key or a
cancelled token is refused by the very next check.
"""

import io
import ipaddress
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler, get_script_name
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.middleware.security import SecurityMiddleware
from django.utils.encoding import escape_uri_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from rest_framework import exceptions

from console.accounts.models import Provider
from console.api.authentication import bearer_credentials, refused_key
from console.api.errors import api_exception_answer, error_body
from console.api.models import LicenseKey
from console.api.services import (
    LICENSE_KEY,
    record_use_of_key,
    usable_key_params,
    usable_key_sql,
)
from console.keys import PresentedDigests
from console.raw_sql import column, table
from console.request_log import REQUEST_ID_HEADER, log_request, logger, request_id_from
from console.request_log import client_ip as address_of
from models_registry.models import AIModel
from tokens import secrets, services, usage
from tokens.models import Token, TokenStatus

# The most queries one check may count (`cost`): far above any real query, below overflow.
MAX_COST = 1_000_000
MAX_BODY_BYTES = 16_384


# --- Answers -------------------------------------------------------------------------------------


# add_never_cache_headers' Cache-Control, written once rather than patched on each answer.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
JSON = "application/json"


def _json(body: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    # json.dumps' default encoder: nothing here needs DjangoJSONEncoder's conversions.
    payload = json.dumps(body).encode()
    response = HttpResponse(payload, content_type=JSON, status=status, headers=headers)
    response.headers["Cache-Control"] = NEVER_CACHE
    response.headers["Content-Length"] = str(len(payload))
    return response


def _error(
    request: HttpRequest,
    status: int,
    message: str,
    code: str,
    errors: dict | None = None,
    headers: dict | None = None,
) -> HttpResponse:
    return _json(error_body(request, message, code, errors), status, headers)


def _options(allow: str) -> HttpResponse:
    return HttpResponse(status=204, headers={"Allow": allow, "Cache-Control": NEVER_CACHE})


def _api_refusal(
    request: HttpRequest,
    exc: exceptions.APIException,
    realm: str = "",
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """One of REST framework's exceptions, answered as the API's views answer it."""
    if exc.status_code == 401:
        exc.auth_header = realm  # type: ignore[attr-defined]  # WWW-Authenticate
    status, body, answer_headers = api_exception_answer(request, exc)
    return _json(body, status, {**answer_headers, **(headers or {})})


class Refusal(Exception):
    """An answer other than the endpoint's own: raised while reading the request."""

    def __init__(self, response: HttpResponse):
        self.response = response


def _credentials(request: HttpRequest, *, allow: tuple[str, ...], realm: str) -> str:
    """
    The `Authorization: Bearer …` credentials of a request to a gateway endpoint, else a
    Refusal: OPTIONS (204), another method than `allow` (405), no or a malformed header (401).
    """
    allowed = ", ".join([*allow, "OPTIONS"])
    if request.method == "OPTIONS":
        raise Refusal(_options(allowed))
    if request.method not in allow:
        refused = exceptions.MethodNotAllowed(request.method or "")
        raise Refusal(_api_refusal(request, refused, headers={"Allow": allowed}))
    try:
        presented = bearer_credentials(request)
    except exceptions.APIException as error:
        raise Refusal(_api_refusal(request, error, realm)) from None
    if presented is None:
        raise Refusal(_api_refusal(request, exceptions.NotAuthenticated(), realm))
    return presented


def _params(request: HttpRequest) -> QueryDict | dict:
    """The form or JSON body's fields (415 for another type, 400 for a broken body)."""
    content_type = request.content_type or ""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise Refusal(
            _error(
                request,
                413,
                f"A check's body is at most {MAX_BODY_BYTES:,} bytes: send the token, not more.",
                "too_large",
            )
        )
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data", ""):
        try:
            return request.POST
        except MultiPartParserError as error:
            detail = f"Multipart form parse error - {error}"
            raise Refusal(_api_refusal(request, exceptions.ParseError(detail))) from None
    if content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except RecursionError:
            detail = "JSON parse error - the body is nested too deeply."
            raise Refusal(_api_refusal(request, exceptions.ParseError(detail))) from None
        except ValueError:
            detail = "JSON parse error - the body is not valid JSON."
            raise Refusal(_api_refusal(request, exceptions.ParseError(detail))) from None
        if not isinstance(data, dict):
            raise Refusal(_api_refusal(request, exceptions.ParseError("Send a JSON object.")))
        return data
    raise Refusal(_api_refusal(request, exceptions.UnsupportedMediaType(content_type)))


class InvalidParam(Exception):
    """A field of the check's body that cannot be used, and what to send instead."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class CheckRequest:
    token: str
    cost: int
    client_ip: str | None


@sensitive_variables("params", "token")
def _check_request(params: Any) -> CheckRequest:
    """The check asked for in the body's fields (a form's or a JSON object's), else InvalidParam."""
    token = params.get("token")
    if token is None:
        raise InvalidParam("token", "This field is required.")
    if not isinstance(token, str):
        raise InvalidParam("token", "Not a valid string.")
    cost: Any = params.get("cost", 1)
    if isinstance(cost, str) and cost.strip().isdigit():
        cost = int(cost)
    if isinstance(cost, bool) or not isinstance(cost, int) or not 0 <= cost <= MAX_COST:
        raise InvalidParam("cost", f"Send a whole number of queries from 0 to {MAX_COST:,}.")
    address = params.get("client_ip")
    if address in (None, ""):
        address = None
    else:
        try:
            address = str(ipaddress.ip_address(str(address).strip()))
        except ValueError:
            raise InvalidParam("client_ip", "Send the end user's IPv4 or IPv6 address.") from None
    hint = params.get("token_type_hint")
    if hint is not None and not isinstance(hint, str):
        raise InvalidParam("token_type_hint", "Not a valid string.")
    return CheckRequest(token=token, cost=cost, client_ip=address)


# --- The one query -------------------------------------------------------------------------------

_KEY_COLUMNS = ["pk", "key_id", "digest", "last_used_at", "scope", "provider"]
_TOKEN_COLUMNS = [
    "pk",
    "token_id",
    "name",
    "status",
    "expires_at",
    "created_at",
    "digest",
    "model",
    "rate_limit",
    "quota",
    "quota_period",
]
_MODEL_COLUMNS = ["model_id", "default_rate_limit", "default_quota", "default_quota_period"]


def _select(alias: str, model: type, names: list[str]) -> list[str]:
    return [f"{alias}.{column(model, name)}" for name in names]


def _introspection_sql(key: PresentedDigests, token: PresentedDigests | None) -> str:
    """
    The key, its provider (active), its creator (active, still a member), and the token of
    that provider with the presented digest, if any: one statement, one round trip. Built once
    per shape (how many digest keys, whether a token is looked up) and database.
    """
    shape = (connection.vendor, len(key.params), len(token.params) if token else 0)
    sql = _statements.get(shape)
    if sql is None:
        sql = _statements[shape] = _build_introspection_sql(key, token)
    return sql


_statements: dict[tuple[str, int, int], str] = {}


def _build_introspection_sql(key: PresentedDigests, token: PresentedDigests | None) -> str:
    selected = [
        *_select("k", LicenseKey, _KEY_COLUMNS),
        f"p.{column(Provider, 'provider_id')}",
        *_select("t", Token, _TOKEN_COLUMNS),
        *_select("am", AIModel, _MODEL_COLUMNS),
    ]
    token_condition = (
        token.condition(f"t.{column(Token, 'digest')}") if token is not None else "1 = 0"
    )
    key_joins, key_where = usable_key_sql(key)
    return (
        f"SELECT {', '.join(selected)} {key_joins} "
        f"LEFT JOIN {table(Token)} t ON {token_condition} "
        f"AND t.{column(Token, 'provider')} = k.{column(LicenseKey, 'provider')} "
        f"LEFT JOIN {table(AIModel)} am ON am.{column(AIModel, 'pk')} = "
        f"t.{column(Token, 'model')} {key_where}"
    )


try:
    import psycopg

    _CONNECTION_ERRORS: tuple[type[Exception], ...] = (
        OperationalError,
        InterfaceError,
        psycopg.OperationalError,
        psycopg.InterfaceError,
    )
except ImportError:  # pragma: no cover - SQLite-only installs
    psycopg = None  # type: ignore[assignment]
    _CONNECTION_ERRORS = (OperationalError, InterfaceError)


def _run(sql: str, params: list) -> tuple | None:
    """
    Run the check's statement and return its one row. On PostgreSQL it is a prepared statement
    (planned once per connection, not on every check: GATEWAY_PREPARED_STATEMENTS), and the
    connection is not health-checked first: a connection found dead is closed and the statement
    tried once more on a new one, which costs what the health check would, only when needed.
    """
    prepared = (
        psycopg is not None
        and connection.vendor == "postgresql"
        and settings.GATEWAY_PREPARED_STATEMENTS
        and not connection.in_atomic_block
    )
    for attempt in (1, 2):
        try:
            if prepared:
                connection.health_check_done = True  # type: ignore[attr-defined]
                connection.ensure_connection()
                cursor = _prepared_cursor()
                cursor.execute(sql, params, prepare=True)
                return cursor.fetchone()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        except _CONNECTION_ERRORS as error:
            if attempt == 2 or connection.in_atomic_block:
                raise OperationalError(str(error)) from error
            connection.close()
    return None  # not reached


def _prepared_cursor():
    """A server-binding psycopg cursor on the current connection, kept with it for reuse."""
    raw = connection.connection
    kept = getattr(connection, "_gateway_cursor", None)
    if kept is None or kept[0] is not raw or kept[1].closed:
        kept = (raw, psycopg.Cursor(raw))
        connection._gateway_cursor = kept  # type: ignore[attr-defined]
    return kept[1]


def _unix(value: Any) -> int:
    """A datetime column's value as Unix seconds, whatever the database handed back."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


# --- Introspection -------------------------------------------------------------------------------


@csrf_exempt
@sensitive_post_parameters("token")
@sensitive_variables("presented_key", "check")
def introspect(request: HttpRequest) -> HttpResponse:
    """POST /api/v1/introspect: is this token usable for this query, and what remains."""
    realm = 'Bearer realm="api"'
    try:
        presented_key = _credentials(request, allow=("POST",), realm=realm)
        check = _check_request(_params(request))
    except Refusal as refusal:
        return refusal.response
    except InvalidParam as invalid:
        return _error(request, 400, invalid.message, "invalid", {invalid.field: [invalid.message]})
    found = _look_up(presented_key, check.token)
    if found is None:
        return _api_refusal(request, refused_key(request, presented_key), realm)
    request.auth = GatewayCaller(_record_key_use(found))  # type: ignore[attr-defined]
    now = usage.clock()
    body, verdict = _introspection(found, check, now)
    response = _json(body)
    if verdict is not None and verdict.write_due:
        usage.write_after_response(response, now)
    return response


@dataclass(frozen=True, slots=True)
class Found:
    """The one query's row, for a usable key, and the digests it was asked with."""

    row: tuple
    key_digests: PresentedDigests
    token_digests: PresentedDigests | None


@sensitive_variables("presented_key", "token", "key_digests", "token_digests")
def _look_up(presented_key: str, token: str) -> Found | None:
    """The key (None when it is not usable) and the token, in one query."""
    if not LICENSE_KEY.is_well_formed(presented_key):
        return None
    key_digests = PresentedDigests.of(presented_key)
    token_digests = PresentedDigests.of(token) if secrets.is_well_formed(token) else None
    sql = _introspection_sql(key_digests, token_digests)
    params = [*(token_digests.params if token_digests else []), *usable_key_params(key_digests)]
    row = _run(sql, params)
    if row is None or not key_digests.matches(row[2]):
        return None
    return Found(row, key_digests, token_digests)


def _introspection(
    found: Found, check: CheckRequest, now: float
) -> tuple[dict[str, Any], usage.Verdict | None]:
    """The answer about the token, metered when it is usable (with the verdict, to finish)."""
    token_row = found.row[7 : 7 + len(_TOKEN_COLUMNS)]
    model_row = found.row[7 + len(_TOKEN_COLUMNS) :]
    digests = found.token_digests
    if token_row[0] is None or digests is None or not digests.matches(token_row[6]):
        return {"active": False}, None
    if digests.is_stale(token_row[6]):
        Token.objects.filter(pk=token_row[0]).update(digest=digests.current)
    (pk, token_id, name, status, expires_at, created_at, _, model_pk, rate, quota, period) = (
        token_row
    )
    exp = _unix(expires_at)
    if status != TokenStatus.ACTIVE or model_pk is None or exp <= now:
        return {"active": False}, None
    model_id, model_rate, model_quota, model_period = model_row
    limits = usage.Limits.effective(
        rate=rate,
        quota=quota,
        period=period,
        model_rate=model_rate,
        model_quota=model_quota,
        model_period=model_period,
    )
    verdict = usage.meter(
        token_pk=pk, limits=limits, cost=check.cost, client_ip=check.client_ip, now=now
    )
    body: dict[str, Any] = {
        "active": verdict.allowed,
        "token_id": token_id,
        "model_id": model_id,
        "name": name,
        "status": status,
        "exp": exp,
        # RFC 7662's own members, for gateways' off-the-shelf introspection plugins.
        "token_type": "Bearer",
        "iat": _unix(created_at),
        "jti": token_id,
        "aud": model_id,
        "scope": "query",
        "remaining": verdict.remaining,
        "rate_limit": verdict.rate.as_dict() if verdict.rate else None,
        "quota": verdict.quota.as_dict() if verdict.quota else None,
    }
    if not verdict.allowed:
        body["reason"] = verdict.reason
        body["retry_after"] = verdict.retry_after
    return body, verdict


@dataclass(frozen=True, slots=True)
class GatewayCaller:
    """Who called, for the request log: `request.auth` without building model instances."""

    log_identity: tuple[str | None, str | None]  # (provider's public id, actor)


def _record_key_use(found: Found) -> tuple[str | None, str | None]:
    """Write the key's last use when a minute old; who called, for the request log."""
    pk, key_id, digest, last_used_at = found.row[:4]
    last_used = _unix(last_used_at) if last_used_at is not None else None
    record_use_of_key(pk=pk, last_used=last_used, stored_digest=digest, digests=found.key_digests)
    return (found.row[6], f"key:{key_id}")


# --- The end user's own token --------------------------------------------------------------------

_UNUSABLE = {
    services.AuthFailure.MALFORMED: "This is not a valid token.",
    services.AuthFailure.UNKNOWN: "This token is not valid: it may have been deleted.",
    services.AuthFailure.CANCELED: "This token has been cancelled.",
    services.AuthFailure.SUSPENDED: "This token is suspended.",
    services.AuthFailure.EXPIRED: "This token has expired.",
    services.AuthFailure.UNASSIGNED: "This token is not assigned to a model yet.",
    services.AuthFailure.PROVIDER_INACTIVE: "This token's provider is not active at the moment.",
}


@csrf_exempt
@sensitive_variables("presented")
def own_token(request: HttpRequest) -> HttpResponse:
    """GET /api/v1/token: an end user's own token; its use is recorded, never counted."""
    realm = 'Bearer realm="token", error="invalid_token"'
    try:
        presented = _credentials(request, allow=("GET", "HEAD"), realm=realm)
    except Refusal as refusal:
        return refusal.response
    checked = services.authenticate(presented)
    token = checked.token
    if token is None:
        failure = checked.failure or services.AuthFailure.UNKNOWN
        unusable = exceptions.AuthenticationFailed(_UNUSABLE[failure])
        return _api_refusal(request, unusable, realm)
    request.auth = token  # type: ignore[attr-defined]  # the request log names the token
    assert token.model is not None  # usable tokens are assigned
    now = usage.clock()
    verdict = usage.meter(
        token_pk=token.pk,
        limits=usage.Limits.of(token),
        cost=0,
        client_ip=address_of(request),
        now=now,
    )
    response = _json(
        {
            "token_id": token.token_id,
            "name": token.name,
            "status": token.status,
            "expires_at": int(token.expires_at.timestamp()),
            "model_id": token.model.model_id,
            "model_name": token.model.name,
            "remaining": verdict.remaining,
            "rate_limit": verdict.rate.as_dict() if verdict.rate else None,
            "quota": verdict.quota.as_dict() if verdict.quota else None,
        }
    )
    if verdict.write_due:
        usage.write_after_response(response, now)
    return response


# --- The short way through the middleware --------------------------------------------------------

GATEWAY_VIEWS = {"/api/v1/introspect": introspect, "/api/v1/token": own_token}


class GatewayShortcutMiddleware:
    """
    Answers the gateway's two endpoints itself, right after the request log and the security
    headers: sessions, CSRF, sign-in, messages, htmx and the URL resolver are for pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = GATEWAY_VIEWS.get(request.path_info)
        if view is None:
            return self.get_response(request)
        return view(request)


# --- The short way past Django's handler ---------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
CHECK_FIELDS = {"token", "cost", "client_ip", "token_type_hint"}


class GatewayWSGIHandler(WSGIHandler):
    """
    Django's WSGI handler (what `console.wsgi` serves), which answers the everyday check (a
    form POST to /api/v1/introspect with a usable license key) before building a request: the
    same answer, headers, request log line and writer, without the request and response objects
    and the signals around them. Everything else, every refusal included, goes to Django, so
    the API's errors are answered in one place (`introspect`).
    """

    def __call__(self, environ: dict, start_response: Callable) -> Any:  # an iterable of bytes
        if environ.get("PATH_INFO") == "/api/v1/introspect":
            answered = _check_quickly(environ, start_response)
            if answered is not None:
                return answered
        return super().__call__(environ, start_response)


class _Answer(list):
    """What a quick check sends: its body, then, once sent, the writer and request_finished."""

    def __init__(self, payload: bytes, now: float | None):
        super().__init__([payload])
        self.write_at = now

    def close(self) -> None:
        try:
            if self.write_at is not None:
                usage.write_quietly(self.write_at)
        finally:
            signals.request_finished.send(sender=GatewayWSGIHandler)


@sensitive_variables("body", "presented_key", "params", "check")
def _check_quickly(environ: dict, start_response: Callable) -> _Answer | None:
    """The check's 200 answer, sent; None (with the body put back) for Django to answer."""
    started = time.perf_counter()
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if (
        environ.get("REQUEST_METHOD") != "POST"
        or environ.get("CONTENT_TYPE") != FORM
        or not authorization.startswith("Bearer ")
    ):
        return None
    secure = _is_secure(environ)
    if settings.SECURE_SSL_REDIRECT and not secure:
        return None  # Django redirects it
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY_BYTES:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)  # for Django, if it answers after all
    try:
        fields = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    params = dict(fields)
    presented_key = authorization[7:]
    if len(params) != len(fields) or not params.keys() <= CHECK_FIELDS or " " in presented_key:
        return None
    try:
        check = _check_request(params)
        found = _look_up(presented_key, check.token)
        if found is None:
            return None  # a refused key: Django answers, and throttles
        provider, actor = _record_key_use(found)
        now = usage.clock()
        answer, verdict = _introspection(found, check, now)
    except Exception:  # a field's error, the database away: Django answers it, as it must
        return None
    payload = json.dumps(answer).encode()
    request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID", ""))
    start_response(
        "200 OK",
        [
            ("Content-Type", JSON),
            ("Cache-Control", NEVER_CACHE),
            ("Content-Length", str(len(payload))),
            *_security_headers(secure),
            (REQUEST_ID_HEADER, request_id),
        ],
    )
    if logger.isEnabledFor(logging.INFO):
        log_request(
            request_id=request_id,
            provider=provider,
            actor=actor,
            method="POST",
            path=_logged_path(get_script_name(environ)),
            status=200,
            started=started,
        )
    return _Answer(payload, now if verdict is not None and verdict.write_due else None)


def _is_secure(environ: dict) -> bool:
    """`HttpRequest.is_secure()`, from the environ: the trusted proxy's header, else the scheme."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def _security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers SecurityMiddleware adds to a JSON answer, as it adds them (once per settings)."""
    key = (
        secure,
        settings.SECURE_HSTS_SECONDS,
        settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
        settings.SECURE_HSTS_PRELOAD,
        settings.SECURE_CONTENT_TYPE_NOSNIFF,
        str(settings.SECURE_REFERRER_POLICY),
        settings.SECURE_CROSS_ORIGIN_OPENER_POLICY,
    )
    headers = _security_headers_of.get(key)
    if headers is None:

        class Request(HttpRequest):
            def is_secure(self) -> bool:
                return secure

        response = HttpResponse(content_type=JSON)
        SecurityMiddleware(lambda request: response).process_response(Request(), response)
        headers = [(name, value) for name, value in response.items() if name != "Content-Type"]
        _security_headers_of[key] = headers
    return headers


_security_headers_of: dict[tuple, list[tuple[str, str]]] = {}


def _logged_path(script_name: str) -> str:
    """The request log's path for the check, as `HttpRequest.path` has it under a prefix."""
    return escape_uri_path(f"{script_name.rstrip('/')}/api/v1/introspect")
