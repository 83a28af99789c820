"""Pages and API answers hold providers' tokens and notes: nothing may cache or store them,
while static files stay cacheable and answers that chose their own policy keep it."""

import pytest

PRIVATE_NO_STORE = "private, no-store"


@pytest.mark.parametrize("url", ["/", "/tokens/", "/models/", "/account/license-keys/"])
def test_console_pages_are_private_and_never_stored(alice_client, url):
    response = alice_client.get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE_NO_STORE


def test_a_models_page_is_private_and_never_stored(alice_client, sentiment):
    response = alice_client.get(f"/models/{sentiment.model_id}/tokens/")

    assert response["Cache-Control"] == PRIVATE_NO_STORE


@pytest.mark.parametrize("url", ["/api/v1/models", "/api/v1/tokens", "/api/v1/nope"])
def test_api_answers_are_private_and_never_stored(api, url):
    assert api.get(url)["Cache-Control"] == PRIVATE_NO_STORE


def test_error_answers_are_never_stored_either(api, alice_client):
    assert api.get("/api/v1/models", key=None)["Cache-Control"] == PRIVATE_NO_STORE
    assert alice_client.get("/tokens/tok_unknown/edit/")["Cache-Control"] == PRIVATE_NO_STORE


def test_answers_with_their_own_policy_keep_it(client, db, api, sentiment):
    created = api.post("/api/v1/tokens", {"name": "laptop", "model_id": sentiment.model_id})

    assert "max-age=0" in client.get("/healthz")["Cache-Control"]
    assert "must-revalidate" in created["Cache-Control"]


def test_static_files_are_not_marked_no_store(client):
    response = client.get("/static/console/console.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
