"""
Conditional requests on one token or model: GET and PATCH answer a strong ETag; a change sent
with a stale If-Match is 412 and changes nothing, checked on the row the change has locked;
If-None-Match on a GET answers 304 while nothing changed.
"""

import threading

import pytest
from django.db import connection

from console.api.services import create_license_key
from console.errors import DomainError, Stale
from models_registry import services as model_services
from models_registry.models import AIModel
from tests.conftest import TEST_ACTOR, ApiCaller
from tokens import services
from tokens.models import Token, TokenStatus


def token_url(token) -> str:
    return f"/api/v1/tokens/{token.token_id}"


def model_url(model) -> str:
    return f"/api/v1/models/{model.model_id}"


def send(api, method, path, body=None, **headers):
    """A request with extra headers (If-Match...), as the key holder of `api`."""
    call = getattr(api.client, method)
    extra = {"Authorization": f"Bearer {api.key}", **headers}
    if body is None:
        return call(path, headers=extra)
    return call(path, body, content_type="application/json", headers=extra)


def assert_precondition_failed(response):
    assert response.status_code == 412, response.content
    body = response.json()
    assert body["code"] == "precondition_failed"
    assert "changed since you read it" in body["message"]
    assert "GET it again" in body["message"]


# --- The ETag ---------------------------------------------------------------------------------


def test_a_tokens_etag_is_strong_and_stable_while_nothing_changes(api, make_token):
    token, _ = make_token()

    first, second = api.get(token_url(token)), api.get(token_url(token))

    assert first["ETag"] == second["ETag"]
    assert first["ETag"].startswith('"') and first["ETag"].endswith('"')


def test_a_patch_answers_the_etag_a_get_then_gives(api, make_token):
    token, _ = make_token()
    before = api.get(token_url(token))["ETag"]

    patched = api.patch(token_url(token), {"note": "changed"})

    assert patched["ETag"] != before
    assert patched["ETag"] == api.get(token_url(token))["ETag"]


def test_a_models_etag_changes_with_its_default_limits(api, sentiment):
    # The defaults are written without touching updated_at: the ETag follows what is shown.
    before = api.get(model_url(sentiment))["ETag"]

    model_services.update_model(actor=TEST_ACTOR, model=sentiment, default_rate_limit=60)

    assert api.get(model_url(sentiment))["ETag"] != before


def test_a_tokens_etag_changes_when_its_models_name_does(api, make_token, sentiment):
    token, _ = make_token(model=sentiment)
    before = api.get(token_url(token))["ETag"]

    model_services.update_model(actor=TEST_ACTOR, model=sentiment, name="Renamed")

    assert api.get(token_url(token))["ETag"] != before


# --- If-Match on a token ----------------------------------------------------------------------


def test_a_patch_with_a_stale_if_match_is_412_and_changes_nothing(api, make_token):
    token, _ = make_token()
    read = api.get(token_url(token))["ETag"]
    services.set_note(actor=TEST_ACTOR, token=token, note="someone else's")

    response = send(api, "patch", token_url(token), {"status": "CANCELED"}, **{"If-Match": read})

    assert_precondition_failed(response)
    after = Token.objects.get(pk=token.pk)
    assert (after.status, after.note) == (TokenStatus.ACTIVE, "someone else's")


@pytest.mark.parametrize("header", ["{etag}", 'W/"x", {etag}', "*"])
def test_a_patch_with_the_current_etag_goes_ahead(api, make_token, header):
    token, _ = make_token()
    etag = api.get(token_url(token))["ETag"]

    response = send(
        api, "patch", token_url(token), {"note": "mine"}, **{"If-Match": header.format(etag=etag)}
    )

    assert response.status_code == 200
    assert Token.objects.get(pk=token.pk).note == "mine"


