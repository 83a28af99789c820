"""
The least a token check must do, as one plain Django view: the floor introspection is held to.

Reads the form body's `token`, digests it as `console.keys.digest` does (HMAC-SHA256 under
TOKEN_DIGEST_KEY), makes one indexed SELECT by digest on the console's token table, compares the
digest in constant time and answers `{"active": ...}`. Active means what the console means
without a license key's provider: ACTIVE, unexpired and assigned to a model. No ORM, no
middleware: only Django's request, URL resolution, cursor and JsonResponse.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

# tokens.models.Token's table and columns, written out: this server installs no app, so it has
# no models (tests/test_benchmark_command.py checks them against Token's metadata).
TOKEN_TABLE = "tokens_token"  # noqa: S105 - a table name, not a secret
ACTIVE = "ACTIVE"


@sensitive_variables("value")
def digest(value: str) -> str:
    """The digest the console stores for `value` (see console.keys.digest)."""
    return hmac.new(settings.TOKEN_DIGEST_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


@csrf_exempt
@require_POST
@sensitive_variables("presented", "wanted")
def introspect(request: HttpRequest) -> JsonResponse:
    presented = request.POST.get("token", "")
    wanted = digest(presented)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT token_id, digest, status, model_id, expires_at > %s "  # noqa: S608 - constant
            f"FROM {connection.ops.quote_name(TOKEN_TABLE)} WHERE digest = %s",
            [now, wanted],
        )
        row = cursor.fetchone()
    if row is None or not hmac.compare_digest(row[1], wanted):
        return JsonResponse({"active": False})
    token_id, _, status, model_id, unexpired = row
    if status != ACTIVE or model_id is None or not unexpired:
        return JsonResponse({"active": False})
    return JsonResponse({"active": True, "token_id": token_id})
