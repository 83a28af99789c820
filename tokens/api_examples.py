"""
What the OpenAPI schema shows of tokens: an example of each request and answer of the tokens
endpoints, introspection and the end user's own token, for the API docs page and for the clients
and tests generated from the schema. tests/test_api_schema.py checks each one against its schema.
"""

from drf_spectacular.utils import OpenApiExample

# Made up for the docs: no console holds them.
TOKEN_ID = "tok_4fQm2ZpR8sLx0bN7cVhK"  # noqa: S105
MODEL_ID = "mdl_9aTk3WvQ1eYs6uJm2PdL"
SECRET = "uat_wl2BUvKE4QegjSJGVa146ddrC0AaH9OhkhAjIf7tpJI3fJLii"  # noqa: S105

TOKEN = {
    "token_id": TOKEN_ID,
    "name": "alice-laptop",
    "note": "VIP: renew on request",
    "status": "ACTIVE",
    "model_id": MODEL_ID,
    "model_name": "Sentiment v2",
    "expires_at": 1798695346,
    "expired": False,
    "needs_new_evk": False,
    "hint": "uat_…JLii",
    "rate_limit": 60,
    "quota": None,
    "quota_period": None,
    "last_used_at": 1796103300,
    "last_used_ip": "203.0.113.7",
    "created_at": 1796103346,
    "updated_at": 1796103346,
}
UNASSIGNED_TOKEN = {
    **TOKEN,
    "model_id": None,
    "model_name": "",
    "last_used_at": None,
    "last_used_ip": None,
}

A_TOKEN = OpenApiExample("A token", value=TOKEN)
A_PAGE_OF_TOKENS = OpenApiExample("A page of tokens", value=TOKEN)  # paged by the schema
A_NEW_TOKEN = OpenApiExample(
    "A new token, with its secret",
    value={**TOKEN, "note": "", "rate_limit": None, "last_used_at": None, "last_used_ip": None}
    | {"token": SECRET},
)
AN_UNASSIGNED_TOKEN = OpenApiExample("A token without a model", value=UNASSIGNED_TOKEN)
A_CANCELLED_TOKEN = OpenApiExample("A cancelled token", value={**TOKEN, "status": "CANCELED"})

CREATE_TOKEN = OpenApiExample(
    "A token for a model",
    value={"name": "alice-laptop", "model_id": MODEL_ID, "rate_limit": 60},
    request_only=True,
)
CREATE_UNASSIGNED_TOKEN = OpenApiExample(
    "A token to assign later",
    value={"name": "spare", "note": "For the next new hire"},
    request_only=True,
)
UPDATE_TOKEN = OpenApiExample(
    "Suspend it, with a note",
    value={"status": "SUSPENDED", "note": "Paused while the invoice is late"},
    request_only=True,
)
ASSIGN_TOKEN = OpenApiExample(
    "The model to assign", value={"model_id": MODEL_ID}, request_only=True
)

# --- Introspection and the end user's own token ----------------------------------------------

LIMITS = {
    "remaining": 59,
    "rate_limit": {"limit": 60, "remaining": 59, "period": "minute", "resets_at": 1796103360},
    "quota": None,
}
INTROSPECT_FORM = OpenApiExample(
    "A check, as a form (RFC 7662)",
    value={"token": SECRET, "cost": 1, "client_ip": "203.0.113.7"},
    request_only=True,
    media_type="application/x-www-form-urlencoded",
)
USABLE = OpenApiExample(
    "Usable: let the query go ahead",
    value={
        "active": True,
        "token_id": TOKEN_ID,
        "model_id": MODEL_ID,
        "name": "alice-laptop",
        "status": "ACTIVE",
        "exp": 1798695346,
        "token_type": "Bearer",
        "iat": 1796103346,
        "jti": TOKEN_ID,
        "aud": MODEL_ID,
        "scope": "query",
        **LIMITS,
    },
)
UNUSABLE = OpenApiExample("Unusable: answer the end user 401", value={"active": False})
OVER_A_LIMIT = OpenApiExample(
    "Over a limit: answer the end user 429",
    value={
        **USABLE.value,
        "active": False,
        "remaining": 0,
        "rate_limit": {"limit": 60, "remaining": 0, "period": "minute", "resets_at": 1796103360},
        "reason": "rate_limited",
        "retry_after": 14,
    },
)
OWN_TOKEN = OpenApiExample(
    "My token",
    value={
        "token_id": TOKEN_ID,
        "name": "alice-laptop",
        "status": "ACTIVE",
        "expires_at": 1798695346,
        "model_id": MODEL_ID,
        "model_name": "Sentiment v2",
        **LIMITS,
    },
)
