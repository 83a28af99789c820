"""A token changed or deleted by someone else while its dialog was open: refused, never faked."""

import json

import pytest
from django.utils import timezone

from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token

HTMX = {"HTTP_HX_REQUEST": "true"}


def edit_form_as_shown(client, token):
    """The Edit dialog's fields as it rendered them (hidden initial values included)."""
    response = client.get(f"/tokens/{token.token_id}/edit/", **HTMX)
    form = response.context["form"]
    data = {
        "name": token.name,
        "note": token.note,
        "expires_at": timezone.localtime(token.expires_at).strftime("%Y-%m-%dT%H:%M"),
        "status": token.status,
    }
    if "model" in form.fields:
        data["model"] = data["initial-model"] = ""
    return data


def test_edit_refuses_a_model_for_a_token_assigned_meanwhile(
    alice_client, make_token, sentiment, vision
):
    token, _ = make_token("spare")
    shown = edit_form_as_shown(alice_client, token)
    services.assign_token(actor=TEST_ACTOR, token=token, model=vision)  # another request

    response = alice_client.post(
        f"/tokens/{token.token_id}/edit/",
        {**shown, "model": sentiment.model_id, "note": "meanwhile"},
        **HTMX,
    )

    html = response.content.decode()
    token.refresh_from_db()
    assert response.status_code == 409
    assert "closeModal" not in response.get("HX-Trigger", "")
    assert "updated." not in html
    assert "is already assigned to" in response.context["form"].errors["model"][0]
    assert (token.model, token.note) == (vision, "")


def test_edit_keeps_a_token_assigned_meanwhile_when_the_model_was_left_alone(
    alice_client, make_token, vision
):
    token, _ = make_token("spare")
    shown = edit_form_as_shown(alice_client, token)
    services.assign_token(actor=TEST_ACTOR, token=token, model=vision)

    response = alice_client.post(
        f"/tokens/{token.token_id}/edit/", {**shown, "note": "kept"}, **HTMX
    )

    token.refresh_from_db()
    assert response.status_code == 200
    assert (token.model, token.note) == (vision, "kept")


ACTIONS = [
    ("post", "edit"),
    ("get", "edit"),
    ("post", "renew"),
    ("post", "suspend"),
    ("post", "activate"),
    ("get", "unassign"),
    ("post", "unassign"),
    ("get", "cancel"),
    ("post", "cancel"),
    ("get", "delete"),
    ("post", "delete"),
]


@pytest.mark.parametrize(("method", "action"), ACTIONS)
def test_an_action_on_a_deleted_token_says_so_under_htmx(
    alice_client, make_token, sentiment, method, action
):
    token, _ = make_token("doomed", model=sentiment)
    Token.objects.filter(pk=token.pk).delete()

    response = getattr(alice_client, method)(
        f"/tokens/{token.token_id}/{action}/", {"name": "x", "confirm_name": "doomed"}, **HTMX
    )

    assert response.status_code == 404
    assert set(json.loads(response["HX-Trigger"])) == {"tokensChanged", "closeModal"}
    assert response["HX-Reswap"] == "none"
    assert "This token no longer exists." in response.content.decode()
    assert "<title>" not in response.content.decode()  # not a page in place of the console


@pytest.mark.parametrize(("method", "action"), ACTIONS)
def test_an_action_on_a_deleted_token_says_so_without_javascript(
    alice_client, make_token, sentiment, method, action
):
    token, _ = make_token("doomed", model=sentiment)
    Token.objects.filter(pk=token.pk).delete()

    response = getattr(alice_client, method)(
        f"/tokens/{token.token_id}/{action}/?next=/models/", {"confirm_name": "doomed"}
    )

    html = response.content.decode()
    assert response.status_code == 404
    assert "This token no longer exists." in html
    assert 'href="/models/"' in html or 'href="/tokens/"' in html


def test_edit_racing_a_delete_closes_the_dialog_saying_the_token_is_gone(
    alice_client, make_token, request
):
    token, _ = make_token("doomed")
    shown = edit_form_as_shown(alice_client, token)
    request.getfixturevalue("deleted_meanwhile")

    response = alice_client.post(
        f"/tokens/{token.token_id}/edit/", {**shown, "name": "renamed"}, **HTMX
    )

    assert response.status_code == 404
    assert "closeModal" in response["HX-Trigger"]
    assert "This token no longer exists." in response.content.decode()


@pytest.mark.parametrize("action", ["renew", "suspend", "cancel", "unassign", "delete"])
def test_a_row_action_racing_a_delete_answers_cleanly(
    alice_client, make_token, sentiment, request, action
):
    token, _ = make_token("doomed", model=sentiment)
    request.getfixturevalue("deleted_meanwhile")

    response = alice_client.post(
        f"/tokens/{token.token_id}/{action}/", {"confirm_name": "doomed"}, **HTMX
    )

    assert response.status_code == 404
    assert "This token no longer exists." in response.content.decode()
