"""A token's page and its History; a model's History tab."""

import pytest

from models_registry.services import delete_model, update_model
from tests.conftest import TEST_ACTOR
from tokens import services

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def changed_token(make_token, sentiment):
    token, _ = make_token("gateway", model=sentiment, note="for the gateway")
    services.rename_token(actor=TEST_ACTOR, token=token, name="gateway-prod")
    services.renew_token(actor=TEST_ACTOR, token=token)
    services.cancel_token(actor=TEST_ACTOR, token=token)
    return token


def history_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return [event.action for event in response.context["page"]], response


def test_a_tokens_page_shows_its_details_and_its_history_newest_first(
    alice_client, changed_token, make_token
):
    make_token("another")

    actions, response = history_of(alice_client, f"/tokens/{changed_token.token_id}/")

    assert actions == ["token.cancelled", "token.renewed", "token.renamed", "token.created"]
    html = response.content.decode()
    assert "<h1" in html and "gateway-prod" in html
    assert "for the gateway" in html
    assert "Sentiment Analysis" in html
    assert "another" not in html


def test_viewers_open_a_tokens_page_without_its_actions(victor_client, changed_token):
    actions, response = history_of(victor_client, f"/tokens/{changed_token.token_id}/")

    assert actions[0] == "token.cancelled"
    assert "Actions for" not in response.content.decode()
    assert 'id="edit-token-button"' not in response.content.decode()


def test_members_get_the_tokens_actions_on_its_page(bob_client, make_token):
    token, _ = make_token("gateway")

    html = bob_client.get(f"/tokens/{token.token_id}/").content.decode()

    assert 'id="edit-token-button"' in html
    assert "Actions for gateway" in html


def test_another_providers_token_page_is_a_404(charlie_client, changed_token):
    response = charlie_client.get(f"/tokens/{changed_token.token_id}/")

    assert response.status_code == 404
    assert "gateway-prod" not in response.content.decode()


def test_a_deleted_tokens_page_is_a_404_but_its_events_stay(alice_client, make_token):
    from console.audit.models import Event

    token, _ = make_token("short-lived")
    services.delete_token(actor=TEST_ACTOR, token=token)

    assert alice_client.get(f"/tokens/{token.token_id}/").status_code == 404
    assert list(
        Event.objects.filter(target_id=token.token_id).values_list("action", flat=True)
    ) == ["token.deleted", "token.created"]


def test_the_history_refreshes_itself_after_a_change(alice_client, changed_token):
    url = f"/tokens/{changed_token.token_id}/"

    response = alice_client.get(url, HTTP_HX_TARGET="token-body", **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="token-body"')
    assert 'data-refresh-on="tokensChanged"' in html


def test_tokens_list_names_link_to_their_pages(alice_client, changed_token):
    html = alice_client.get("/tokens/").content.decode()

    assert f'href="/tokens/{changed_token.token_id}/">gateway-prod</a>' in html


def test_deleting_a_token_from_its_own_page_leaves_for_the_tokens_list(alice_client, make_token):
    token, _ = make_token("gateway")
    page = f"http://testserver/tokens/{token.token_id}/"

    response = alice_client.post(
        f"/tokens/{token.token_id}/delete/",
        {"confirm_name": "gateway", "next": "/tokens/"},
        HTTP_HX_CURRENT_URL=page,
        **HTMX,
    )

    assert response["HX-Redirect"] == "/tokens/"


def test_a_tokens_history_pages_older_and_newer(alice_client, make_token, monkeypatch):
    from tokens import views

    monkeypatch.setattr(views, "HISTORY_PAGE_SIZE", 2)
    token, _ = make_token("gateway")
    for _ in range(3):
        services.suspend_token(actor=TEST_ACTOR, token=token)
        services.activate_token(actor=TEST_ACTOR, token=token)

    first, response = history_of(alice_client, f"/tokens/{token.token_id}/")
    cursor = response.context["page"].next_cursor
    second, _ = history_of(alice_client, f"/tokens/{token.token_id}/?cursor={cursor}")

    assert first == ["token.activated", "token.suspended"]
    assert second == ["token.activated", "token.suspended"]
    assert 'aria-label="Pages of history"' in response.content.decode()


# --- A model's History -----------------------------------------------------------------------


def test_a_models_history_shows_its_changes_and_its_tokens_comings_and_goings(
    alice_client, sentiment, vision, make_token
):
    token, _ = make_token("gateway", model=sentiment)
    make_token("elsewhere", model=vision)
    update_model(actor=TEST_ACTOR, model=sentiment, name="Sentiment v2")
    services.unassign_token(actor=TEST_ACTOR, token=token)

    actions, response = history_of(alice_client, f"/models/{sentiment.model_id}/history/")

    assert actions == ["token.unassigned", "model.renamed", "token.created", "model.created"]
    html = response.content.decode()
    assert "elsewhere" not in html
    assert 'aria-current="page">History</a>' in html


def test_a_models_history_pages_older_and_newer_through_both_kinds_of_event(
    alice_client, sentiment, make_token, monkeypatch
):
    from models_registry import views

    monkeypatch.setattr(views, "HISTORY_PAGE_SIZE", 2)
    token, _ = make_token("gateway", model=sentiment)
    services.unassign_token(actor=TEST_ACTOR, token=token)
    update_model(actor=TEST_ACTOR, model=sentiment, name="Sentiment v2")
    url = f"/models/{sentiment.model_id}/history/"

    first, response = history_of(alice_client, url)
    older = response.context["page"].next_cursor
    second, response = history_of(alice_client, f"{url}?cursor={older}")
    newer = response.context["page"].previous_cursor
    back, _ = history_of(alice_client, f"{url}?cursor={newer}")

    assert first == ["model.renamed", "token.unassigned"]
    assert second == ["token.created", "model.created"]
    assert response.context["page"].next_cursor is None
    assert back == first


def test_viewers_open_a_models_history(victor_client, sentiment):
    assert victor_client.get(f"/models/{sentiment.model_id}/history/").status_code == 200


def test_another_providers_model_history_is_a_404(charlie_client, sentiment):
    response = charlie_client.get(f"/models/{sentiment.model_id}/history/")

    assert response.status_code == 404
    assert "Sentiment Analysis" not in response.content.decode()


def test_deleting_a_model_records_each_of_its_tokens_leaving_it(alice, acme, sentiment, make_token):
    from console.audit.models import Event

    first, _ = make_token("first", model=sentiment)
    second, _ = make_token("second", model=sentiment)

    delete_model(actor=TEST_ACTOR, model=sentiment)

    left = Event.objects.filter(related_id=sentiment.model_id, action="token.unassigned")
    assert {event.target_id for event in left} == {first.token_id, second.token_id}
    assert all(event.changes == {"model": ["Sentiment Analysis", None]} for event in left)
