"""
A token's page says everything about it: its id (with Copy), who made it and when, when it last
changed, and, for Members and Owners, its actions as plain forms (shown when JavaScript is off).
"""

from tests.conftest import TEST_ACTOR
from tokens import services


def page_of(client, token):
    return client.get(f"/tokens/{token.token_id}/")


def test_the_page_says_who_made_the_token_and_when_it_last_changed(
    alice, alice_client, acme, sentiment
):
    token, _ = services.create_token(
        actor=TEST_ACTOR, provider=acme, name="laptop", model=sentiment
    )

    html = page_of(alice_client, token).content.decode()

    assert "by System (tests)" in html
    assert "Last updated" in html
    assert 'data-copy-target="token-id"' in html and f'id="token-id">{token.token_id}<' in html


def test_a_member_gets_the_actions_as_forms(bob_client, sentiment, make_token):
    token, _ = make_token("laptop", model=sentiment)

    html = page_of(bob_client, token).content.decode()

    assert 'id="token-actions"' in html
    assert f'action="/tokens/{token.token_id}/suspend/"' in html
    assert f'action="/tokens/{token.token_id}/renew/"' in html


def test_a_viewer_gets_no_actions(victor_client, sentiment, make_token):
    token, _ = make_token("laptop", model=sentiment)

    assert 'id="token-actions"' not in page_of(victor_client, token).content.decode()


def test_another_providers_token_page_is_404(charlie_client, make_token):
    token, _ = make_token("laptop")

    assert page_of(charlie_client, token).status_code == 404


def test_a_plain_suspend_form_goes_back_to_the_page(bob_client, sentiment, make_token):
    token, _ = make_token("laptop", model=sentiment)

    response = bob_client.post(
        f"/tokens/{token.token_id}/suspend/", {"next": f"/tokens/{token.token_id}/"}
    )

    assert response.status_code == 302 and response["Location"] == f"/tokens/{token.token_id}/"
    token.refresh_from_db()
    assert token.status == "SUSPENDED"


def test_assigning_by_full_name_finds_one_unassigned_token(bob_client, sentiment, make_token):
    spare, _ = make_token("Spare Laptop")
    make_token("Spare", model=sentiment)

    bob_client.post(f"/models/{sentiment.model_id}/tokens/assign/", {"q": "spare laptop"})
    missing = bob_client.post(f"/models/{sentiment.model_id}/tokens/assign/", {"q": "nobody"})

    spare.refresh_from_db()
    assert spare.model == sentiment
    assert "Choose an unassigned token from the list." in missing.content.decode()
