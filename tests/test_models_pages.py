import pytest

from models_registry.models import AIModel


def test_models_list_shows_own_models_with_token_counts(
    alice_client, sentiment, charlies_model, make_token
):
    make_token("a", model=sentiment)
    make_token("b", model=sentiment)

    response = alice_client.get("/models/")

    html = response.content.decode()
    assert "Sentiment Analysis" in html
    assert "Charlie" not in html
    assert [model.token_count.count for model in response.context["models"]] == [2]
    assert "Create Model" in html


def test_models_list_invites_creating_the_first_model(alice_client):
    html = alice_client.get("/models/").content.decode()

    assert "Create your first model" in html


def test_create_model_redirects_to_its_page(alice_client, alice):
    response = alice_client.post("/models/new/", {"name": "Vision", "description": "Sees"})

    model = AIModel.objects.get(owner=alice, name="Vision")
    assert response.status_code == 302
    assert response["Location"] == f"/models/{model.model_id}/"


def test_create_model_over_htmx_redirects_the_browser(alice_client, alice):
    response = alice_client.post("/models/new/", {"name": "Vision"}, HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"].startswith("/models/mdl_")


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Enter a name for the model."), ("sentiment ANALYSIS", "already have a model named")],
)
def test_create_model_shows_errors_next_to_the_field_and_keeps_input(
    alice_client, sentiment, name, message
):
    response = alice_client.post(
        "/models/new/", {"name": name, "description": "kept"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    assert 'class="field-error"' in html
    assert "kept</textarea>" in html
    assert AIModel.objects.count() == 1


def test_model_page_has_overview_and_token_management_tabs(alice_client, sentiment):
    html = alice_client.get(f"/models/{sentiment.model_id}/").content.decode()

    assert "Overview" in html
    assert f'href="/models/{sentiment.model_id}/tokens/"' in html
    assert "Token Management" in html


def test_another_providers_model_page_is_not_found(alice_client, charlies_model):
    assert alice_client.get(f"/models/{charlies_model.model_id}/").status_code == 404
