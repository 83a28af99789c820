"""Dangerous actions ask for the password again (and a code) unless given in the last minutes."""

import time

import pytest

from console.accounts.models import Membership, Role
from console.api.models import LicenseKey
from console.security import services
from console.security.models import AuthenticatorApp
from tests.conftest import PASSWORD
from tests.test_two_factor import code_for, turn_on

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "modal-content"}


def long_ago(client, minutes=11):
    """As if the person last gave their password `minutes` ago."""
    session = client.session
    session["reauthenticated_at"] = int(time.time()) - minutes * 60
    session.save()


def test_signing_in_counts_as_confirming_for_the_next_ten_minutes(alice_client):
    response = alice_client.post(
        "/account/license-keys/new/", {"name": "gateway", "scope": "gateway"}
    )

    assert response.status_code == 200
    assert LicenseKey.objects.filter(name="gateway").exists()


@pytest.mark.parametrize("url", ["/account/license-keys/new/", "/accounts/provider/delete/"])
def test_a_dangerous_dialog_asks_for_the_password_first_after_ten_minutes(alice_client, url):
    long_ago(alice_client)

    page = alice_client.get(url)
    dialog = alice_client.get(url, **HTMX)

    assert page.status_code == 302 and page["Location"].startswith("/accounts/confirm/?next=")
    assert dialog.status_code == 200
    assert '"target": "#modal-content"' in dialog["HX-Location"]
    assert '"push": "false"' in dialog["HX-Location"]


def test_a_dangerous_post_changes_nothing_until_confirmed(alice_client, bob, acme):
    long_ago(alice_client)
    membership = Membership.objects.get(provider=acme, user=bob)

    response = alice_client.post(
        f"/accounts/members/{membership.pk}/role/",
        {"role": Role.VIEWER},
        HTTP_REFERER="http://testserver/accounts/members/",
    )

    membership.refresh_from_db()
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/accounts/confirm/?next=http%3A%2F%2Ftestserver%2Faccounts%2Fmembers%2F"
    )
    assert membership.role == Role.MEMBER


def test_the_password_confirms_and_sends_the_person_on(alice_client):
    long_ago(alice_client)

    wrong = alice_client.post(
        "/accounts/confirm/", {"password": "not-it", "next": "/account/license-keys/new/"}
    )
    right = alice_client.post(
        "/accounts/confirm/", {"password": PASSWORD, "next": "/account/license-keys/new/"}
    )

    assert wrong.status_code == 400 and "That is not your password." in wrong.content.decode()
    assert right.status_code == 302 and right["Location"] == "/account/license-keys/new/"
    assert alice_client.get("/account/license-keys/new/").status_code == 200


def test_confirming_inside_a_dialog_opens_the_dialog_it_was_asked_for(alice_client):
    long_ago(alice_client)

    response = alice_client.post(
        "/accounts/confirm/",
        {"password": PASSWORD, "next": "/account/license-keys/new/"},
        **HTMX,
    )

    assert '"path": "/account/license-keys/new/"' in response["HX-Location"]


def test_with_two_factor_on_confirming_needs_a_code_too(alice_client, alice):
    turn_on(alice)
    long_ago(alice_client)
    app = AuthenticatorApp.objects.get(user=alice)

    without = alice_client.post("/accounts/confirm/", {"password": PASSWORD, "next": "/"})
    with_code = alice_client.post(
        "/accounts/confirm/",
        {"password": PASSWORD, "code": code_for(app, steps_ahead=1), "next": "/"},
    )

    assert without.status_code == 400
    assert with_code.status_code == 302
    assert services.has_two_factor(alice)


def test_the_window_is_a_setting(alice_client, settings):
    settings.REAUTHENTICATION_MINUTES = 30
    long_ago(alice_client, minutes=20)

    assert alice_client.get("/account/license-keys/new/").status_code == 200


def test_removing_a_member_asks_first(alice_client, bob, acme):
    long_ago(alice_client)
    membership = Membership.objects.get(provider=acme, user=bob)

    response = alice_client.post(f"/accounts/members/{membership.pk}/remove/")

    assert response.status_code == 302 and "/accounts/confirm/" in response["Location"]
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_viewer_is_refused_before_being_asked_to_confirm(victor_client):
    long_ago(victor_client)

    assert victor_client.get("/account/license-keys/new/").status_code == 403


def test_confirming_never_sends_anyone_off_site(alice_client):
    response = alice_client.post(
        "/accounts/confirm/", {"password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_another_provider_confirming_still_gets_404_on_acmes_members(charlie_client, bob, acme):
    membership = Membership.objects.get(provider=acme, user=bob)
    charlie_client.post("/accounts/confirm/", {"password": PASSWORD, "next": "/"})

    response = charlie_client.post(f"/accounts/members/{membership.pk}/remove/")

    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_guessing_the_password_here_counts_towards_the_sign_in_lockout(alice_client):
    answers = [
        alice_client.post("/accounts/confirm/", {"password": f"guess-number-{n}", "next": "/"})
        for n in range(6)
    ]

    assert [answer.status_code for answer in answers[:4]] == [400] * 4
    assert answers[5].status_code == 429
    assert "Too many failed sign-ins" in answers[5].content.decode()


def test_saving_provider_settings_asks_first_but_reading_them_does_not(alice_client, acme):
    long_ago(alice_client)

    page = alice_client.get("/accounts/provider/")
    save = alice_client.post("/accounts/provider/", {"name": "Acme Renamed"})

    acme.refresh_from_db()
    assert page.status_code == 200
    assert save.status_code == 302 and "/accounts/confirm/" in save["Location"]
    assert acme.name == "Acme"


def test_cancel_returns_to_the_page_the_person_came_from(alice_client):
    long_ago(alice_client)

    page = alice_client.get(
        "/accounts/confirm/?next=/account/license-keys/new/",
        HTTP_REFERER="http://testserver/account/license-keys/",
    )

    assert page.context["back_url"] == "http://testserver/account/license-keys/"
    assert 'href="http://testserver/account/license-keys/" data-dialog-close>Cancel' in (
        page.content.decode()
    )


def test_the_confirm_page_of_its_own_posts_as_a_plain_form(alice_client):
    page = alice_client.get("/accounts/confirm/?next=/").content.decode()
    dialog = alice_client.get("/accounts/confirm/?next=/", **HTMX).content.decode()

    assert "hx-post" not in page
    assert "hx-post" in dialog


def test_a_lockout_while_confirming_is_said_inside_the_dialog(alice_client):
    answers = [
        alice_client.post(
            "/accounts/confirm/", {"password": f"guess-number-{n}", "next": "/"}, **HTMX
        )
        for n in range(5)
    ]

    locked = answers[-1]
    html = locked.content.decode()
    assert locked.status_code == 429
    assert "<html" not in html and 'id="modal-title">Too many attempts' in html
    assert "Too many failed sign-ins for this username from your address." in html
