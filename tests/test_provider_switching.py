"""A person in several providers picks one in the header; every page says which it shows."""

import pytest

from console.accounts.models import Role
from console.accounts.services import add_member, create_user
from tests.conftest import PASSWORD, TEST_ACTOR


@pytest.fixture
def bob_in_both(bob, globex):
    """bob: a Member of Acme (first by name) and an Owner of Globex."""
    add_member(actor=TEST_ACTOR, provider=globex, user=bob, role=Role.OWNER)
    return bob


def shown_provider(client) -> str:
    return client.get("/").context["current_provider"].name


def test_the_header_names_the_provider_and_offers_the_others(bob_client, bob_in_both):
    html = bob_client.get("/").content.decode()

    assert shown_provider(bob_client) == "Acme"
    assert 'aria-label="Provider: Acme. Switch provider"' in html
    assert "Globex" in html


def test_a_person_in_one_provider_sees_its_name_without_a_switcher(alice_client):
    html = alice_client.get("/").content.decode()

    assert 'class="provider-label"' in html and ">Acme<" in html
    assert "provider-menu" not in html


def test_switching_shows_the_other_provider_from_then_on(bob_client, bob_in_both, globex):
    response = bob_client.post(f"/providers/{globex.provider_id}/switch/")

    assert response.status_code == 302
    assert shown_provider(bob_client) == "Globex"


def test_switching_to_a_provider_you_are_not_in_is_404(alice_client, globex):
    response = alice_client.post(f"/providers/{globex.provider_id}/switch/")

    assert response.status_code == 404
    assert shown_provider(alice_client) == "Acme"


def test_a_link_to_a_token_opens_for_any_member_of_its_provider_and_shows_it(
    bob_client, bob_in_both, globex, make_token
):
    theirs, _ = make_token("globex-gateway", provider=globex)
    assert shown_provider(bob_client) == "Acme"

    response = bob_client.get(f"/tokens/{theirs.token_id}/edit/")

    assert response.status_code == 200
    assert shown_provider(bob_client) == "Globex"


def test_a_link_to_a_model_switches_too_and_the_role_there_counts(
    victor_client, victor, globex, charlies_model
):
    add_member(actor=TEST_ACTOR, provider=globex, user=victor, role=Role.MEMBER)

    tab = victor_client.get(f"/models/{charlies_model.model_id}/tokens/")
    create = victor_client.get(f"/models/{charlies_model.model_id}/tokens/new/")

    assert tab.status_code == 200 and create.status_code == 200  # a Member in Globex
    assert shown_provider(victor_client) == "Globex"


def test_someone_in_no_provider_is_told_so_and_staff_still_reach_the_admin(client, staff, db):
    nobody = create_user(actor=TEST_ACTOR, username="nobody", password=PASSWORD)
    client.force_login(nobody)
    page = client.get("/tokens/")
    client.force_login(staff)
    admin = client.get("/admin/")

    assert page.status_code == 403
    assert "You are not a member of any provider" in page.content.decode()
    assert admin.status_code == 200
