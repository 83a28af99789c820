"""
A Python client for the console's JSON API: one file, nothing beyond the standard library,
Python 3.9 or later. Import it from this package, or download it from the API docs page
(`GET /api/v1/client.py`) and copy it next to your script or gateway.

    from console.client import ManagementClient, TokenStatus

    client = ManagementClient("lic_…", base_url="https://console.example.com")
    model_id = client.create_model("sentiment-v2")
    token_id, token = client.generate_query_token(model_id, "alice-laptop")
    client.update_token(token_id, status=TokenStatus.SUSPENDED)

What it takes care of:

- One connection per client, kept open between calls and opened again when the server has
  closed it. `close()` it, or use the client as a context manager, when done.
- Retries with exponential backoff and jitter, for requests that are safe to repeat (GET,
  PATCH, DELETE, and every POST, which carries an `Idempotency-Key`): when no answer came, and
  on 429, 502, 503 and 504, waiting `Retry-After` seconds where the server says. At most
  `max_attempts` tries and `max_wait` seconds of waiting per call; other 4xx are never retried.
- A new `Idempotency-Key` (a UUID) on each POST, the same for that POST's retries: the server
  runs it once. A token creation it answers again has no secret (`NewToken.replayed`).
- Errors as exceptions: `ApiError` and one subclass per kind (`NotFound`, `Conflict`,
  `RateLimited`, `ConnectionFailed`...), each with the server's `message`, `code`, field
  `errors` and `request_id`.
- Lists: `iter_tokens()` and the like follow every page's cursor; `list_tokens()` returns them
  all; `tokens_page()` and `next_page()` go a page at a time.
- ETags: `get_token()` and `update_token()` answer `token.etag`; pass `if_match=token` (or the
  ETag) to any change, and it goes ahead only if nobody changed the token since (else
  `PreconditionFailed`).
- Your license key goes to `base_url`'s origin only: a redirect, or a `next` link, to another
  scheme, host or port raises `CrossOriginRefused` before anything is sent there.

Threads: a client may be shared; its one connection serves one request at a time (a lock), so
threads that make many calls at once should each have a client of their own.
"""

from __future__ import annotations

import base64
import http.client
import json
import random
import select
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import datetime, timezone
from email.message import Message
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any, Generic, Literal, TypeVar, Union

__all__ = [
    "UNSET",
    "ApiError",
    "BadRequest",
    "Conflict",
    "ConnectionFailed",
    "CrossOriginRefused",
    "Event",
    "Forbidden",
    "Introspection",
    "Limit",
    "ManagementClient",
    "Model",
    "NewToken",
    "NotFound",
    "OwnToken",
    "Page",
    "PreconditionFailed",
    "QuotaPeriod",
    "RateLimited",
    "SecretLost",
    "ServerError",
    "Token",
    "TokenStatus",
    "Unauthorized",
    "Unprocessable",
]

__version__ = "2"
PAGE_LIMIT = 100  # the most a list's page holds: iter_* and list_* ask for full pages
MAX_REDIRECTS = 5
MAX_BACKOFF = 20.0  # seconds: the longest a backoff grows between two tries
# Retried when the request is safe to repeat: a busy, restarting or unreachable server.
RETRIED_STATUSES = {429, 502, 503, 504}
# Retried for any request: the server says it did not do it.
NOT_DONE_STATUSES = {429, 503}

Json = dict[str, Any]
T = TypeVar("T")


# --- Values --------------------------------------------------------------------------------


class _TextEnum(str, Enum):
    """Members are their text, so they compare equal to it and travel as it in JSON."""

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        # A value this client does not know (a newer server's): a member of its own, so an
        # answer never fails to read and a request sends it for the server to judge.
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member


class TokenStatus(_TextEnum):
    """A token's status. CANCELED is final."""

    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    CANCELED = "CANCELED"


class QuotaPeriod(_TextEnum):
    """When a quota starts over: each day at 00:00 UTC, or each month on the 1st."""

    DAY = "day"
    MONTH = "month"


# Where an argument takes an enum, its text does too, and a type checker still catches typos.
StatusValue = Union[TokenStatus, Literal["ACTIVE", "SUSPENDED", "CANCELED"]]
PeriodValue = Union[QuotaPeriod, Literal["day", "month"]]
Moment = Union[int, float, datetime]  # Unix seconds, or a datetime with its time zone


