"""
`Idempotency-Key` on the API's POSTs (console.api.idempotency): a retry gets the first answer,
never a second object and never the secret again; the same key with another request is 422.
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from console.api.models import IdempotentRequest, LicenseKey
from console.api.services import create_license_key, revoke_license_key
from console.audit.models import Action, Event
from tests.conftest import TEST_ACTOR
from tokens.models import Token


def post(client, key, path, body, idempotency_key="retry-1"):
    headers = {"Authorization": f"Bearer {key}"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return client.post(path, body, content_type="application/json", headers=headers)


@pytest.fixture
def new_token(sentiment):
    return {"name": "retried", "model_id": sentiment.model_id}


def test_a_retried_creation_makes_one_token_and_answers_it_without_its_secret(
    client, alice_key, new_token
):
    first = post(client, alice_key, "/api/v1/tokens", new_token)
    retry = post(client, alice_key, "/api/v1/tokens", new_token)

    assert first.status_code == retry.status_code == 201
    assert Token.objects.filter(name="retried").count() == 1
    assert first.json()["token"].startswith("uat_")
    assert retry.json()["token"] is None
    assert "shown once" in retry.json()["secret_message"]
    assert retry.json()["token_id"] == first.json()["token_id"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    kept = IdempotentRequest.objects.get()
    assert first.json()["token"] not in kept.body + json.dumps(kept.headers)


def test_without_a_key_each_post_runs(client, alice_key, make_token, sentiment):
    token, _ = make_token(model=sentiment)
    path = f"/api/v1/tokens/{token.token_id}/renew"

    for _ in range(2):
        post(client, alice_key, path, {}, idempotency_key=None)

    assert Event.objects.filter(action=Action.TOKEN_RENEWED).count() == 2
    assert not IdempotentRequest.objects.exists()
    assert not IdempotentRequest.objects.exists()


def test_the_same_key_with_another_request_is_422_and_changes_nothing(client, alice_key, new_token):
    post(client, alice_key, "/api/v1/tokens", new_token)

    other = post(client, alice_key, "/api/v1/tokens", {**new_token, "name": "another"})

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert not Token.objects.filter(name="another").exists()


def test_an_action_retried_is_done_once(client, alice_key, make_token, sentiment):
    token, _ = make_token(model=sentiment)
    path = f"/api/v1/tokens/{token.token_id}/renew"

    answers = [post(client, alice_key, path, {}) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert Event.objects.filter(action=Action.TOKEN_RENEWED).count() == 1


def test_refusals_are_replayed_and_server_errors_are_not_kept(
    client, alice_key, new_token, monkeypatch
):
    bad = post(client, alice_key, "/api/v1/tokens", {"name": ""}, idempotency_key="bad")
    again = post(client, alice_key, "/api/v1/tokens", {"name": ""}, idempotency_key="bad")
    assert bad.status_code == again.status_code == 400
    assert again.headers["Idempotent-Replayed"] == "true"

    from tokens import services

    def failing(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "create_token", failing)
    client.raise_request_exception = False
    failed = post(client, alice_key, "/api/v1/tokens", new_token, idempotency_key="boom")
    assert failed.status_code >= 500
    assert not IdempotentRequest.objects.filter(key="boom").exists()  # retried for real


def test_a_retry_while_the_first_still_runs_is_409(client, alice_key, new_token):
    IdempotentRequest.objects.create(
        license_key=LicenseKey.objects.get(),
        key="retry-1",
        fingerprint=_fingerprint_of(client, alice_key, new_token),
        created_at=timezone.now(),
    )

    answer = post(client, alice_key, "/api/v1/tokens", new_token)

    assert answer.status_code == 409
    assert answer.json()["code"] == "idempotency_key_in_use"
    assert answer.headers["Retry-After"] == "1"
    assert not Token.objects.filter(name="retried").exists()


def _fingerprint_of(client, key, body):
    """The fingerprint the middleware keeps for this request (made by sending it once)."""
    post(client, key, "/api/v1/tokens", body, idempotency_key="probe")
    fingerprint = IdempotentRequest.objects.get(key="probe").fingerprint
    IdempotentRequest.objects.filter(key="probe").delete()
    Token.objects.filter(name=body["name"]).delete()
    return fingerprint


def test_a_first_request_that_died_lets_its_retry_run(client, alice_key, new_token):
    fingerprint = _fingerprint_of(client, alice_key, new_token)
    IdempotentRequest.objects.create(
        license_key=LicenseKey.objects.get(),
        key="retry-1",
        fingerprint=fingerprint,
        created_at=timezone.now() - timedelta(minutes=5),
    )

    answer = post(client, alice_key, "/api/v1/tokens", new_token)

    assert answer.status_code == 201 and answer.json()["token"].startswith("uat_")


def test_answers_are_kept_for_24_hours(client, alice_key, new_token):
    post(client, alice_key, "/api/v1/tokens", new_token)
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    Token.objects.all().delete()  # so that the same name can be made again

    answer = post(client, alice_key, "/api/v1/tokens", new_token)

    assert answer.status_code == 201 and answer.json()["token"].startswith("uat_")
    assert "Idempotent-Replayed" not in answer.headers


@pytest.mark.parametrize("bad", ["", "x" * 256, "with space", "naïve"])
def test_a_malformed_idempotency_key_is_400(client, alice_key, new_token, bad):
    answer = post(client, alice_key, "/api/v1/tokens", new_token, idempotency_key=bad)

    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()["errors"]
    assert not Token.objects.exists()


def test_another_providers_key_never_gets_our_answer(
    client, alice_key, charlie_key, new_token, globex
):
    post(client, alice_key, "/api/v1/tokens", new_token)

    theirs = post(client, charlie_key, "/api/v1/tokens", {"name": "retried"})

    assert theirs.status_code == 201 and theirs.json()["token"].startswith("uat_")
    assert "Idempotent-Replayed" not in theirs.headers
    assert Token.objects.get(provider=globex).name == "retried"


def test_a_revoked_key_gets_no_replay(client, alice, acme, new_token):
    key, secret = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="k")
    post(client, secret, "/api/v1/tokens", new_token)
    revoke_license_key(actor=TEST_ACTOR, key=key)

    answer = post(client, secret, "/api/v1/tokens", new_token)

    assert answer.status_code == 401


def test_a_viewers_refusal_is_kept_as_a_refusal(client, victor, acme, new_token):
    _, secret = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=victor, name="v")

    answers = [post(client, secret, "/api/v1/tokens", new_token) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [403, 403]
    assert not Token.objects.exists()


def test_the_gateways_checks_take_no_idempotency_key(client, alice_key, make_token, sentiment):
    _, secret = make_token(model=sentiment)

    post(client, alice_key, "/api/v1/introspect", {"token": secret})

    assert not IdempotentRequest.objects.exists()
