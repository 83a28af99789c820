"""
Models in the console: find and sort them on the Models page, rename one or change its
description, and delete one after typing its name (its tokens stay, unassigned).
"""

import pytest

from console.audit.models import Action, Event
from models_registry.models import AIModel
from models_registry.services import create_model
from tests.conftest import TEST_ACTOR
from tokens.models import Token


def names(response) -> list[str]:
    return [model.name for model in response.context["page"]]


@pytest.fixture
def three_models(acme, sentiment):
    create_model(actor=TEST_ACTOR, provider=acme, name="Vision")
    create_model(actor=TEST_ACTOR, provider=acme, name="Speech to text")
    return acme


# --- The Models page ------------------------------------------------------------------------------


def test_the_models_page_finds_models_by_name(alice_client, three_models):
    response = alice_client.get("/models/", {"q": "sI"})

    assert names(response) == ["Sentiment Analysis", "Vision"]


def test_the_models_page_sorts_as_asked(alice_client, three_models, make_token, sentiment):
    make_token("used", model=sentiment)

    assert names(alice_client.get("/models/", {"sort": "-name"})) == [
        "Vision",
        "Speech to text",
        "Sentiment Analysis",
    ]
    assert names(alice_client.get("/models/", {"sort": "-tokens"}))[0] == "Sentiment Analysis"
    assert names(alice_client.get("/models/", {"sort": "-created"}))[0] == "Speech to text"


def test_a_bad_sort_is_said_and_the_page_sorts_by_name(alice_client, three_models):
    response = alice_client.get("/models/", {"sort": "colour"})

    assert response.status_code == 200
    assert names(response) == ["Sentiment Analysis", "Speech to text", "Vision"]
    assert "Select a valid choice" in response.content.decode()


def test_paging_keeps_the_search_and_the_sort(alice_client, acme):
    for n in range(30):
        create_model(actor=TEST_ACTOR, provider=acme, name=f"model-{n:02}")

    first = alice_client.get("/models/", {"q": "model", "sort": "-name"})

    html = first.content.decode()
    assert names(first)[0] == "model-29"
    assert "?q=model&amp;sort=-name&amp;page=2" in html
    second = alice_client.get("/models/", {"q": "model", "sort": "-name", "page": 2})
    assert names(second) == [f"model-{n:02}" for n in range(4, -1, -1)]


