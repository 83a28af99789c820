"""RFC 7662 introspection for the provider's gateway, and the end user's view of their token."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token


def introspect(client, key, token, *, as_json=False):
    headers = {"Authorization": f"Bearer {key}"}
    if as_json:
        return client.post(
            "/api/v1/introspect", {"token": token}, content_type="application/json", headers=headers
        )
    return client.post(
        "/api/v1/introspect",
        f"token={token}",
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


@pytest.mark.parametrize("as_json", [False, True])
def test_a_usable_token_is_active_with_its_model_and_expiry(
    client, alice_key, make_token, sentiment, as_json
):
    token, secret = make_token("alice-laptop", model=sentiment, note="never shown")

    response = introspect(client, alice_key, secret, as_json=as_json)

    assert response.status_code == 200
    assert response.json() == {
        "active": True,
        "token_id": token.token_id,
        "model_id": sentiment.model_id,
        "name": "alice-laptop",
        "status": "ACTIVE",
        "exp": int(token.expires_at.timestamp()),
        "token_type": "Bearer",
        "iat": int(token.created_at.timestamp()),
        "jti": token.token_id,
        "aud": sentiment.model_id,
        "scope": "query",
        "remaining": None,
        "rate_limit": None,
        "quota": None,
    }
    assert "no-store" in response["Cache-Control"]


def _suspend(token):
    services.suspend_token(actor=TEST_ACTOR, token=token)


def _cancel(token):
    services.cancel_token(actor=TEST_ACTOR, token=token)


def _expire(token):
    Token.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def _unassign(token):
    services.unassign_token(actor=TEST_ACTOR, token=token)


def _delete(token):
    services.delete_token(actor=TEST_ACTOR, token=token)


@pytest.mark.parametrize("spoil", [_suspend, _cancel, _expire, _unassign, _delete])
def test_unusable_tokens_are_inactive_and_say_nothing_more(
    client, alice_key, make_token, sentiment, spoil
):
    token, secret = make_token(model=sentiment)
    spoil(token)

    response = introspect(client, alice_key, secret)

    assert response.status_code == 200
    assert response.json() == {"active": False}


@pytest.mark.parametrize("presented", ["", "nonsense", "uat_" + "A" * 49, "lic_" + "A" * 49])
def test_malformed_tokens_are_inactive(client, alice_key, presented):
    assert introspect(client, alice_key, presented).json() == {"active": False}


def test_another_providers_token_is_inactive(client, charlie_key, make_token, sentiment):
    _, secret = make_token(model=sentiment)

    assert introspect(client, charlie_key, secret).json() == {"active": False}


def test_introspection_needs_the_token_field_and_a_license_key(client, alice_key, make_token):
    _, secret = make_token()

    missing = client.post(
        "/api/v1/introspect", {}, content_type="application/json",
        headers={"Authorization": f"Bearer {alice_key}"},
    )  # fmt: skip
    anonymous = client.post("/api/v1/introspect", {"token": secret})
    with_the_token_itself = introspect(client, secret, secret)

    assert missing.status_code == 400 and "token" in missing.json()["errors"]
    assert anonymous.status_code == 401
    assert with_the_token_itself.status_code == 401


def test_introspection_is_one_indexed_lookup_and_no_write(client, alice_key, make_token, sentiment):
    _, secret = make_token(model=sentiment)
    introspect(client, alice_key, secret)  # the key's first use records "last used"

    with CaptureQueriesContext(connection) as queries:
        assert introspect(client, alice_key, secret).json()["active"] is True

    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == 1, statements  # the license key and the token together
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in statements)


# --- GET /api/v1/token: the end user's own view --------------------------------------------


def test_an_end_user_sees_their_token_but_never_the_note(client, make_token, sentiment):
    token, secret = make_token("alice-laptop", model=sentiment, note="owes us money")

    response = client.get("/api/v1/token", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 200
    assert response.json() == {
        "token_id": token.token_id,
        "name": "alice-laptop",
        "status": "ACTIVE",
        "expires_at": int(token.expires_at.timestamp()),
        "model_id": sentiment.model_id,
        "model_name": "Sentiment Analysis",
        "remaining": None,
        "rate_limit": None,
        "quota": None,
    }
    assert "owes us money" not in response.content.decode()


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_suspend, "This token is suspended."),
        (_cancel, "This token has been cancelled."),
        (_expire, "This token has expired."),
        (_unassign, "This token is not assigned to a model yet."),
        (_delete, "This token is not valid: it may have been deleted."),
    ],
)
def test_an_unusable_token_is_401_with_the_reason(client, make_token, sentiment, spoil, message):
    token, secret = make_token(model=sentiment)
    spoil(token)

    response = client.get("/api/v1/token", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 401
    assert response.json()["message"] == message
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_the_end_user_endpoint_needs_a_token(client, alice_key, db):
    assert client.get("/api/v1/token").status_code == 401
    license_key = client.get("/api/v1/token", headers={"Authorization": f"Bearer {alice_key}"})
    assert license_key.status_code == 401


def test_an_end_users_token_cannot_manage_anything(client, make_token, sentiment):
    _, secret = make_token(model=sentiment)

    response = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 401


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Prepared statements: PostgreSQL.")
@pytest.mark.django_db(transaction=True)
def test_a_dead_connection_is_replaced_without_a_health_check(
    client, alice_key, make_token, sentiment
):
    import psycopg

    _, secret = make_token(model=sentiment)
    assert introspect(client, alice_key, secret).json()["active"] is True
    backend_pid = connection.connection.info.backend_pid
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        dbname=settings_dict["NAME"],
        autocommit=True,
    ) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [backend_pid])

    assert introspect(client, alice_key, secret).json()["active"] is True  # tried again, once
    assert connection.connection.info.backend_pid != backend_pid
