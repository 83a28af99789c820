"""
A small Python client for the console's JSON API, with nothing beyond the standard library.

    from console.client import ManagementClient

    client = ManagementClient("lic_…", base_url="https://console.example.com")
    model_id = client.create_model("sentiment-v2")
    token_id, token = client.generate_query_token(model_id, "alice-laptop")

Every error answer raises `ApiError`, which carries the server's message, HTTP status, rule code
and field errors. The file can be copied on its own into a script or a gateway.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any

__all__ = ["ApiError", "Event", "Introspection", "ManagementClient", "Model", "Token"]

PAGE_LIMIT = 100  # the most a list's page holds


class ApiError(Exception):
    """The API refused a request: `message` says why, `status` is the HTTP status."""

    def __init__(self, message: str, *, status: int, code: str = "", errors: dict | None = None):
        super().__init__(f"{message} (HTTP {status})")
        self.message = message
        self.status = status
        self.code = code
        self.errors = errors or {}


def _from(cls, data: dict):
    known = {item.name for item in dataclass_fields(cls)}
    return cls(**{key: value for key, value in data.items() if key in known})


@dataclass(frozen=True)
class Model:
    """A model; its defaults limit each of its tokens that sets no limits of its own."""

    model_id: str
    name: str
    description: str = ""
    default_rate_limit: int | None = None  # queries per minute
    default_quota: int | None = None  # queries per `default_quota_period`
    default_quota_period: str | None = None  # "day" or "month"
    created_at: int = 0


@dataclass(frozen=True)
class Token:
    token_id: str
    name: str
    status: str
    model_id: str | None
    expires_at: int
    note: str = ""
    model_name: str = ""
    expired: bool = False
    needs_new_evk: bool = False
    hint: str = ""
    rate_limit: int | None = None  # queries per minute; None: the model's default, if any
    quota: int | None = None  # queries per `quota_period`; None: the model's default, if any
    quota_period: str | None = None  # "day" or "month"
    last_used_at: int | None = None  # Unix seconds, to the minute; None if never used
    last_used_ip: str | None = None
    created_at: int = 0
    updated_at: int = 0


@dataclass(frozen=True)
class Event:
    """One change: who made it (`actor_kind`, `actor_name`), how, and each field before, after."""

    event_id: str
    occurred_at: int
    action: str
    actor_kind: str
    actor_ref: str
    actor_name: str
    source: str
    target_kind: str
    target_id: str
    target_name: str
    ip: str | None = None
    request_id: str = ""
    related_id: str = ""
    changes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Introspection:
    """
    RFC 7662's answer: `active` is True when the query may go ahead. A usable token over a
    limit is not active and says why in `reason` ("rate_limited" or "quota_exceeded"), with
    `retry_after` seconds; an unusable token is not active and has no `reason`.
    """

    active: bool
    token_id: str | None = None
    model_id: str | None = None
    name: str | None = None
    status: str | None = None
    exp: int | None = None
    # RFC 7662's own members.
    token_type: str | None = None
    iat: int | None = None
    jti: str | None = None
    aud: str | None = None
    scope: str | None = None
    # What remains: the fewest queries left under any limit (None without limits), and each
    # limit as {"limit", "remaining", "period", "resets_at"} (None when the token has none).
    remaining: int | None = None
    rate_limit: dict | None = None
    quota: dict | None = None
    reason: str | None = None
    retry_after: int | None = None
    extra: dict = field(default_factory=dict, repr=False)

    @property
    def limited(self) -> bool:
        """True for a usable token whose query a limit refuses: answer 429, not 401."""
        return self.reason is not None


class ManagementClient:
    """Manage models and tokens as the provider whose license key this is."""

    def __init__(
        self, license_key: str, base_url: str = "http://127.0.0.1:8000", *, timeout: float = 30
    ):
        self._license_key = license_key
        self.base_url = base_url.rstrip("/") + "/api/v1/"
        self.timeout = timeout

    def __repr__(self) -> str:  # never shows the key
        return f"ManagementClient(base_url={self.base_url!r})"

    # --- Models ---------------------------------------------------------------------------

    def create_model(
        self,
        name: str,
        description: str = "",
        *,
        default_rate_limit: int | None = None,
        default_quota: int | None = None,
        default_quota_period: str | None = None,
    ) -> str:
        """
        Register a model; returns its `model_id`. Its default limits (queries per minute, and
        per "day" or "month") apply to each of its tokens that sets none of its own.
        """
        body: dict[str, Any] = {"name": name, "description": description}
        body |= _given(
            default_rate_limit=default_rate_limit,
            default_quota=default_quota,
            default_quota_period=default_quota_period,
        )
        return self._call("POST", "models", body)["model_id"]

    def update_model(self, model_id: str, **fields) -> Model:
        """
        Change `name`, `description`, `default_rate_limit`, `default_quota` or
        `default_quota_period`; None clears a default.
        """
        return _from(Model, self._call("PATCH", f"models/{_quote(model_id)}", fields))

    def get_model(self, model_id: str) -> Model:
        return _from(Model, self._call("GET", f"models/{_quote(model_id)}"))

    def list_models(self) -> list[Model]:
        """Every model of yours, by name."""
        return [_from(Model, item) for item in self._pages("models", {})]

    # --- Tokens ---------------------------------------------------------------------------

    def generate_query_token(
        self,
        model_id: str | None,
        name: str,
        *,
        note: str = "",
        expires_at: int | None = None,
        rate_limit: int | None = None,
        quota: int | None = None,
        quota_period: str | None = None,
    ) -> tuple[str, str]:
        """
        Create a token and return `(token_id, token)`. The token (the secret) is returned only
        now: hand it to the end user, do not store it. `model_id=None` makes it unassigned.
        Without `rate_limit` (queries per minute) or `quota` (per `quota_period`, "day" unless
        "month"), the model's defaults apply.
        """
        body: dict[str, Any] = {"name": name, "model_id": model_id, "note": note}
        if expires_at is not None:
            body["expires_at"] = int(expires_at)
        body |= _given(rate_limit=rate_limit, quota=quota, quota_period=quota_period)
        created = self._call("POST", "tokens", body)
        return created["token_id"], created["token"]

    def get_token(self, token_id: str) -> Token:
        return _from(Token, self._call("GET", self._token_path(token_id)))

    def iter_tokens(self, **filters) -> Iterator[Token]:
        """Your tokens, page by page: the Tokens List's filters (`status`, `model`, `name`, ...)."""
        for item in self._pages("tokens", filters):
            yield _from(Token, item)

    def list_tokens(self, **filters) -> list[Token]:
        """
        Every one of your tokens matching the Tokens List's filters, for example
        `list_tokens(status="ACTIVE", model=model_id, sort="expires")`: all their pages,
        following the cursors.
        """
        return list(self.iter_tokens(**filters))

    def assign_token_to_model(self, token_id: str, model_id: str) -> Token:
        """Assign an unassigned token. Check `needs_new_evk` on the answer after a move."""
        path = self._token_path(token_id, "assign")
        return _from(Token, self._call("POST", path, {"model_id": model_id}))

    def remove_token_assignment(self, token_id: str) -> Token:
        return _from(Token, self._call("POST", self._token_path(token_id, "unassign")))

    def update_token(self, token_id: str, **fields) -> Token:
        """
        Change `name`, `note`, `expires_at` (Unix seconds), `status`, `model_id`, `rate_limit`,
        `quota` or `quota_period`; `rate_limit=None` or `quota=None` hands it back to the model's
        default.
        """
        return _from(Token, self._call("PATCH", self._token_path(token_id), fields))

    def cancel_token(self, token_id: str) -> Token:
        """Cancel a token for good."""
        return _from(Token, self._call("POST", self._token_path(token_id, "cancel")))

    def renew_token(self, token_id: str) -> Token:
        """Expiration becomes now plus the default lifetime."""
        return _from(Token, self._call("POST", self._token_path(token_id, "renew")))

    def delete_token(self, token_id: str) -> None:
        self._call("DELETE", self._token_path(token_id))

    def introspect(
        self, token: str, *, cost: int | None = None, client_ip: str | None = None
    ) -> Introspection:
        """
        May this end user's token be used for a query now, for which model, and what remains?
        (RFC 7662.) `cost` counts that many queries (0 checks without counting); `client_ip`
        is the end user's address, shown as the token's last address.
        """
        body: dict = {"token": token}
        if cost is not None:
            body["cost"] = cost
        if client_ip is not None:
            body["client_ip"] = client_ip
        answer = self._call("POST", "introspect", body)
        known = {item.name for item in dataclass_fields(Introspection)} - {"extra"}
        extra = {key: value for key, value in answer.items() if key not in known}
        return Introspection(**{k: v for k, v in answer.items() if k in known}, extra=extra)

    # --- Events ---------------------------------------------------------------------------

    def iter_events(self, **filters) -> Iterator[Event]:
        """
        Every change in your provider, newest first, following the pages' cursors: Activity's
        filters, for example `iter_events(action="token.cancelled", since=1767225600)`.
        """
        for item in self._pages("events", filters):
            yield _from(Event, item)

    def list_events(self, **filters) -> list[Event]:
        """Your events matching Activity's filters (`actor`, `action`, `target`, `since`...)."""
        return list(self.iter_events(**filters))

    # --- Plumbing -------------------------------------------------------------------------

    @staticmethod
    def _token_path(token_id: str, action: str = "") -> str:
        return f"tokens/{_quote(token_id)}" + (f"/{action}" if action else "")

    def _pages(self, path: str, params: dict) -> Iterator[dict]:
        """Each item of a list, page after page by each page's `next` (which carries the
        cursor), the largest pages the API gives."""
        url = self.base_url + path + _query({"limit": PAGE_LIMIT, **params})
        while url:
            page = self._call("GET", url)
            yield from page["results"]
            url = page.get("next")

    def _call(self, method: str, path_or_url: str, body: dict | None = None):
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) only
        request.add_header("Authorization", f"Bearer {self._license_key}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise _api_error(error) from None
        return json.loads(raw) if raw else None


def _given(**values) -> dict[str, Any]:
    """The arguments that were given, for a request body that leaves the others to the server."""
    return {key: value for key, value in values.items() if value is not None}


def _quote(part: str) -> str:
    return urllib.parse.quote(str(part), safe="")


def _query(params: dict) -> str:
    pairs = []
    for key, value in params.items():
        values = value if isinstance(value, list | tuple | set) else [value]
        pairs += [(key, str(item)) for item in values if item is not None]
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


def _api_error(error: urllib.error.HTTPError) -> ApiError:
    try:
        body = json.loads(error.read() or b"{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ApiError(
        body.get("message") or error.reason or "The request failed.",
        status=error.code,
        code=body.get("code", ""),
        errors=body.get("errors"),
    )
