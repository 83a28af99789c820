import pytest

from models_registry.models import AIModel
from models_registry.services import create_model, delete_model
from tests.conftest import TEST_ACTOR
from tokens.services import create_token


def test_models_list_shows_own_models_with_token_counts(
    alice_client, sentiment, charlies_model, make_token
):
    make_token("a", model=sentiment)
    make_token("b", model=sentiment)

    response = alice_client.get("/models/")

    html = response.content.decode()
    assert "Sentiment Analysis" in html
    assert "Charlie" not in html
    assert [model.tokens_counted for model in response.context["page"]] == [2]
    assert "Create Model" in html


def test_models_list_makes_the_same_number_of_queries_for_3_models_and_for_30(
    alice, alice_client, acme
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_the_page():
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get("/models/").status_code == 200
        return len(captured)

    models = [
        create_model(actor=TEST_ACTOR, provider=acme, name=f"model-{n:02}") for n in range(30)
    ]
    for model in models[:3]:
        create_token(actor=TEST_ACTOR, provider=acme, name=f"for-{model.name}", model=model)
    with_30 = queries_for_the_page()
    for model in models[3:]:
        delete_model(actor=TEST_ACTOR, model=model)
    with_3 = queries_for_the_page()

    assert with_30 == with_3


def test_models_list_pages_by_25(alice, alice_client, acme):
    for n in range(26):
        create_model(actor=TEST_ACTOR, provider=acme, name=f"model-{n:02}")

    first = alice_client.get("/models/")
    second = alice_client.get("/models/", {"page": 2})

    assert [m.name for m in first.context["page"]][-1] == "model-24"
    assert [m.name for m in second.context["page"]] == ["model-25"]
    assert "Next" in first.content.decode() and "Previous" in second.content.decode()


def test_models_list_counts_tokens_up_to_the_cap(alice, alice_client, sentiment, monkeypatch, acme):
    monkeypatch.setattr("console.pagination.COUNT_CAP", 2)
    monkeypatch.setattr("console.templatetags.console_ui.COUNT_CAP", 2)
    for n in range(3):
        create_token(actor=TEST_ACTOR, provider=acme, name=f"busy-{n}", model=sentiment)

    html = alice_client.get("/models/").content.decode()

    assert 'aria-label="2+ tokens of Sentiment Analysis"' in html


def test_models_list_invites_creating_the_first_model(alice_client):
    html = alice_client.get("/models/").content.decode()

    assert "Create your first model" in html


def test_create_model_redirects_to_its_page(alice_client, alice, acme):
    response = alice_client.post("/models/new/", {"name": "Vision", "description": "Sees"})

    model = AIModel.objects.get(provider=acme, name="Vision")
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
    assert response.status_code == (409 if name else 400)
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
