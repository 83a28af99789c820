"""
Safe retries of the JSON API's writes: `Idempotency-Key: <any text>` on a POST.

The first request with a key runs, and its answer is kept for 24 hours under the license key
that sent it; a retry with the same key and the same request gets that answer again (with
`Idempotent-Replayed: true`), not a second object. The same key with another request (method,
path, query or body) is refused with 422, and a retry while the first still runs with 409.
Answers of 5xx are not kept, so those can be retried for real.

Secrets are never kept: a replayed token creation answers the token with `"token": null` and
says how to get a new secret. A request whose key cannot be used (missing or bad license key) is
left to the view, which refuses it; nothing is kept for it.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from console.api.authentication import bearer_credentials
from console.api.errors import error_body
from console.api.models import IdempotentRequest, LicenseKey
from console.api.services import authenticate_license_key

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_FOR = timedelta(hours=24)
# A first request that has not finished in this long is taken to have died with its process.
ABANDONED_AFTER = timedelta(minutes=2)
SANE_KEY = re.compile(r"[\x21-\x7e]{1,255}")
KEPT_HEADERS = ("Content-Type", "Location", "ETag")
# Fields of an answer that hold a secret shown once: never kept, never replayed.
SECRET_FIELDS = {"token"}
REPLAYED_CREATION = (
    "This token's secret was shown once, in the first answer to this request, and is not "
    "stored. If it was lost, delete this token and create another."
)
# The gateway's checks are reads: retrying them is already safe.
NOT_FOR = ("/api/v1/introspect", "/api/v1/token")


class IdempotencyMiddleware:
    """Keeps and replays the answers of API POSTs that carry an `Idempotency-Key`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        idempotency_key = request.headers.get(HEADER)
        if (
            idempotency_key is None
            or request.method != "POST"
            or not request.path_info.startswith("/api/v1/")
            or request.path_info in NOT_FOR
        ):
            return self.get_response(request)
        if not SANE_KEY.fullmatch(idempotency_key):
            message = f"Send an {HEADER} of 1 to 255 visible ASCII characters, no spaces."
            return _refusal(request, 400, message, "invalid", {HEADER: [message]})
        license_key = _license_key(request)
        if license_key is None:
            return self.get_response(request)  # the view refuses it, and nothing is kept
        fingerprint = _fingerprint(request)
        kept, answer = _claim(request, license_key, idempotency_key, fingerprint)
        if answer is not None:
            return answer
        response = self.get_response(request)
        _keep(kept, response)
        return response


def _license_key(request: HttpRequest) -> LicenseKey | None:
    try:
        presented = bearer_credentials(request)
    except Exception:  # a malformed header: the view says what is wrong with it
        return None
    return authenticate_license_key(presented) if presented else None


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), request.content_type or ""):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _claim(
    request: HttpRequest, license_key: LicenseKey, idempotency_key: str, fingerprint: str
) -> tuple[IdempotentRequest, HttpResponse | None]:
    """This request's record, claimed for it; or the answer to give instead of running it."""
    now = timezone.now()
    with transaction.atomic():
        IdempotentRequest.objects.filter(
            license_key=license_key, created_at__lt=now - KEPT_FOR
        ).delete()
        kept = (
            IdempotentRequest.objects.select_for_update()
            .filter(license_key=license_key, key=idempotency_key)
            .first()
        )
        if kept is None:
            try:
                with transaction.atomic():
                    kept = IdempotentRequest.objects.create(
                        license_key=license_key,
                        key=idempotency_key,
                        fingerprint=fingerprint,
                        created_at=now,
                    )
            except IntegrityError:  # another request with this key got here first
                return IdempotentRequest(), _in_progress(request)
            return kept, None
        if kept.fingerprint != fingerprint:
            message = (
                f"This {HEADER} was already used with another request. Use a new key for a "
                "new request, and the same request body to retry one."
            )
            return kept, _refusal(request, 422, message, "idempotency_key_reused")
        if kept.status is not None:
            return kept, _replay(kept)
        if kept.created_at > now - ABANDONED_AFTER:
            return kept, _in_progress(request)
        kept.created_at = now  # its first request died: this one runs in its place
        kept.save(update_fields=["created_at"])
        return kept, None


def _keep(kept: IdempotentRequest, response: HttpResponse) -> None:
    if response.status_code >= 500 or response.streaming:
        IdempotentRequest.objects.filter(pk=kept.pk).delete()  # retried for real
        return
    body = response.content
    try:
        answer = json.loads(body) if body else None
    except ValueError:
        answer = None
    if isinstance(answer, dict) and SECRET_FIELDS & answer.keys():
        answer = {**answer, **dict.fromkeys(SECRET_FIELDS & answer.keys())}
        answer["secret_message"] = REPLAYED_CREATION
        body = json.dumps(answer).encode()
    IdempotentRequest.objects.filter(pk=kept.pk).update(
        status=response.status_code,
        body=body.decode("utf-8", errors="replace"),
        headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
    )


def _replay(kept: IdempotentRequest) -> HttpResponse:
    assert kept.status is not None
    response = HttpResponse(kept.body, status=kept.status, headers=kept.headers)
    response[REPLAYED_HEADER] = "true"
    return response


def _in_progress(request: HttpRequest) -> HttpResponse:
    message = f"A request with this {HEADER} is still running: retry it in a moment."
    response = _refusal(request, 409, message, "idempotency_key_in_use")
    response["Retry-After"] = "1"
    return response


def _refusal(
    request: HttpRequest, status: int, message: str, code: str, errors: dict | None = None
) -> HttpResponse:
    return JsonResponse(error_body(request, message, code, errors), status=status)