class _Unset(Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


# "Not given", where None means "set to null": update_token(token_id, quota=None) clears it.
UNSET = _Unset.UNSET


# --- Answers -------------------------------------------------------------------------------


def _known(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """The answer's fields that `cls` has: a newer server's extra fields are left out."""
    names = {item.name for item in dataclass_fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def _period(value: Any) -> QuotaPeriod | None:
    return None if value is None else QuotaPeriod(value)


@dataclass(frozen=True)
class Model:
    """A model; its defaults limit each of its tokens that sets no limits of its own."""

    model_id: str
    name: str
    description: str = ""
    default_rate_limit: int | None = None  # queries per minute
    default_quota: int | None = None  # queries per `default_quota_period`
    default_quota_period: QuotaPeriod | None = None
    created_at: int = 0
    # The ETag of the answer it came in (get_model, update_model); None from a list.
    etag: str | None = field(default=None, compare=False)

    @classmethod
    def from_answer(cls, data: Mapping[str, Any], etag: str | None = None) -> Model:
        values = _known(cls, data)
        values["default_quota_period"] = _period(values.get("default_quota_period"))
        return cls(**values, etag=etag)


@dataclass(frozen=True)
class Token:
    """A token as its provider sees it. The secret is never part of it (see NewToken)."""

    token_id: str
    name: str
    status: TokenStatus
    model_id: str | None
    expires_at: int  # Unix seconds
    note: str = ""
    model_name: str = ""
    expired: bool = False
    needs_new_evk: bool = False  # after a move to another model: its end user needs a new EVK
    hint: str = ""
    rate_limit: int | None = None  # queries per minute; None: the model's default, if any
    quota: int | None = None  # queries per `quota_period`; None: the model's default, if any
    quota_period: QuotaPeriod | None = None
    last_used_at: int | None = None  # Unix seconds, to the minute; None if never used
    last_used_ip: str | None = None
    created_at: int = 0
    updated_at: int = 0
    # The ETag of the answer it came in (get_token, update_token); None from a list or action.
    etag: str | None = field(default=None, compare=False)

    @classmethod
    def _values(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        values = _known(Token, data)
        values["status"] = TokenStatus(values["status"])
        values["quota_period"] = _period(values.get("quota_period"))
        return values

    @classmethod
    def from_answer(cls, data: Mapping[str, Any], etag: str | None = None) -> Token:
        return cls(**cls._values(data), etag=etag)


@dataclass(frozen=True)
class NewToken(Token):
    """
    A token just created, with its `secret`: hand that to the end user now, it is not stored.

    `replayed` is True when this is the server's first answer given again for a retry of the
    same request (Idempotency-Key): the token was made once, its secret is then None, and
    `secret_message` says how to get a new one.
    """

    secret: str | None = field(default=None, repr=False)
    replayed: bool = False
    secret_message: str = ""

    @classmethod
    def from_created(cls, data: Mapping[str, Any], *, replayed: bool) -> NewToken:
        return cls(
            **cls._values(data),
            secret=data.get("token"),
            replayed=replayed,
            secret_message=data.get("secret_message") or "",
        )


@dataclass(frozen=True)
class Limit:
    """Where a token stands under one limit: `remaining` of `limit` until `resets_at`."""

    limit: int
    remaining: int
    period: str  # "minute", "day" or "month"
    resets_at: int  # Unix seconds

    def __getitem__(self, name: str) -> Any:  # limit["remaining"], as when this was a dict
        return getattr(self, name)

    @classmethod
    def from_answer(cls, data: Mapping[str, Any] | None) -> Limit | None:
        return None if data is None else cls(**_known(cls, data))


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
    # The fewest queries left under any limit (None without limits), and each limit.
    remaining: int | None = None
    rate_limit: Limit | None = None
    quota: Limit | None = None
    reason: str | None = None
    retry_after: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)  # fields new to this client

    @property
    def limited(self) -> bool:
        """True for a usable token whose query a limit refuses: answer 429, not 401."""
        return self.reason is not None

    @classmethod
    def from_answer(cls, data: Mapping[str, Any]) -> Introspection:
        values = _known(cls, data)
        values.pop("extra", None)
        values["rate_limit"] = Limit.from_answer(values.get("rate_limit"))
        values["quota"] = Limit.from_answer(values.get("quota"))
        extra = {key: value for key, value in data.items() if key not in values}
        return cls(**values, extra=extra)


@dataclass(frozen=True)
class OwnToken:
    """What an end user may know about their own token (never the provider's note)."""

    token_id: str
    name: str
    status: TokenStatus
    expires_at: int
    model_id: str
    model_name: str
    remaining: int | None = None
    rate_limit: Limit | None = None
    quota: Limit | None = None

    @classmethod
    def from_answer(cls, data: Mapping[str, Any]) -> OwnToken:
        values = _known(cls, data)
        values["status"] = TokenStatus(values["status"])
        values["rate_limit"] = Limit.from_answer(values.get("rate_limit"))
        values["quota"] = Limit.from_answer(values.get("quota"))
        return cls(**values)


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
    changes: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def from_answer(cls, data: Mapping[str, Any]) -> Event:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class Page(Generic[T]):
    """
    One page of a list. `next` is the next page's address (pass the page to
    `client.next_page()`), None on the last; `count` only when asked for (`count=True`),
    exact up to 5,000 (`count_is_capped` says when more match).
    """

    results: list[T]
    has_more: bool
    next: str | None
    count: int | None = None
    count_is_capped: bool | None = None
    _read: Callable[[Json], T] | None = field(default=None, repr=False, compare=False)


# --- Errors --------------------------------------------------------------------------------


class ApiError(Exception):
    """
    The API refused a request, or no answer came. `message` says why, `status` is the HTTP
    status (0 when there was no answer), `code` the rule's stable name, `errors` the messages
    per request field, `request_id` the server's id for the request (quote it when you ask the
    console's operators), `retry_after` the seconds the server asked to wait, if it did.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str = "",
        errors: dict[str, list[str]] | None = None,
        request_id: str = "",
        retry_after: int | None = None,
    ):
        self.message = message
        self.status = status
        self.code = code
        self.errors = errors or {}
        self.request_id = request_id
        self.retry_after = retry_after
        details = [f"HTTP {status}"] if status else []
        if request_id:
            details.append(f"request {request_id}")
        super().__init__(f"{message} ({', '.join(details)})" if details else message)


class BadRequest(ApiError):
    """400: invalid input (see `errors`); nothing changed."""


class Unauthorized(ApiError):
    """401: a missing, invalid or revoked license key (or an unusable end-user token)."""


class Forbidden(ApiError):
    """403: the key may not do this (its creator is a Viewer, or it is a Gateway key)."""


class NotFound(ApiError):
    """404: no such object among yours."""


class Conflict(ApiError):
    """409: a rule forbids it now (already assigned, cancelled, name taken...)."""


class PreconditionFailed(ApiError):
    """412: changed since you read it (If-Match); nothing changed: get it again."""


class Unprocessable(ApiError):
    """422: this Idempotency-Key was used with another request."""


class RateLimited(ApiError):
    """429: too many requests; `retry_after` says how many seconds to wait."""


class ServerError(ApiError):
    """5xx: the server failed, or the database is briefly unreachable (503, Retry-After)."""


class ConnectionFailed(ApiError, OSError):
    """
    No answer: the server could not be reached, or the connection failed before its answer
    came. The OSError is its `__cause__`. An OSError too, as urllib's errors were.
    """

    def __init__(self, message: str, *, sent: bool = True):
        super().__init__(message, status=0, code="connection_failed")
        self.sent = sent  # False when the request surely never reached the server


class CrossOriginRefused(ApiError):
    """
    A redirect (`status` its 3xx) or a list's `next` link (`status` 0) pointed at another
    origin: nothing was sent there, least of all your license key.
    """


class SecretLost(ApiError):
    """
    generate_query_token() got the answer of a retried creation given again: the token was
    made (`token_id`), but its secret is shown once and that first answer was lost.
    """

    def __init__(self, token: NewToken):
        super().__init__(
            token.secret_message
            or f"Token {token.token_id} was created, but its secret was lost with the first "
            "answer: delete it and create another.",
            status=201,
            code="secret_not_replayed",
        )
        self.token_id = token.token_id


ERRORS_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    422: Unprocessable,
    429: RateLimited,
}


# --- The client ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    headers: Message
    body: bytes

    def json(self) -> Any:
        """The body, which the API always answers in JSON: else not the API that answered."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            raise ApiError(
                f"The answer was not JSON ({self.header('Content-Type')}): is base_url the "
                "console's address?",
                status=self.status,
                code="not_json",
            ) from None

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


Origin = tuple[str, str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> Origin:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"Give an http:// or https:// address, not {url!r}.")
    return scheme, parts.hostname.lower(), parts.port or DEFAULT_PORTS[scheme]


class ManagementClient:
    """
    Manage models and tokens as the provider whose license key this is.

    `timeout`: seconds to wait for the server at each step (connecting, each read).
    `max_attempts`: tries per call, the first included (1: never retry).
    `max_wait`: the most seconds one call spends waiting between tries; a `Retry-After`
    longer than what is left raises at once, with its `retry_after`.
    `backoff`: the first wait after a failure, doubled after each (with jitter).
    `ssl_context`: for HTTPS, to trust your own certificate authority.
    Proxies come from the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), as urllib's.
    """

    def __init__(
        self,
        license_key: str,
        base_url: str = "http://127.0.0.1:8000",
        *,
        timeout: float = 30,
        max_attempts: int = 5,
        max_wait: float = 60,
        backoff: float = 0.5,
        ssl_context: ssl.SSLContext | None = None,
    ):
        if max_attempts < 1:
            raise ValueError("max_attempts counts the first try too: give 1 or more.")
        self._license_key = license_key
        self._origin = _origin(base_url)
        parts = urllib.parse.urlsplit(base_url)
        self.base_url = f"{parts.scheme.lower()}://{parts.netloc}{parts.path.rstrip('/')}/api/v1/"
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self.backoff = backoff
        self._ssl_context = ssl_context
        self._proxy = _proxy_for(parts.scheme.lower(), parts.hostname or "")
        self._connection: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()
        self._sleep: Callable[[float], None] = time.sleep
        self._user_agent = (
            f"token-console-client/{__version__} Python/{sys.version_info[0]}.{sys.version_info[1]}"
        )

    def __repr__(self) -> str:  # never shows the key
        return f"ManagementClient(base_url={self.base_url!r})"

    def __enter__(self) -> ManagementClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection; the next call opens a new one."""
        with self._lock:
            self._drop_connection()

    # --- Models ---------------------------------------------------------------------------

    def create_model(
        self,
        name: str,
        description: str = "",
        *,
        default_rate_limit: int | None = None,
        default_quota: int | None = None,
        default_quota_period: PeriodValue | None = None,
    ) -> str:
        """
        Register a model; returns its `model_id`. Its default limits (queries per minute, and
        per day or month) apply to each of its tokens that sets none of its own.
        """
        body = _given(
            name=name,
            description=description,
            default_rate_limit=default_rate_limit,
            default_quota=default_quota,
            default_quota_period=default_quota_period,
        )
        return str(self._call("POST", "models", json_body=body).json()["model_id"])

    def get_model(self, model_id: str) -> Model:
        answer = self._call("GET", f"models/{_quote(model_id)}")
        return Model.from_answer(answer.json(), answer.header("ETag"))

    def update_model(
        self,
        model_id: str,
        *,
        name: str | _Unset = UNSET,
        description: str | _Unset = UNSET,
        default_rate_limit: int | _Unset | None = UNSET,
        default_quota: int | _Unset | None = UNSET,
        default_quota_period: PeriodValue | _Unset | None = UNSET,
        if_match: str | Model | None = None,
    ) -> Model:
        """Change what is given; None clears a default. `if_match`: only if unchanged since."""
        body = _changes(
            name=name,
            description=description,
            default_rate_limit=default_rate_limit,
            default_quota=default_quota,
            default_quota_period=default_quota_period,
        )
        answer = self._call(
            "PATCH", f"models/{_quote(model_id)}", json_body=body, if_match=_etag(if_match)
        )
        return Model.from_answer(answer.json(), answer.header("ETag"))

    def models_page(self, *, limit: int | None = None, count: bool = False) -> Page[Model]:
        """The first page of your models, by name (`next_page()` for the next)."""
        return self._page("models", {"limit": limit, "count": count or None}, Model.from_answer)

    def iter_models(self) -> Iterator[Model]:
        """Every model of yours, by name, page after page."""
        yield from self._every(self._page("models", {"limit": PAGE_LIMIT}, Model.from_answer))

    def list_models(self) -> list[Model]:
        """Every model of yours, by name."""
        return list(self.iter_models())

    # --- Tokens ---------------------------------------------------------------------------

    def create_token(
        self,
        name: str,
        *,
        model_id: str | None = None,
        note: str = "",
        expires_at: Moment | None = None,
        rate_limit: int | None = None,
        quota: int | None = None,
        quota_period: PeriodValue | None = None,
    ) -> NewToken:
        """
        Create a token; its `secret` is in this answer only: hand it to the end user, do not
        store it. Without `model_id` it is unassigned. Without `rate_limit` (queries per
        minute) or `quota` (per `quota_period`, a day unless a month), the model's defaults
        apply; without `expires_at`, it expires in 30 days.
        """
        body: Json = {"name": name, "model_id": model_id, "note": note}
        body.update(
            _given(
                expires_at=expires_at, rate_limit=rate_limit, quota=quota, quota_period=quota_period
            )
        )
        answer = self._call("POST", "tokens", json_body=body)
        replayed = (answer.header("Idempotent-Replayed") or "").lower() == "true"
        return NewToken.from_created(answer.json(), replayed=replayed)

    def generate_query_token(
        self,
        model_id: str | None,
        name: str,
        *,
        note: str = "",
        expires_at: Moment | None = None,
        rate_limit: int | None = None,
        quota: int | None = None,
        quota_period: PeriodValue | None = None,
    ) -> tuple[str, str]:
        """
        The product docs' name: create a token and return `(token_id, token)`, the token
        being the secret (shown only now). Raises SecretLost in the rare case where a retry
        got the first answer again without it.
        """
        created = self.create_token(
            name,
            model_id=model_id,
            note=note,
            expires_at=expires_at,
            rate_limit=rate_limit,
            quota=quota,
            quota_period=quota_period,
        )
        if created.secret is None:
            raise SecretLost(created)
        return created.token_id, created.secret

    def get_token(self, token_id: str) -> Token:
        answer = self._call("GET", _token_path(token_id))
        return Token.from_answer(answer.json(), answer.header("ETag"))

    def update_token(
        self,
        token_id: str,
        *,
        name: str | _Unset = UNSET,
        note: str | _Unset = UNSET,
        expires_at: Moment | _Unset = UNSET,
        status: StatusValue | _Unset = UNSET,
        model_id: str | _Unset | None = UNSET,
        rate_limit: int | _Unset | None = UNSET,
        quota: int | _Unset | None = UNSET,
        quota_period: PeriodValue | _Unset | None = UNSET,
        if_match: str | Token | None = None,
    ) -> Token:
        """
        Change what is given. `model_id=None` removes the assignment; `rate_limit=None` or
        `quota=None` hands the limit back to the model's default. `if_match` (the token you
        read, or its ETag): only if nobody changed it since, else PreconditionFailed.
        """
        body = _changes(
            name=name,
            note=note,
            expires_at=expires_at,
            status=status,
            model_id=model_id,
            rate_limit=rate_limit,
            quota=quota,
            quota_period=quota_period,
        )
        answer = self._call(
            "PATCH", _token_path(token_id), json_body=body, if_match=_etag(if_match)
        )
        return Token.from_answer(answer.json(), answer.header("ETag"))

    def delete_token(self, token_id: str, *, if_match: str | Token | None = None) -> None:
        """Delete a token. Retried after a lost answer, a 404 means the first try deleted it."""
        self._call("DELETE", _token_path(token_id), if_match=_etag(if_match))

    def assign_token_to_model(
        self, token_id: str, model_id: str, *, if_match: str | Token | None = None
    ) -> Token:
        """Assign an unassigned token. Check `needs_new_evk` on the answer after a move."""
        return self._token_action(token_id, "assign", {"model_id": model_id}, if_match)

    def remove_token_assignment(
        self, token_id: str, *, if_match: str | Token | None = None
    ) -> Token:
        return self._token_action(token_id, "unassign", None, if_match)

    def renew_token(self, token_id: str, *, if_match: str | Token | None = None) -> Token:
        """Its expiration becomes now plus the default lifetime (30 days)."""
        return self._token_action(token_id, "renew", None, if_match)

    def cancel_token(self, token_id: str, *, if_match: str | Token | None = None) -> Token:
        """Cancel a token for good."""
        return self._token_action(token_id, "cancel", None, if_match)

    def tokens_page(
        self,
        *,
        name: str | None = None,
        status: StatusValue | Sequence[StatusValue] | None = None,
        model: str | None = None,
        assigned: bool | None = None,
        expired: bool | None = None,
        used: Literal["not_for_30_days", "never"] | None = None,
        sort: str | None = None,
        expires_after: Moment | None = None,
        expires_before: Moment | None = None,
        created_after: Moment | None = None,
        created_before: Moment | None = None,
        limit: int | None = None,
        count: bool = False,
    ) -> Page[Token]:
        """
        The first page of your tokens matching the Tokens List's filters: `name` contains,
        `status` (one or several), `model` (a model_id), `assigned`, `expired`, `used`, and
        moments (`expires_after` and `created_after` from then on, `*_before` before then).
        `sort`: name, model, status, expires, created or last_used, with a leading "-" for
        descending (default "-created").
        """
        filters = {
            "name": name,
            "status": status,
            "model": model,
            "assigned": _yes_no(assigned),
            "expired": _yes_no(expired),
            "used": used,
            "sort": sort,
            "expires_after": expires_after,
            "expires_before": expires_before,
            "created_after": created_after,
            "created_before": created_before,
            "limit": limit,
            "count": count or None,
        }
        return self._page("tokens", filters, Token.from_answer)

    def iter_tokens(
        self,
        *,
        name: str | None = None,
        status: StatusValue | Sequence[StatusValue] | None = None,
        model: str | None = None,
        assigned: bool | None = None,
        expired: bool | None = None,
        used: Literal["not_for_30_days", "never"] | None = None,
        sort: str | None = None,
        expires_after: Moment | None = None,
        expires_before: Moment | None = None,
        created_after: Moment | None = None,
        created_before: Moment | None = None,
    ) -> Iterator[Token]:
        """Your tokens matching the filters (see tokens_page), page after page, as they come."""
        yield from self._every(
            self.tokens_page(
                name=name,
                status=status,
                model=model,
                assigned=assigned,
                expired=expired,
                used=used,
                sort=sort,
                expires_after=expires_after,
                expires_before=expires_before,
                created_after=created_after,
                created_before=created_before,
                limit=PAGE_LIMIT,
            )
        )

    def list_tokens(
        self,
        *,
        name: str | None = None,
        status: StatusValue | Sequence[StatusValue] | None = None,
        model: str | None = None,
        assigned: bool | None = None,
        expired: bool | None = None,
        used: Literal["not_for_30_days", "never"] | None = None,
        sort: str | None = None,
        expires_after: Moment | None = None,
        expires_before: Moment | None = None,
        created_after: Moment | None = None,
        created_before: Moment | None = None,
    ) -> list[Token]:
        """
        Every one of your tokens matching the filters (see tokens_page), however many: for
        example `list_tokens(status=TokenStatus.ACTIVE, model=model_id, sort="expires")`.
        """
        return list(
            self.iter_tokens(
                name=name,
                status=status,
                model=model,
                assigned=assigned,
                expired=expired,
                used=used,
                sort=sort,
                expires_after=expires_after,
                expires_before=expires_before,
                created_after=created_after,
                created_before=created_before,
            )
        )

    # --- The gateway's calls --------------------------------------------------------------

    def introspect(
        self, token: str, *, cost: int | None = None, client_ip: str | None = None
    ) -> Introspection:
        """
        May this end user's token be used for a query now, for which model, and what remains?
        (RFC 7662.) `cost` counts that many queries (0 checks without counting); `client_ip`
        is the end user's address, shown as the token's last address.

        A check that counts is retried only when the server surely did not count it (it was
        never sent, or answered 429 or 503): counting it twice is worse than one failed check.
        Give a gateway's client a short `max_wait` and `timeout`.
        """
        form = {"token": token, "cost": cost, "client_ip": client_ip}
        answer = self._call("POST", "introspect", form=form, repeatable=cost == 0)
        return Introspection.from_answer(answer.json())

    def get_own_token(self, token: str) -> OwnToken:
        """
        An end user's view of their own token, asked with that token rather than your license
        key (`GET /api/v1/token`): what remains of its limits. Records its use, counts none.
        """
        return OwnToken.from_answer(self._call("GET", "token", credential=token).json())

    # --- Events ---------------------------------------------------------------------------

    def events_page(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
        limit: int | None = None,
        count: bool = False,
    ) -> Page[Event]:
        """
        The first page of your provider's events, newest first, with Activity's filters:
        `actor` ("user:12", "key:lic_…"), `action` ("token.cancelled"), `target` (its name
        contains), `since` and `until` (moments).
        """
        filters = {
            "actor": actor,
            "action": action,
            "target": target,
            "since": since,
            "until": until,
            "limit": limit,
            "count": count or None,
        }
        return self._page("events", filters, Event.from_answer)

    def iter_events(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
    ) -> Iterator[Event]:
        """
        Every change in your provider, newest first, page after page: for example
        `iter_events(action="token.cancelled", since=1767225600)`.
        """
        first = self.events_page(
            actor=actor, action=action, target=target, since=since, until=until, limit=PAGE_LIMIT
        )
        yield from self._every(first)

    def list_events(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
    ) -> list[Event]:
        """Your events matching Activity's filters (see events_page), all of them."""
        return list(
            self.iter_events(actor=actor, action=action, target=target, since=since, until=until)
        )

    # --- Pages ----------------------------------------------------------------------------

    def next_page(self, page: Page[T]) -> Page[T] | None:
        """The page after `page`, by its `next` link; None after the last."""
        if page.next is None or page._read is None:
            return None
        return self._page(page.next, {}, page._read)

    def _page(self, path: str, params: Mapping[str, object], read: Callable[[Json], T]) -> Page[T]:
        data = self._call("GET", path + _query(params)).json()
        return Page(
            results=[read(item) for item in data["results"]],
            has_more=bool(data["has_more"]),
            next=data.get("next"),
            count=data.get("count"),
            count_is_capped=data.get("count_is_capped"),
            _read=read,
        )

    def _every(self, page: Page[T]) -> Iterator[T]:
        current: Page[T] | None = page
        while current is not None:
            yield from current.results
            current = self.next_page(current)

    def _token_action(
        self, token_id: str, action: str, body: Json | None, if_match: str | Token | None
    ) -> Token:
        path = _token_path(token_id, action)
        answer = self._call("POST", path, json_body=body, if_match=_etag(if_match))
        return Token.from_answer(answer.json(), answer.header("ETag"))

    # --- HTTP -----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path_or_url: str,
        *,
        json_body: Json | None = None,
        form: Mapping[str, object] | None = None,
        if_match: str | None = None,
        credential: str | None = None,
        repeatable: bool | None = None,
    ) -> _Answer:
        """
        Send one request, retried where that is safe, and return its answer; raise the
        ApiError for any other than 2xx. `repeatable`: whether sending it twice is harmless;
        by default it is (GET, PATCH and DELETE are, and a POST is made so by its key).
        """
        url = self._url(path_or_url)
        headers = {
            "Authorization": f"Bearer {credential or self._license_key}",
            "Accept": "application/json",
            "User-Agent": self._user_agent,
        }
        payload = None
        if json_body is not None:
            payload = json.dumps({key: _plain(value) for key, value in json_body.items()}).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            payload = _query(form).lstrip("?").encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if if_match is not None:
            headers["If-Match"] = if_match
        if repeatable is None:
            # The server keeps each POST's answer under its key for a day and replays it for a
            # retry: the key makes every POST safe to send again. (The gateway's checks are
            # not kept, which is why introspect() says for itself whether it may be repeated.)
            if method == "POST":
                headers["Idempotency-Key"] = str(uuid.uuid4())
            repeatable = True
        return self._send(method, url, payload, headers, repeatable)

    def _send(
        self, method: str, url: str, payload: bytes | None, headers: dict[str, str], repeat: bool
    ) -> _Answer:
        attempt, waited, redirects, answer_lost = 1, 0.0, 0, False
        while True:
            try:
                answer = self._exchange(method, url, payload, headers)
            except ConnectionFailed as failure:
                wait = self._backoff(attempt)
                may_repeat = repeat or not failure.sent
                if not (may_repeat and self._may_wait(attempt, waited, wait)):
                    raise
                answer_lost = answer_lost or failure.sent
            else:
                if 200 <= answer.status < 300:
                    return answer
                if method == "DELETE" and answer.status == 404 and answer_lost:
                    return answer  # the try whose answer was lost deleted it: done, as asked
                if 300 <= answer.status < 400:
                    url = self._redirect_target(method, url, answer, redirects)
                    redirects += 1
                    continue
                error = _error(answer)
                if not _retried(answer, error, repeat):
                    raise error
                wait = self._backoff(attempt)
                if error.retry_after is not None:
                    wait = error.retry_after + random.uniform(0, self.backoff)  # noqa: S311 - jitter
                if not self._may_wait(attempt, waited, wait):
                    raise error
            self._sleep(wait)
            attempt, waited = attempt + 1, waited + wait

    def _may_wait(self, attempt: int, waited: float, wait: float) -> bool:
        return attempt < self.max_attempts and waited + wait <= self.max_wait

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: half the doubled wait, plus up to as much again."""
        ceiling = min(MAX_BACKOFF, self.backoff * 2.0 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not a secret

    def _url(self, path_or_url: str) -> str:
        """An API path's address, or an address the server gave, if it is the API's origin."""
        if "://" not in path_or_url:
            return self.base_url + path_or_url
        try:
            same_origin = _origin(path_or_url) == self._origin
        except ValueError:
            same_origin = False
        if not same_origin:
            raise CrossOriginRefused(
                f"A list's next page is at {path_or_url}, another origin than {self.base_url}: "
                "the client does not send your license key there. (Behind a proxy that ends "
                "HTTPS, the console needs USE_X_FORWARDED_PROTO to build https:// links.)",
                status=0,
                code="cross_origin",
            )
        return path_or_url

    def _redirect_target(self, method: str, url: str, answer: _Answer, redirects: int) -> str:
        """Where a GET's redirect leads, on the API's origin; a redirect to another origin, or
        of another method, raises."""
        location = answer.header("Location")
        if location is None:
            raise _error(answer)
        location = urllib.parse.urljoin(url, location)
        try:
            same_origin = _origin(location) == self._origin
        except ValueError:
            same_origin = False
        if not same_origin:
            raise CrossOriginRefused(
                f"The server redirected {method} {url} to {location}, another origin: the client "
                "does not send your license key there. If the console moved, create the client "
                "with its new base_url.",
                status=answer.status,
                code="cross_origin_redirect",
            )
        if method != "GET" or redirects >= MAX_REDIRECTS:
            raise ApiError(
                f"The server redirected {method} {url} to {location}: the client follows up to "
                f"{MAX_REDIRECTS} redirects of a GET, and none of a change.",
                status=answer.status,
                code="redirect",
            )
        return location

    def _exchange(
        self, method: str, url: str, payload: bytes | None, headers: dict[str, str]
    ) -> _Answer:
        """One request and its answer, on the kept connection (a new one if it was closed)."""
        parts = urllib.parse.urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if self._proxy is not None and self._origin[0] == "http":
            target = url  # a plain-HTTP proxy takes the whole address
            headers = {**headers, **self._proxy_headers()}
        with self._lock:
            connection = self._ready_connection()
            try:
                connection.request(method, target, body=payload, headers=headers)
            except OSError as error:
                # Not sent whole, so never run: a server runs a request once it has all of it.
                raise self._failed(f"{method} {parts.path}", error, sent=False) from error
            try:
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                # Sent: the server may have run it, and only lost its answer.
                raise self._failed(f"{method} {parts.path}", error, sent=True) from error
            if response.will_close:
                self._drop_connection()
            return _Answer(response.status, response.reason, response.msg, body)

    def _failed(self, request: str, error: BaseException, *, sent: bool) -> ConnectionFailed:
        self._drop_connection()
        return ConnectionFailed(
            f"No answer from {self.base_url} to {request}: {_describe(error)}.", sent=sent
        )

    def _ready_connection(self) -> http.client.HTTPConnection:
        """The kept connection if the server has not closed it, else a new one (connected)."""
        connection = self._connection
        if connection is not None and not _is_dropped(connection.sock):
            return connection
        self._drop_connection()
        connection = self._new_connection()
        try:
            connection.connect()
        except OSError as error:
            connection.close()
            raise ConnectionFailed(
                f"Could not connect to {self.base_url}: {_describe(error)}.", sent=False
            ) from error
        self._connection = connection
        return connection

    def _new_connection(self) -> http.client.HTTPConnection:
        scheme, host, port = self._origin
        if self._proxy is None:
            if scheme == "https":
                return http.client.HTTPSConnection(
                    host, port, timeout=self.timeout, context=self._ssl_context
                )
            return http.client.HTTPConnection(host, port, timeout=self.timeout)
        proxy_host, proxy_port = self._proxy.hostname or "", self._proxy.port or 80
        if scheme == "http":
            return http.client.HTTPConnection(proxy_host, proxy_port, timeout=self.timeout)
        tunnel = http.client.HTTPSConnection(
            proxy_host, proxy_port, timeout=self.timeout, context=self._ssl_context
        )
        tunnel.set_tunnel(host, port, headers=self._proxy_headers())
        return tunnel

    def _proxy_headers(self) -> dict[str, str]:
        if self._proxy is None or self._proxy.username is None:
            return {}
        user = urllib.parse.unquote(self._proxy.username)
        password = urllib.parse.unquote(self._proxy.password or "")
        credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Proxy-Authorization": f"Basic {credentials}"}

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


# --- Plumbing ------------------------------------------------------------------------------


def _proxy_for(scheme: str, host: str) -> urllib.parse.SplitResult | None:
    """The environment's proxy for this scheme and host, as urllib would use, if any."""
    proxy = urllib.request.getproxies().get(scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")


def _is_dropped(sock: socket.socket | None) -> bool:
    """Whether the server closed a kept connection: an idle one has nothing to read."""
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _describe(error: BaseException) -> str:
    if isinstance(error, socket.timeout):
        return "timed out"
    return str(error) or type(error).__name__


def _retried(answer: _Answer, error: ApiError, repeat: bool) -> bool:
    """Whether this error answer may be retried: never other 4xx."""
    if answer.status in NOT_DONE_STATUSES:
        return True
    if not repeat:
        return False
    # The same Idempotency-Key while the first request still runs: its answer comes soon.
    return answer.status in RETRIED_STATUSES or error.code == "idempotency_key_in_use"


def _error(answer: _Answer) -> ApiError:
    """The ApiError for an answer other than 2xx, with the server's message and fields."""
    try:
        body = answer.json()
    except ApiError:  # not the API's error envelope: a proxy's page, say
        body = None
    if not isinstance(body, dict):
        body = {}
    status = answer.status
    cls = ERRORS_BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    message = body.get("message") or answer.reason or "The request failed."
    return cls(
        str(message),
        status=status,
        code=str(body.get("code") or ""),
        errors=body.get("errors") if isinstance(body.get("errors"), dict) else None,
        request_id=str(body.get("request_id") or answer.header("X-Request-ID") or ""),
        retry_after=_seconds(answer.header("Retry-After")),
    )


def _seconds(retry_after: str | None) -> int | None:
    """Retry-After in seconds: a number, or an HTTP date from now."""
    if retry_after is None:
        return None
    text = retry_after.strip()
    if text.isdigit():
        return int(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0, int(moment.timestamp() - time.time()))


def _etag(if_match: str | Token | Model | None) -> str | None:
    if if_match is None or isinstance(if_match, str):
        return if_match
    if if_match.etag is None:
        raise ValueError(
            f"This {type(if_match).__name__} came from a list or an action, which answer no "
            "ETag: get it again (get_token, get_model) to change it only if still as read."
        )
    return if_match.etag


def _plain(value: object) -> object:
    """A value as JSON and query strings take it: enums as their text, moments as seconds."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("Give a datetime with its time zone (or Unix seconds).")
        return int(value.timestamp())
    if isinstance(value, float):
        return int(value)
    return value


def _given(**values: object) -> Json:
    """The arguments that were given (not None): the others are left to the server."""
    return {key: value for key, value in values.items() if value is not None}


def _changes(**values: object) -> Json:
    """The changes asked for: every argument given, None included (it clears the field)."""
    return {key: value for key, value in values.items() if value is not UNSET}


def _yes_no(value: bool | None) -> str | None:
    if value is None or isinstance(value, str):  # "yes" and "no", as the list's pages say
        return value
    return "yes" if value else "no"


def _quote(part: str) -> str:
    return urllib.parse.quote(str(part), safe="")


def _token_path(token_id: str, action: str = "") -> str:
    return f"tokens/{_quote(token_id)}" + (f"/{action}" if action else "")


def _query(params: Mapping[str, object]) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        items = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
        for item in items:
            plain = _plain(item)
            if plain is not None:
                pairs.append((key, "true" if plain is True else str(plain)))
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""
