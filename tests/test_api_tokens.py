"""The JSON API's tokens: every endpoint, every rule, and only the key holder's own tokens."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token, TokenStatus
from tokens.secrets import is_well_formed

TOKEN_FIELDS = {
    "token_id", "name", "note", "status", "model_id", "model_name", "expires_at", "expired",
    "needs_new_evk", "hint", "rate_limit", "quota", "quota_period", "last_used_at",
    "last_used_ip", "created_at", "updated_at",
}  # fmt: skip


def days_from_now(days: float) -> int:
    return int(time.time() + days * 86400)


# --- Create -----------------------------------------------------------------------------------


def test_create_answers_201_with_the_secret_once(api, alice, sentiment):
    response = api.post(
        "/api/v1/tokens",
        {"name": "alice-laptop", "model_id": sentiment.model_id, "note": "VIP"},
    )

    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert set(body) == TOKEN_FIELDS | {"token"}
    assert is_well_formed(body["token"])
    assert body["model_id"] == sentiment.model_id
    assert body["status"] == "ACTIVE"
    assert body["note"] == "VIP"
    token = Token.objects.get(token_id=body["token_id"])
    assert token.provider.name == "Acme"
    assert services.authenticate(body["token"]).token == token
    assert "token" not in api.get(f"/api/v1/tokens/{token.token_id}").json()


def test_create_defaults_to_30_days_and_no_model(api, alice):
    body = api.post("/api/v1/tokens", {"name": "spare"}).json()

    assert body["model_id"] is None
    assert body["model_name"] == ""
    assert abs(body["expires_at"] - days_from_now(30)) < 60


def test_create_takes_expires_at_as_unix_seconds(api, alice):
    wanted = days_from_now(10)

    body = api.post("/api/v1/tokens", {"name": "short", "expires_at": wanted}).json()

    assert body["expires_at"] == wanted
    assert int(Token.objects.get(token_id=body["token_id"]).expires_at.timestamp()) == wanted


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "name", "invalid"),
        ({"name": "  "}, "name", "invalid"),
        ({"name": "x" * 101}, "name", "invalid"),
        ({"name": "t", "expires_at": days_from_now(-1)}, "expires_at", "expiration_past"),
        ({"name": "t", "expires_at": days_from_now(400)}, "expires_at", "expiration_too_far"),
        ({"name": "t", "expires_at": "tomorrow"}, "expires_at", "invalid"),
        ({"name": "t", "expires_at": -5}, "expires_at", "invalid"),
        ({"name": "t", "model_id": "mdl_nope"}, "model_id", "invalid"),
        ({"name": "t", "model_id": 7}, "model_id", "invalid"),
    ],
)
def test_create_rejects_bad_input_with_400_and_creates_nothing(api, alice, body, field, code):
    response = api.post("/api/v1/tokens", body)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert not Token.objects.exists()


def test_create_rejects_a_duplicate_name_with_409(api, make_token):
    make_token("gateway")

    response = api.post("/api/v1/tokens", {"name": "GATEWAY"})

    assert response.status_code == 409
    assert response.json()["errors"]["name"]
    assert Token.objects.count() == 1


def test_create_refuses_another_providers_model(api, alice, charlies_model):
    response = api.post("/api/v1/tokens", {"name": "t", "model_id": charlies_model.model_id})

    assert response.status_code == 400
    assert "Choose one of your models" in response.json()["errors"]["model_id"][0]


def test_create_needs_json(client, alice_key):
    response = client.post(
        "/api/v1/tokens", {"name": "t"}, headers={"Authorization": f"Bearer {alice_key}"}
    )

    assert response.status_code == 415


# --- Read -------------------------------------------------------------------------------------


def test_get_a_token(api, make_token, sentiment):
    token, secret = make_token("gateway", model=sentiment, note="private")

    body = api.get(f"/api/v1/tokens/{token.token_id}").json()

    assert set(body) == TOKEN_FIELDS
    assert body["name"] == "gateway"
    assert body["note"] == "private"
    assert body["hint"] == token.hint
    assert secret not in str(body)


def test_list_filters_sorts_and_pages_as_the_tokens_list(api, make_token, sentiment, vision):
    for number in range(30):
        make_token(f"batch-{number:02}", model=sentiment)
    suspended, _ = make_token("zz-suspended", model=vision)
    services.suspend_token(actor=TEST_ACTOR, token=suspended)
    make_token("unassigned-one")

    first = api.get("/api/v1/tokens", {"model": sentiment.model_id, "sort": "name"}).json()
    second = api.get(first["next"]).json()
    only_suspended = api.get("/api/v1/tokens", {"status": "SUSPENDED"}).json()
    unassigned = api.get("/api/v1/tokens", {"assigned": "no"}).json()
    named = api.get("/api/v1/tokens", {"name": "BATCH-1", "limit": 100, "count": "true"}).json()
    descending = api.get("/api/v1/tokens", {"sort": "-name", "limit": 1}).json()

    assert "count" not in first  # counted only when asked
    assert [item["name"] for item in first["results"]][:2] == ["batch-00", "batch-01"]
    assert len(first["results"]) == 25 and first["has_more"] is True
    assert len(second["results"]) == 5 and second["has_more"] is False
    assert second["next"] is None
    assert [item["name"] for item in only_suspended["results"]] == ["zz-suspended"]
    assert [item["name"] for item in unassigned["results"]] == ["unassigned-one"]
    assert (named["count"], named["count_is_capped"], len(named["results"])) == (10, False, 10)
    assert descending["results"][0]["name"] == "zz-suspended"


def test_list_filters_by_several_statuses_and_expiry(api, make_token, sentiment):
    make_token("active", model=sentiment)
    cancelled, _ = make_token("cancelled", model=sentiment)
    services.cancel_token(actor=TEST_ACTOR, token=cancelled)
    expired, _ = make_token("expired", model=sentiment)
    Token.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    tomorrow = days_from_now(1)

    both = api.get("/api/v1/tokens?status=ACTIVE&status=CANCELED&sort=name").json()
    gone = api.get("/api/v1/tokens", {"expired": "yes"}).json()
    soon = api.get("/api/v1/tokens", {"expires_before": tomorrow}).json()

    assert [item["name"] for item in both["results"]] == ["active", "cancelled", "expired"]
    assert [item["name"] for item in gone["results"]] == ["expired"]
    assert gone["results"][0]["expired"] is True
    assert [item["name"] for item in soon["results"]] == ["expired"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "LOST"}, "status"),
        ({"sort": "colour"}, "sort"),
        ({"expires_before": "soon"}, "expires_before"),
        ({"expires_before": ""}, "expires_before"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"count": "maybe"}, "count"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_list_rejects_bad_filters_with_400(api, make_token, params, field):
    make_token()

    response = api.get("/api/v1/tokens", params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("params", [{"page": 2}, {"per_page": 100}, {"page": 1, "per_page": 25}])
def test_page_numbers_are_refused_naming_the_parameter_to_use_instead(api, make_token, params):
    make_token()

    response = api.get("/api/v1/tokens", params)

    assert response.status_code == 400
    assert set(response.json()["errors"]) & set(params)
    assert "`next`" in str(response.json()["errors"]) or "`limit`" in str(response.json())


def test_list_filtering_by_another_providers_model_finds_none(
    api, charlie_api, make_token, charlies_model
):
    make_token("alice-only")
    charlie_api.post("/api/v1/tokens", {"name": "charlies", "model_id": charlies_model.model_id})

    response = api.get("/api/v1/tokens", {"model": charlies_model.model_id})

    assert response.status_code == 200
    assert response.json()["results"] == []


# --- Update -----------------------------------------------------------------------------------


def test_patch_changes_name_note_expiration_and_status(api, make_token, sentiment):
    token, _ = make_token("old", model=sentiment)
    wanted = days_from_now(5)

    response = api.patch(
        f"/api/v1/tokens/{token.token_id}",
        {"name": "new", "note": "moved", "expires_at": wanted, "status": "SUSPENDED"},
    )

    assert response.status_code == 200
    token.refresh_from_db()
    assert (token.name, token.note, token.status) == ("new", "moved", TokenStatus.SUSPENDED)
    assert int(token.expires_at.timestamp()) == wanted
    assert response.json()["status"] == "SUSPENDED"


def test_patch_assigns_an_unassigned_token_and_null_removes_it(api, make_token, sentiment):
    token, _ = make_token()

    assigned = api.patch(f"/api/v1/tokens/{token.token_id}", {"model_id": sentiment.model_id})
    removed = api.patch(f"/api/v1/tokens/{token.token_id}", {"model_id": None})

    assert assigned.json()["model_id"] == sentiment.model_id
    assert removed.json()["model_id"] is None


def test_patch_cannot_move_an_assigned_token(api, make_token, sentiment, vision):
    token, _ = make_token(model=sentiment)

    response = api.patch(
        f"/api/v1/tokens/{token.token_id}", {"model_id": vision.model_id, "note": "x"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_assigned"
    assert "remove its assignment first" in response.json()["message"]
    token.refresh_from_db()
    assert token.model == sentiment
    assert token.note == ""  # nothing changed: the whole PATCH is one transaction


def test_patch_cannot_reactivate_a_cancelled_token(api, make_token):
    token, _ = make_token()
    services.cancel_token(actor=TEST_ACTOR, token=token)

    response = api.patch(f"/api/v1/tokens/{token.token_id}", {"status": "ACTIVE"})

    assert response.status_code == 409
    assert response.json()["code"] == "cancelled_is_final"
    token.refresh_from_db()
    assert token.status == TokenStatus.CANCELED


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"status": "PAUSED"}, "status"),
        ({"expires_at": days_from_now(-2)}, "expires_at"),
        ({"model_id": "mdl_nope"}, "model_id"),
    ],
)
def test_patch_rejects_bad_input_and_changes_nothing(api, make_token, body, field):
    token, _ = make_token("keep")

    response = api.patch(f"/api/v1/tokens/{token.token_id}", body)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Token.objects.get(pk=token.pk).name == "keep"


def test_put_is_not_allowed(api, make_token):
    token, _ = make_token()

    response = api.client.put(
        f"/api/v1/tokens/{token.token_id}",
        "{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.key}"},
    )

    assert response.status_code == 405


# --- Actions and delete -----------------------------------------------------------------------


def test_assign_unassign_and_reassign_flags_a_new_evk(api, make_token, sentiment, vision):
    token, _ = make_token()
    url = f"/api/v1/tokens/{token.token_id}"

    first = api.post(f"{url}/assign", {"model_id": sentiment.model_id}).json()
    again = api.post(f"{url}/assign", {"model_id": vision.model_id})
    removed = api.post(f"{url}/unassign").json()
    moved = api.post(f"{url}/assign", {"model_id": vision.model_id}).json()

    assert first["model_id"] == sentiment.model_id and first["needs_new_evk"] is False
    assert again.status_code == 409 and again.json()["code"] == "already_assigned"
    assert removed["model_id"] is None
    assert moved["model_id"] == vision.model_id and moved["needs_new_evk"] is True


def test_unassigning_an_unassigned_token_is_409(api, make_token):
    token, _ = make_token()

    response = api.post(f"/api/v1/tokens/{token.token_id}/unassign")

    assert response.status_code == 409
    assert response.json()["code"] == "not_assigned"


def test_assign_needs_one_of_your_models(api, make_token, charlies_model):
    token, _ = make_token()

    missing = api.post(f"/api/v1/tokens/{token.token_id}/assign", {})
    foreign = api.post(
        f"/api/v1/tokens/{token.token_id}/assign", {"model_id": charlies_model.model_id}
    )

    assert missing.status_code == 400 and "model_id" in missing.json()["errors"]
    assert foreign.status_code == 400 and "model_id" in foreign.json()["errors"]
    assert Token.objects.get(pk=token.pk).model is None


def test_renew_sets_the_default_lifetime(api, make_token):
    token, _ = make_token(days=2)

    body = api.post(f"/api/v1/tokens/{token.token_id}/renew").json()

    assert abs(body["expires_at"] - days_from_now(30)) < 60


def test_cancel_is_final_and_cancelled_tokens_cannot_be_renewed(api, make_token, sentiment):
    token, secret = make_token(model=sentiment)
    url = f"/api/v1/tokens/{token.token_id}"

    cancelled = api.post(f"{url}/cancel").json()
    renewed = api.post(f"{url}/renew")

    assert cancelled["status"] == "CANCELED"
    assert renewed.status_code == 409
    assert not services.authenticate(secret).ok


def test_delete_answers_204_and_the_secret_stops_working(api, make_token, sentiment):
    token, secret = make_token(model=sentiment)

    response = api.delete(f"/api/v1/tokens/{token.token_id}")

    assert response.status_code == 204
    assert not Token.objects.filter(pk=token.pk).exists()
    assert not services.authenticate(secret).ok
    assert api.delete(f"/api/v1/tokens/{token.token_id}").status_code == 404


# --- Isolation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "", {"name": "mine now"}),
        ("delete", "", None),
        ("post", "/assign", {"model_id": None}),
        ("post", "/unassign", None),
        ("post", "/renew", None),
        ("post", "/cancel", None),
    ],
)
def test_another_providers_token_is_404_everywhere(
    charlie_api, make_token, sentiment, method, suffix, body
):
    token, _ = make_token("alice-only", model=sentiment)
    path = f"/api/v1/tokens/{token.token_id}{suffix}"

    response = (
        getattr(charlie_api, method)(path, body) if body else getattr(charlie_api, method)(path)
    )

    assert response.status_code == 404
    assert response.json()["message"] == "No such token among yours."
    after = Token.objects.get(pk=token.pk)
    assert (after.name, after.status, after.model_id) == ("alice-only", "ACTIVE", sentiment.pk)


def test_lists_never_show_another_providers_tokens(charlie_api, make_token):
    make_token("alice-only")

    body = charlie_api.get("/api/v1/tokens", {"count": "true"}).json()

    assert (body["count"], body["results"], body["next"]) == (0, [], None)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"note": "n" * 2001}, "note", "Notes can be at most 2,000 characters"),
        ({"name": "zero\u200bwidth"}, "name", "Names cannot contain control characters"),
    ],
)
def test_long_notes_and_unprintable_names_are_400_naming_the_field(
    api, make_token, body, field, message
):
    token, _ = make_token("kept")

    created = api.post("/api/v1/tokens", {"name": "new", **body})
    patched = api.patch(f"/api/v1/tokens/{token.token_id}", body)

    for response in (created, patched):
        assert response.status_code == 400
        assert message in response.json()["errors"][field][0]
    assert list(Token.objects.values_list("name", "note")) == [("kept", "")]