def test_htmx_gets_the_table_alone_and_nothing_found_is_said(alice_client, three_models):
    response = alice_client.get("/models/", {"q": "zzz"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="model-table"')
    assert "No model matches" in html and "Create your first model" not in html


def test_another_providers_models_are_never_found(alice_client, three_models, charlies_model):
    response = alice_client.get("/models/", {"q": charlies_model.name})

    assert names(response) == []


# --- Edit ----------------------------------------------------------------------------------------


def test_a_member_renames_a_model_and_describes_it(bob_client, sentiment, make_token):
    token, _ = make_token("t", model=sentiment)

    response = bob_client.post(
        f"/models/{sentiment.model_id}/edit/",
        {"name": "Sentiment v2", "description": "Multilingual"},
    )

    assert response.status_code == 302
    sentiment.refresh_from_db()
    assert (sentiment.name, sentiment.description) == ("Sentiment v2", "Multilingual")
    assert Token.objects.get(pk=token.pk).model_name == "Sentiment v2"
    actions = set(Event.objects.values_list("action", flat=True))
    assert {Action.MODEL_RENAMED, Action.MODEL_DESCRIPTION_CHANGED} <= actions


def test_a_name_taken_is_said_next_to_it_and_nothing_changes(alice_client, acme, sentiment):
    create_model(actor=TEST_ACTOR, provider=acme, name="Vision")
    before = (sentiment.name, sentiment.description)

    response = alice_client.post(
        f"/models/{sentiment.model_id}/edit/",
        {"name": "vision", "description": "changed"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    assert "field-error" in response.content.decode()
    sentiment.refresh_from_db()
    assert (sentiment.name, sentiment.description) == before


def test_an_empty_name_is_refused(alice_client, sentiment):
    response = alice_client.post(f"/models/{sentiment.model_id}/edit/", {"name": "  "})

    assert response.status_code == 400
    assert "Enter a name for the model." in response.content.decode()


def test_the_edit_dialog_opens_filled_in(alice_client, sentiment):
    response = alice_client.get(
        f"/models/{sentiment.model_id}/edit/", headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert 'value="Sentiment Analysis"' in html and "Save model" in html


def test_a_viewer_can_neither_edit_nor_delete(victor_client, sentiment):
    for path in (f"/models/{sentiment.model_id}/edit/", f"/models/{sentiment.model_id}/delete/"):
        assert (
            victor_client.post(path, {"name": "x", "confirm_name": sentiment.name}).status_code
            == 403
        )
    assert AIModel.objects.filter(pk=sentiment.pk, name="Sentiment Analysis").exists()


def test_another_provider_gets_404_and_changes_nothing(charlie_client, sentiment):
    for path in (f"/models/{sentiment.model_id}/edit/", f"/models/{sentiment.model_id}/delete/"):
        assert charlie_client.get(path).status_code == 404
        assert (
            charlie_client.post(path, {"name": "x", "confirm_name": sentiment.name}).status_code
            == 404
        )
    assert AIModel.objects.filter(pk=sentiment.pk, name="Sentiment Analysis").exists()


# --- Delete --------------------------------------------------------------------------------------


def test_the_delete_dialog_says_how_many_tokens_become_unassigned(
    alice_client, sentiment, make_token
):
    make_token("a", model=sentiment)
    make_token("b", model=sentiment)

    response = alice_client.get(
        f"/models/{sentiment.model_id}/delete/", headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "2 tokens</strong> become unassigned" in html
    assert "Type <strong" in html


def test_deleting_needs_the_models_name_typed_exactly(alice_client, sentiment):
    response = alice_client.post(
        f"/models/{sentiment.model_id}/delete/", {"confirm_name": "sentiment analysis"}
    )

    assert response.status_code == 400
    assert "Type the model&#x27;s name exactly to confirm." in response.content.decode()
    assert AIModel.objects.filter(pk=sentiment.pk).exists()


def test_deleting_a_model_keeps_its_tokens_unassigned(alice_client, sentiment, make_token):
    token, _ = make_token("kept", model=sentiment)

    response = alice_client.post(
        f"/models/{sentiment.model_id}/delete/", {"confirm_name": "Sentiment Analysis"}
    )

    assert response.status_code == 302 and response["Location"] == "/models/"
    assert not AIModel.objects.filter(pk=sentiment.pk).exists()
    token.refresh_from_db()
    assert token.model is None
    page = alice_client.get("/models/").content.decode()
    assert "Its token is kept, unassigned: assign it to another model." in page
    assert Event.objects.filter(action=Action.MODEL_DELETED).count() == 1


def test_deleting_with_htmx_goes_to_the_models_page(alice_client, sentiment):
    response = alice_client.post(
        f"/models/{sentiment.model_id}/delete/",
        {"confirm_name": "Sentiment Analysis"},
        headers={"HX-Request": "true"},
    )

    assert response["HX-Redirect"] == "/models/"


def test_the_model_page_offers_edit_and_delete_to_a_member(bob_client, sentiment):
    page = bob_client.get(f"/models/{sentiment.model_id}/").content.decode()

    assert 'id="model-edit-button"' in page and 'id="model-delete-button"' in page


def test_the_model_page_offers_a_viewer_neither(victor_client, sentiment):
    page = victor_client.get(f"/models/{sentiment.model_id}/").content.decode()

    assert 'id="model-edit-button"' not in page and 'id="model-delete-button"' not in page