@pytest.mark.parametrize("header", ["W/{etag}", "not-an-etag", '"0000"'])
def test_a_weak_or_unknown_if_match_never_matches(api, make_token, header):
    token, _ = make_token()
    etag = api.get(token_url(token))["ETag"]

    response = send(
        api, "patch", token_url(token), {"note": "mine"}, **{"If-Match": header.format(etag=etag)}
    )

    assert_precondition_failed(response)
    assert Token.objects.get(pk=token.pk).note == ""


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("post", "/assign", "model"),
        ("post", "/unassign", None),
        ("post", "/renew", None),
        ("post", "/cancel", None),
        ("delete", "", None),
    ],
)
def test_every_action_and_delete_honours_if_match(
    api, make_token, sentiment, vision, method, suffix, body
):
    token, _ = make_token(model=None if suffix == "/assign" else sentiment, days=2)
    payload = {"model_id": vision.model_id} if body == "model" else None
    stale = api.get(token_url(token))["ETag"]
    services.set_note(actor=TEST_ACTOR, token=token, note="changed meanwhile")
    before = Token.objects.get(pk=token.pk)
    current = api.get(token_url(token))["ETag"]

    refused = send(api, method, token_url(token) + suffix, payload, **{"If-Match": stale})
    after = Token.objects.get(pk=token.pk)
    allowed = send(api, method, token_url(token) + suffix, payload, **{"If-Match": current})

    assert_precondition_failed(refused)
    assert (after.status, after.expires_at, after.model_id, after.updated_at) == (
        before.status,
        before.expires_at,
        before.model_id,
        before.updated_at,
    )
    assert allowed.status_code in (200, 204), allowed.content


def test_a_change_landing_after_the_read_and_before_the_lock_is_412(api, make_token, monkeypatch):
    # The view reads the token (still as the client read it); then, before the service locks
    # its row, another request changes it. The check must see that change.
    token, _ = make_token()
    read = api.get(token_url(token))["ETag"]
    lock_row = services._locked

    def lock_after_a_concurrent_change(token):
        Token.objects.filter(pk=token.pk).update(note="landed in between")
        return lock_row(token)

    monkeypatch.setattr(services, "_locked", lock_after_a_concurrent_change)

    response = send(api, "patch", token_url(token), {"name": "mine"}, **{"If-Match": read})

    assert_precondition_failed(response)
    assert Token.objects.get(pk=token.pk).name == token.name


# --- If-Match on a model ----------------------------------------------------------------------


def test_a_model_patch_with_a_stale_if_match_is_412_and_changes_nothing(api, sentiment):
    read = api.get(model_url(sentiment))["ETag"]
    model_services.update_model(actor=TEST_ACTOR, model=sentiment, description="theirs")

    refused = send(api, "patch", model_url(sentiment), {"name": "Mine"}, **{"If-Match": read})
    current = api.get(model_url(sentiment))["ETag"]
    allowed = send(api, "patch", model_url(sentiment), {"name": "Mine"}, **{"If-Match": current})

    assert_precondition_failed(refused)
    assert refused.json()["message"].startswith("This model changed")
    assert allowed.status_code == 200
    assert allowed["ETag"] == api.get(model_url(sentiment))["ETag"]
    assert AIModel.objects.get(pk=sentiment.pk).name == "Mine"


def test_a_model_changed_between_the_read_and_the_lock_is_412(api, sentiment, monkeypatch):
    read = api.get(model_url(sentiment))["ETag"]
    lock_row = model_services._locked

    def lock_after_a_concurrent_change(model):
        AIModel.objects.filter(pk=model.pk).update(description="landed in between")
        return lock_row(model)

    monkeypatch.setattr(model_services, "_locked", lock_after_a_concurrent_change)

    response = send(api, "patch", model_url(sentiment), {"name": "Mine"}, **{"If-Match": read})

    assert_precondition_failed(response)
    assert AIModel.objects.get(pk=sentiment.pk).name == "Sentiment Analysis"


