"""
Assigning a token to the model it already has answers the same through the assign action and
a PATCH: 200 with the token unchanged, nothing recorded. Moving it elsewhere is 409 both ways.
"""

import pytest

from console.audit.models import Action, Event
from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token


def assign_both_ways(api, token, model_id):
    url = f"/api/v1/tokens/{token.token_id}"
    return api.post(f"{url}/assign", {"model_id": model_id}), api.patch(url, {"model_id": model_id})


def test_the_model_it_has_answers_200_unchanged_through_assign_and_patch(
    api, make_token, sentiment
):
    token, _ = make_token("kept", model=sentiment)
    before = Token.objects.get(pk=token.pk)

    by_action, by_patch = assign_both_ways(api, token, sentiment.model_id)

    assert (by_action.status_code, by_patch.status_code) == (200, 200)
    assert by_action.json() == by_patch.json()
    assert by_action.json()["model_id"] == sentiment.model_id
    after = Token.objects.get(pk=token.pk)
    assert (after.model_id, after.updated_at, after.needs_new_evk) == (
        sentiment.pk,
        before.updated_at,
        before.needs_new_evk,
    )
    assert not Event.objects.filter(action=Action.TOKEN_ASSIGNED, target_id=token.token_id)


def test_a_cancelled_token_on_that_model_answers_the_same_both_ways(api, make_token, sentiment):
    token, _ = make_token("cancelled", model=sentiment)
    services.cancel_token(actor=TEST_ACTOR, token=token)

    by_action, by_patch = assign_both_ways(api, token, sentiment.model_id)

    assert (by_action.status_code, by_patch.status_code) == (200, 200)
    assert by_action.json()["status"] == by_patch.json()["status"] == "CANCELED"


def test_another_model_is_409_both_ways(api, make_token, sentiment, vision):
    token, _ = make_token("kept", model=sentiment)

    by_action, by_patch = assign_both_ways(api, token, vision.model_id)

    assert (by_action.status_code, by_patch.status_code) == (409, 409)
    assert by_action.json()["code"] == by_patch.json()["code"] == "already_assigned"
    assert Token.objects.get(pk=token.pk).model == sentiment


@pytest.mark.parametrize("role_key", ["member", "viewer"])
def test_a_members_key_assigns_as_an_owners_does_and_a_viewers_cannot(
    client, acme, bob, victor, make_token, sentiment, role_key
):
    from console.api.services import create_license_key
    from tests.conftest import ApiCaller

    user = {"member": bob, "viewer": victor}[role_key]
    key = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=user, name="k")[1]
    token, _ = make_token("kept", model=sentiment)

    by_action, by_patch = assign_both_ways(ApiCaller(client, key), token, sentiment.model_id)

    expected = 200 if role_key == "member" else 403
    assert (by_action.status_code, by_patch.status_code) == (expected, expected)


def test_another_providers_token_is_404_both_ways(charlie_api, make_token, sentiment):
    token, _ = make_token("alice-only", model=sentiment)

    by_action, by_patch = assign_both_ways(charlie_api, token, sentiment.model_id)

    assert (by_action.status_code, by_patch.status_code) == (404, 404)
