"""The JSON API's models: list, create, get; only the key holder's own."""

import pytest

from models_registry.models import AIModel


def test_requests_without_a_key_are_401_with_a_bearer_challenge(api):
    response = api.get("/api/v1/models", key=None)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["message"] == "Authentication credentials were not provided."


@pytest.mark.parametrize(
    "header",
    ["Bearer lic_wrong", "Basic YWxpY2U6eA==", "Bearer", "Bearer a b"],
)
def test_bad_credentials_are_401_with_a_message(client, alice_key, header):
    response = client.get("/api/v1/models", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json()["message"]


def test_a_user_access_token_is_not_a_license_key(api, make_token, sentiment):
    _, secret = make_token(model=sentiment)

    response = api.get("/api/v1/models", key=secret)

    assert response.status_code == 401
    assert "needs a license key" in response.json()["message"]


def test_a_console_session_does_not_authenticate_the_api(alice_client):
    assert alice_client.get("/api/v1/models").status_code == 401


def test_list_models_shows_only_the_key_holders_models(api, sentiment, vision, charlies_model):
    body = api.get("/api/v1/models", {"count": "true"}).json()

    assert body["count"] == 2 and body["has_more"] is False and body["next"] is None
    assert [item["name"] for item in body["results"]] == ["Image Sharpening", "Sentiment Analysis"]
    assert {"model_id", "name", "description", "created_at"} <= set(body["results"][0])
    assert isinstance(body["results"][0]["created_at"], int)


def test_create_model_answers_201_with_the_model(api, alice):
    response = api.post("/api/v1/models", {"name": "  Translator  ", "description": "fr→en"})

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Translator"
    assert body["model_id"].startswith("mdl_")
    assert AIModel.objects.get(model_id=body["model_id"]).provider.name == "Acme"


def test_create_model_rejects_a_duplicate_name_with_409(api, sentiment):
    response = api.post("/api/v1/models", {"name": "sentiment analysis"})

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert "already have a model" in response.json()["errors"]["name"][0]


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": 5}])
def test_create_model_rejects_bad_names_with_field_errors(api, alice, body):
    response = api.post("/api/v1/models", body)

    assert response.status_code == 400
    assert "name" in response.json()["errors"]
    assert not AIModel.objects.exists()


def test_get_model(api, sentiment):
    response = api.get(f"/api/v1/models/{sentiment.model_id}")

    assert response.status_code == 200
    assert response.json()["description"] == "Reviews"


def test_another_providers_model_is_404(api, charlies_model):
    response = api.get(f"/api/v1/models/{charlies_model.model_id}")

    assert response.status_code == 404
    assert response.json() == {
        "message": "No such model among yours.",
        "code": "not_found",
        "request_id": response["X-Request-ID"],
    }


def test_malformed_json_is_400(client, alice_key):
    response = client.post(
        "/api/v1/models",
        "{name",
        content_type="application/json",
        headers={"Authorization": f"Bearer {alice_key}"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_models_cannot_be_deleted_through_the_api(api, sentiment):
    assert api.delete(f"/api/v1/models/{sentiment.model_id}").status_code == 405
    assert AIModel.objects.filter(pk=sentiment.pk).exists()