# --- If-None-Match ----------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["{etag}", "W/{etag}", "*"])
def test_a_get_with_the_current_etag_answers_304_without_a_body(api, make_token, header):
    token, _ = make_token()
    etag = api.get(token_url(token))["ETag"]

    response = send(api, "get", token_url(token), **{"If-None-Match": header.format(etag=etag)})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_a_get_with_a_stale_etag_answers_the_token(api, make_token, sentiment):
    token, _ = make_token()
    stale = api.get(token_url(token))["ETag"]
    services.set_note(actor=TEST_ACTOR, token=token, note="new")
    model_etag = api.get(model_url(sentiment))["ETag"]

    response = send(api, "get", token_url(token), **{"If-None-Match": stale})
    model = send(api, "get", model_url(sentiment), **{"If-None-Match": model_etag})

    assert response.status_code == 200
    assert response.json()["note"] == "new"
    assert model.status_code == 304


# --- Who may ----------------------------------------------------------------------------------


def test_another_providers_token_is_404_whatever_the_if_match(charlie_api, make_token):
    token, _ = make_token()

    for header in ("*", '"stale"'):
        response = send(
            charlie_api, "patch", token_url(token), {"note": "x"}, **{"If-Match": header}
        )
        assert response.status_code == 404
    assert "ETag" not in charlie_api.get(token_url(token))
    assert Token.objects.get(pk=token.pk).note == ""


def test_a_viewers_key_is_403_before_its_if_match_is_looked_at(client, victor, acme, make_token):
    key = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=victor, name="v")[1]
    viewer = ApiCaller(client, key)
    token, _ = make_token()
    etag = viewer.get(token_url(token))["ETag"]

    response = send(viewer, "patch", token_url(token), {"note": "x"}, **{"If-Match": etag})

    assert response.status_code == 403


def test_a_members_key_updates_conditionally(client, bob, acme, make_token):
    key = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=bob, name="b")[1]
    member = ApiCaller(client, key)
    token, _ = make_token()
    etag = member.get(token_url(token))["ETag"]

    first = send(member, "patch", token_url(token), {"note": "one"}, **{"If-Match": etag})
    second = send(member, "patch", token_url(token), {"note": "two"}, **{"If-Match": etag})

    assert (first.status_code, second.status_code) == (200, 412)
    assert Token.objects.get(pk=token.pk).note == "one"


# --- The schema -------------------------------------------------------------------------------


def test_the_schema_declares_the_headers_and_answers(client, db):
    paths = client.get("/api/v1/schema").json()["paths"]

    changes = [
        paths["/api/v1/tokens/{token_id}"]["patch"],
        paths["/api/v1/tokens/{token_id}"]["delete"],
        paths["/api/v1/models/{model_id}"]["patch"],
        *(paths[f"/api/v1/tokens/{{token_id}}/{name}"]["post"] for name in ("assign", "renew")),
        paths["/api/v1/tokens/{token_id}/unassign"]["post"],
        paths["/api/v1/tokens/{token_id}/cancel"]["post"],
    ]
    for operation in changes:
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "If-Match" in headers, operation["operationId"]
        assert "412" in operation["responses"], operation["operationId"]
    for path in ("/api/v1/tokens/{token_id}", "/api/v1/models/{model_id}"):
        get = paths[path]["get"]
        assert "If-None-Match" in {p["name"] for p in get["parameters"]}
        assert "304" in get["responses"]
        assert "ETag" in get["responses"]["200"]["headers"]
        assert "ETag" in paths[path]["patch"]["responses"]["200"]["headers"]


# --- Two changes at once (PostgreSQL locks rows) -----------------------------------------------


@pytest.fixture
def server_database(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("Needs concurrent connections: runs on PostgreSQL (set DATABASE_URL).")


def test_of_two_concurrent_changes_from_one_read_exactly_one_goes_ahead(
    server_database, alice, make_token
):
    token, _ = make_token()
    read = Token.objects.get(pk=token.pk).updated_at
    barrier = threading.Barrier(2)
    outcomes = []

    def still_as_read(current):
        if current.updated_at != read:
            raise Stale("changed")

    def change(note):
        try:
            copy = Token.objects.get(pk=token.pk)
            barrier.wait(timeout=10)
            services.update_token(
                actor=TEST_ACTOR, token=copy, note=note, precondition=still_as_read
            )
            outcomes.append("changed")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=change, args=(note,)) for note in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["changed", "precondition_failed"]
