"""Provider settings, Delete provider and Leave provider: Owners run the provider; anyone leaves."""

import pytest
from django.urls import reverse

from console.accounts import selectors, services
from console.accounts.models import Invitation, Membership, Provider, Role
from console.api.models import LicenseKey
from console.api.services import create_license_key
from console.errors import DomainError
from models_registry.models import AIModel
from tests.conftest import TEST_ACTOR
from tokens.models import Token

SETTINGS = reverse("provider_settings")
DELETE = reverse("provider_delete")
LEAVE = reverse("provider_leave")


def settings_form(**changes) -> dict:
    form = {"name": "Acme", "default_token_lifetime_days": "", "max_token_lifetime_days": ""}
    return form | changes


@pytest.fixture
def acme_owns_things(acme, alice, bob, sentiment, make_token):
    """Acme with a model, two tokens, a license key and an invitation."""
    make_token("one", model=sentiment)
    make_token("two")
    create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="scripts")
    services.invite(
        actor=TEST_ACTOR, provider=acme, email="d@example.com", role=Role.VIEWER, invited_by=alice
    )


# --- Settings ----------------------------------------------------------------------------------


def test_an_owner_renames_the_provider_and_sets_token_lifetimes(alice_client, acme):
    response = alice_client.post(
        SETTINGS,
        settings_form(
            name="Acme Labs", default_token_lifetime_days="14", max_token_lifetime_days="90"
        ),
    )

    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.token_default_days, acme.token_max_days) == ("Acme Labs", 14, 90)


def test_blank_lifetimes_mean_the_servers_defaults(alice_client, acme, settings):
    Provider.objects.filter(pk=acme.pk).update(default_token_lifetime_days=5)
    alice_client.post(SETTINGS, settings_form())

    acme.refresh_from_db()
    assert acme.default_token_lifetime_days is None and acme.max_token_lifetime_days is None
    assert acme.token_default_days == settings.TOKEN_DEFAULT_LIFETIME_DAYS


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "Globex"}, "already exists"),
        ({"name": "  "}, "Enter the provider"),
        ({"default_token_lifetime_days": "0"}, "greater than or equal to 1"),
        ({"max_token_lifetime_days": "366"}, "less than or equal to 365"),
        ({"default_token_lifetime_days": "400"}, "between 1 and 365"),
        (
            {"default_token_lifetime_days": "60", "max_token_lifetime_days": "30"},
            "cannot be longer",
        ),
        ({"max_token_lifetime_days": "10"}, "cannot be longer than the maximum (10 days)"),
    ],
)
def test_settings_refuse_what_the_rules_forbid_and_change_nothing(
    alice_client, acme, globex, changes, message
):
    response = alice_client.post(SETTINGS, settings_form(**changes))

    assert response.status_code in {400, 409}
    assert message in response.text
    acme.refresh_from_db()
    assert (acme.name, acme.default_token_lifetime_days, acme.max_token_lifetime_days) == (
        "Acme",
        None,
        None,
    )


def test_renaming_to_the_same_name_in_another_case_is_allowed(acme):
    renamed = services.update_provider_settings(
        actor=TEST_ACTOR,
        provider=acme,
        name="ACME",
        default_token_lifetime_days=None,
        max_token_lifetime_days=None,
    )

    assert renamed.name == "ACME"


# --- Delete ------------------------------------------------------------------------------------


def test_the_delete_confirmation_counts_what_will_be_deleted(alice_client, acme, acme_owns_things):
    assert selectors.provider_deletion_counts(acme) == {
        "models": 1,
        "tokens": 2,
        "license keys": 1,
        "members": 2,
        "invitations": 1,
    }
    page = alice_client.get(DELETE).text

    for line in ("1 models", "2 tokens", "1 license keys", "2 members", "1 invitations"):
        assert f"<li>{line}</li>" in page


def test_deleting_needs_the_exact_name_and_otherwise_changes_nothing(
    alice_client, acme, acme_owns_things
):
    response = alice_client.post(DELETE, {"confirm_name": "acme"})

    assert response.status_code == 400
    assert "Type the provider&#x27;s name, Acme, exactly" in response.text
    assert Provider.objects.filter(pk=acme.pk).exists() and Token.objects.count() == 2


def test_deleting_takes_everything_the_provider_owns_and_nothing_else(
    alice_client, alice, acme, acme_owns_things, charlies_model
):
    response = alice_client.post(DELETE, {"confirm_name": "Acme"})

    assert response.status_code == 302
    assert not Provider.objects.filter(pk=acme.pk).exists()
    assert list(AIModel.objects.all()) == [charlies_model]
    assert not Token.objects.exists() and not LicenseKey.objects.exists()
    assert not Invitation.objects.exists()
    assert not Membership.objects.filter(user=alice).exists()
    assert alice_client.get(reverse("dashboard")).status_code == 403  # in no provider now


# --- Leave -------------------------------------------------------------------------------------


def test_a_member_leaves_after_a_confirmation(bob_client, bob, acme):
    page = bob_client.get(LEAVE)
    response = bob_client.post(LEAVE)

    assert "Leave Acme?" in page.text
    assert response.status_code == 302
    assert not Membership.objects.filter(user=bob).exists()


def test_the_last_owner_cannot_leave_and_is_told_why(alice_client, alice, bob):
    response = alice_client.post(LEAVE)

    assert response.status_code == 409
    assert "You are the last Owner of Acme" in response.text
    assert Membership.objects.get(user=alice).role == Role.OWNER
    with pytest.raises(DomainError) as caught:
        services.leave_provider(actor=TEST_ACTOR, membership=Membership.objects.get(user=alice))
    assert caught.value.code == "last_owner"


def test_an_owner_leaves_when_another_owner_remains(alice_client, alice, bob):
    services.change_role(
        actor=TEST_ACTOR, membership=Membership.objects.get(user=bob), role=Role.OWNER
    )

    assert alice_client.post(LEAVE).status_code == 302
    assert not Membership.objects.filter(user=alice).exists()


# --- Who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["bob_client", "victor_client"])
def test_members_and_viewers_cannot_change_or_delete_the_provider(request, persona, acme):
    client = request.getfixturevalue(persona)

    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, settings_form(name="Mine")).status_code == 403
    assert client.get(DELETE).status_code == 403
    assert client.post(DELETE, {"confirm_name": "Acme"}).status_code == 403
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_charlie_cannot_reach_acme_through_these_pages_even_with_acme_in_his_session(
    charlie_client, acme, globex
):
    # These pages take no id: they act on the provider shown, which is never one charlie is
    # not a member of, even when his session names Acme.
    session = charlie_client.session
    session["provider_id"] = acme.provider_id
    session.save()

    settings_page = charlie_client.get(SETTINGS).text
    deleted = charlie_client.post(DELETE, {"confirm_name": "Acme"})
    charlie_client.post(SETTINGS, settings_form(name="Acme Stolen"))

    assert 'value="Globex"' in settings_page and 'value="Acme"' not in settings_page
    assert deleted.status_code == 400
    acme.refresh_from_db()
    assert acme.name == "Acme"
    assert not Membership.objects.filter(provider=acme, user__username="charlie").exists()
    assert (
        charlie_client.get(reverse("member_remove", args=[acme.memberships.get().pk])).status_code
        == 404
    )


def test_deleting_from_the_dialog_sends_the_browser_to_the_dashboard(alice_client, acme):
    response = alice_client.post(DELETE, {"confirm_name": "Acme"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("dashboard")
    assert not Provider.objects.filter(pk=acme.pk).exists()
