"""Members: everyone sees who belongs; only Owners change roles, remove people and invite."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from console.accounts import services
from console.accounts.models import Invitation, Membership, Role
from tests.conftest import TEST_ACTOR

MEMBERS = reverse("members")


def membership(user) -> Membership:
    return Membership.objects.get(user=user)


def role_url(user) -> str:
    return reverse("member_role", args=[membership(user).pk])


def remove_url(user) -> str:
    return reverse("member_remove", args=[membership(user).pk])


def roles() -> dict[str, str]:
    return dict(Membership.objects.values_list("user__username", "role"))


def test_the_members_page_lists_name_email_role_joined_and_last_sign_in(
    alice_client, alice, bob, victor
):
    type(alice).objects.filter(pk=bob.pk).update(last_login=timezone.now())
    response = alice_client.get(MEMBERS)

    assert response.status_code == 200
    rows = response.text.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert [re.search(r'class="strong">(\w+)', row).group(1) for row in rows] == [
        "alice",
        "bob",
        "victor",
    ]
    assert "bob@example.com" in rows[1] and 'value="MEMBER" selected' in rows[1]
    assert "Never" not in rows[1] and "Never" in rows[2]
    assert "Pending invitations" in response.text
    assert 'aria-label="Remove alice"' not in rows[0] and reverse("provider_leave") in rows[0]
    assert 'aria-label="Remove bob"' in rows[1]


def test_the_account_menu_leads_owners_to_members_settings_and_leave(alice_client):
    owner_page = alice_client.get(reverse("dashboard")).text

    for item in (MEMBERS, reverse("provider_settings"), reverse("provider_leave")):
        assert f'href="{item}"' in owner_page


def test_members_and_viewers_see_the_list_without_controls(client, bob, victor):
    for person in (bob, victor):
        client.force_login(person)
        page = client.get(MEMBERS).text
        menu = client.get(reverse("dashboard")).text

        assert "alice@example.com" in page and "bob@example.com" in page
        assert "<select" not in page and "Remove" not in page and "Invite member" not in page
        assert "Pending invitations" not in page
        assert f'href="{reverse("provider_settings")}"' not in menu
        assert f'href="{MEMBERS}"' in menu and f'href="{reverse("provider_leave")}"' in menu


def test_an_owner_changes_a_role(alice_client, bob):
    response = alice_client.post(role_url(bob), {"role": "VIEWER"})

    assert response.status_code == 302
    assert roles()["bob"] == Role.VIEWER
    assert "bob is now Viewer." in alice_client.get(MEMBERS).text


def test_an_owner_makes_another_owner_then_steps_down(alice_client, alice, bob):
    alice_client.post(role_url(bob), {"role": "OWNER"})
    alice_client.post(role_url(alice), {"role": "MEMBER"})

    assert roles() == {"alice": Role.MEMBER, "bob": Role.OWNER}


def test_the_last_owner_cannot_be_demoted_and_is_told_why(alice_client, alice, bob):
    response = alice_client.post(role_url(alice), {"role": "MEMBER"}, follow=True)

    assert roles()["alice"] == Role.OWNER
    assert services.LAST_OWNER in response.text


def test_an_unknown_role_changes_nothing(alice_client, bob):
    alice_client.post(role_url(bob), {"role": "ADMIN"})

    assert roles()["bob"] == Role.MEMBER


def test_an_owner_removes_a_member_after_a_confirmation_naming_them(alice_client, bob):
    dialog = alice_client.get(remove_url(bob), headers={"HX-Request": "true"})
    url = remove_url(bob)
    response = alice_client.post(url, headers={"HX-Request": "true"})

    assert "Remove bob?" in dialog.text and "bob@example.com" in dialog.text
    assert response.status_code == 200
    assert "membersChanged" in response["HX-Trigger"]
    assert "bob" not in roles()


def test_the_last_owner_cannot_be_removed(alice_client, alice, bob):
    response = alice_client.post(remove_url(alice))

    assert response.status_code == 409
    assert services.LAST_OWNER in response.text
    assert roles()["alice"] == Role.OWNER


def test_a_removed_member_no_longer_reaches_the_provider(client, alice_client, bob):
    alice_client.post(remove_url(bob))
    client.force_login(bob)

    assert client.get(reverse("tokens:list")).status_code == 403


@pytest.mark.parametrize("persona", ["bob_client", "victor_client"])
def test_members_and_viewers_are_refused_every_owner_action_and_nothing_changes(
    request, persona, alice, bob, victor
):
    client = request.getfixturevalue(persona)
    invitation, _ = services.invite(
        actor=TEST_ACTOR,
        provider=membership(alice).provider,
        email="d@example.com",
        role="MEMBER",
        invited_by=alice,
    )
    before = roles()
    revoke = reverse("invitation_revoke", args=[invitation.invitation_id])

    for target in (alice, bob, victor):
        assert client.post(role_url(target), {"role": "OWNER"}).status_code == 403
        assert client.get(remove_url(target)).status_code == 403
        assert client.post(remove_url(target)).status_code == 403
    assert client.post(reverse("member_invite"), {"email": "e@example.com"}).status_code == 403
    assert client.post(revoke).status_code == 403
    assert roles() == before
    assert Invitation.objects.get().is_open and Invitation.objects.count() == 1


def test_charlie_gets_404_on_every_member_url_with_acmes_ids(charlie_client, alice, bob, globex):
    for target in (alice, bob):
        assert charlie_client.post(role_url(target), {"role": "VIEWER"}).status_code == 404
        assert charlie_client.get(remove_url(target)).status_code == 404
        assert charlie_client.post(remove_url(target)).status_code == 404
    page = charlie_client.get(MEMBERS).text

    assert roles()["alice"] == Role.OWNER and roles()["bob"] == Role.MEMBER
    assert "alice@example.com" not in page and "bob@example.com" not in page
    assert "charlie@example.com" in page
