"""
A body field an API write does not take is a 400 naming it, and nothing changes: a typo, a
field of another API (STACKIT's `description`, `ttlDuration`) or one the object only shows.
"""

import pytest

from console.api.services import create_license_key
from models_registry.models import AIModel
from tests.conftest import TEST_ACTOR, ApiCaller
from tokens.models import Token, TokenStatus


def key_of(user, provider) -> str:
    return create_license_key(actor=TEST_ACTOR, provider=provider, created_by=user, name="k")[1]


def refusal(response, field: str) -> str:
    """The message for `field` of a 400 in the API's envelope."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    return body["errors"][field][0]


# --- Tokens -----------------------------------------------------------------------------------


def test_a_misspelt_status_is_refused_and_the_token_stays_active(api, make_token):
    token, _ = make_token("kept")

    response = api.patch(f"/api/v1/tokens/{token.token_id}", {"stauts": "CANCELED"})

    message = refusal(response, "stauts")
    assert message == "Received unknown parameter: stauts. Did you mean status?"
    assert response.json()["message"] == message
    assert Token.objects.get(pk=token.pk).status == TokenStatus.ACTIVE


def test_a_misspelt_expiration_on_create_is_refused_not_defaulted(api, alice):
    response = api.post("/api/v1/tokens", {"name": "short", "expire_at": 1_900_000_000})

    assert refusal(response, "expire_at").startswith("Received unknown parameter: expire_at")
    assert "Did you mean expires_at?" in response.json()["errors"]["expire_at"][0]
    assert not Token.objects.exists()


def test_stackit_style_fields_are_each_named_and_nothing_is_created(api, alice):
    response = api.post(
        "/api/v1/tokens", {"name": "my-token", "description": "My token", "ttlDuration": "30d"}
    )

    refusal(response, "description")
    assert set(response.json()["errors"]) == {"description", "ttlDuration"}
    assert not Token.objects.exists()


def test_an_unknown_field_beside_good_ones_changes_none_of_them(api, make_token):
    token, _ = make_token("kept")

    response = api.patch(f"/api/v1/tokens/{token.token_id}", {"name": "renamed", "colour": "x"})

    refusal(response, "colour")
    assert Token.objects.get(pk=token.pk).name == "kept"


def test_unknown_fields_are_named_beside_the_other_field_errors(api, alice):
    response = api.post("/api/v1/tokens", {"name": "", "stauts": "x"})

    assert set(response.json()["errors"]) == {"name", "stauts"}
    assert response.json()["message"].startswith("Received unknown parameter: stauts")


@pytest.mark.parametrize(
    "field", ["token_id", "created_at", "updated_at", "hint", "expired", "needs_new_evk"]
)
def test_read_only_fields_in_a_patch_are_refused(api, make_token, field):
    token, _ = make_token("kept")

    response = api.patch(f"/api/v1/tokens/{token.token_id}", {"name": "renamed", field: 1})

    assert refusal(response, field) == f"{field} is read-only."
    assert Token.objects.get(pk=token.pk).name == "kept"


@pytest.mark.parametrize(("field", "value"), [("token_id", "tok_mine"), ("token", "uat_x")])
def test_read_only_fields_on_create_are_refused(api, alice, field, value):
    response = api.post("/api/v1/tokens", {"name": "new", field: value})

    assert refusal(response, field) == f"{field} is read-only."
    assert not Token.objects.exists()


def test_a_status_on_create_says_to_patch_it_afterwards(api, alice):
    response = api.post("/api/v1/tokens", {"name": "new", "status": "SUSPENDED"})

    assert "PATCH" in refusal(response, "status")
    assert not Token.objects.exists()


def test_the_model_is_named_model_id_in_a_patch(api, make_token, sentiment):
    token, _ = make_token("kept")

    response = api.patch(f"/api/v1/tokens/{token.token_id}", {"model": sentiment.model_id})

    assert refusal(response, "model").endswith("Did you mean model_id?")
    assert Token.objects.get(pk=token.pk).model is None


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("assign", {"model_id": None, "force": True}, "force"),
        ("renew", {"expires_at": 1_900_000_000}, "expires_at"),
        ("cancel", {"reason": "leaked"}, "reason"),
        ("unassign", {"model_id": None}, "model_id"),
    ],
)
def test_actions_refuse_fields_they_do_not_take(api, make_token, sentiment, action, body, field):
    token, _ = make_token("kept", model=sentiment, days=2)
    before = Token.objects.get(pk=token.pk)

    response = api.post(f"/api/v1/tokens/{token.token_id}/{action}", body)

    assert refusal(response, field).startswith("Received unknown parameter")
    after = Token.objects.get(pk=token.pk)
    assert (after.status, after.expires_at, after.model_id) == (
        before.status,
        before.expires_at,
        before.model_id,
    )


@pytest.mark.parametrize("action", ["renew", "cancel"])
def test_actions_still_take_an_empty_body(api, make_token, action):
    token, _ = make_token()

    assert api.post(f"/api/v1/tokens/{token.token_id}/{action}", {}).status_code == 200


# --- Models -----------------------------------------------------------------------------------


def test_an_unknown_field_on_model_create_is_refused(api, alice):
    response = api.post("/api/v1/models", {"name": "Translator", "descripton": "fr→en"})

    assert refusal(response, "descripton").endswith("Did you mean description?")
    assert not AIModel.objects.exists()


@pytest.mark.parametrize("field", ["model_id", "created_at"])
def test_read_only_fields_of_a_model_are_refused(api, sentiment, field):
    created = api.post("/api/v1/models", {"name": "Translator", field: "mdl_mine"})
    patched = api.patch(f"/api/v1/models/{sentiment.model_id}", {"name": "Renamed", field: 5})

    for response in (created, patched):
        assert refusal(response, field) == f"{field} is read-only."
    assert list(AIModel.objects.values_list("name", flat=True)) == ["Sentiment Analysis"]


def test_an_unknown_field_in_a_model_patch_changes_nothing(api, sentiment):
    response = api.patch(
        f"/api/v1/models/{sentiment.model_id}", {"description": "new", "default_limit": 5}
    )

    refusal(response, "default_limit")
    assert AIModel.objects.get(pk=sentiment.pk).description == "Reviews"


# --- Refusals that come first -----------------------------------------------------------------


def test_another_providers_token_is_404_whatever_the_body_holds(charlie_api, make_token):
    token, _ = make_token("alice-only")

    response = charlie_api.patch(f"/api/v1/tokens/{token.token_id}", {"stauts": "CANCELED"})

    assert response.status_code == 404
    assert Token.objects.get(pk=token.pk).status == TokenStatus.ACTIVE


def test_a_members_key_gets_the_same_refusal(client, bob, acme, make_token):
    token, _ = make_token("kept")

    response = ApiCaller(client, key_of(bob, acme)).patch(
        f"/api/v1/tokens/{token.token_id}", {"stauts": "CANCELED"}
    )

    refusal(response, "stauts")
    assert Token.objects.get(pk=token.pk).status == TokenStatus.ACTIVE


def test_a_viewers_key_is_refused_before_its_body_is_read(client, victor, acme, make_token):
    token, _ = make_token("kept")

    response = ApiCaller(client, key_of(victor, acme)).patch(
        f"/api/v1/tokens/{token.token_id}", {"stauts": "x"}
    )

    assert response.status_code == 403


def test_the_schema_says_request_bodies_take_no_other_fields(client, db):
    schemas = client.get("/api/v1/schema").json()["components"]["schemas"]

    for name in [
        "TokenCreateRequest",
        "PatchedTokenUpdateRequest",
        "AssignRequest",
        "ModelRequest",
        "PatchedModelUpdateRequest",
    ]:
        assert schemas[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in schemas["Token"]


def test_a_form_body_on_an_action_is_read_and_its_fields_refused(client, alice_key, make_token):
    token, _ = make_token(days=2)
    before = Token.objects.get(pk=token.pk).expires_at

    response = client.post(
        f"/api/v1/tokens/{token.token_id}/renew",
        "expires_at=1900000000",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {alice_key}"},
    )

    refusal(response, "expires_at")
    assert Token.objects.get(pk=token.pk).expires_at == before
