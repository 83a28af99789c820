"""Invitations: an Owner invites by email; the signed link is accepted or declined once."""

import re
import smtplib
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from console.accounts import services
from console.accounts.models import Invitation, Membership, Role
from console.accounts.services import create_user
from console.errors import DomainError
from tests.conftest import PASSWORD, TEST_ACTOR


def refusal(token: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        services.invitation_from_link(token)
    return caught.value


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


# --- Inviting ----------------------------------------------------------------------------------


def test_an_invitation_is_emailed_with_its_link(acme, alice, settings):
    settings.INVITATION_MAX_AGE_DAYS = 3
    invitation, token = services.invite(
        actor=TEST_ACTOR,
        provider=acme,
        email="dana@example.com",
        role=Role.VIEWER,
        invited_by=alice,
        site_url="https://console.example.com",
    )

    assert invitation.is_open and invitation.role == Role.VIEWER
    assert timedelta(days=3) - (invitation.expires_at - timezone.now()) < timedelta(minutes=1)
    [email] = mail.outbox
    assert email.to == ["dana@example.com"]
    assert "Acme" in email.subject
    assert f"https://console.example.com/invitations/{token}/" in email.body
    assert "alice" in email.body and "Viewer" in email.body


def test_the_link_carries_only_the_signed_invitation_id(invited):
    invitation, link = invited

    assert signing.loads(token_of(link), salt=services.INVITATION_SALT) == invitation.invitation_id


def test_an_invitation_needs_a_valid_email_and_role(acme, alice):
    with pytest.raises(DomainError) as bad_email:
        services.invite(
            actor=TEST_ACTOR,
            provider=acme,
            email="not an email",
            role=Role.MEMBER,
            invited_by=alice,
        )
    with pytest.raises(DomainError) as bad_role:
        services.invite(
            actor=TEST_ACTOR, provider=acme, email="d@example.com", role="ADMIN", invited_by=alice
        )

    assert (bad_email.value.field, bad_role.value.code) == ("email", "unknown_role")
    assert not Invitation.objects.exists() and mail.outbox == []


def test_a_member_is_not_invited_again(acme, alice, bob):
    with pytest.raises(DomainError) as caught:
        services.invite(
            actor=TEST_ACTOR,
            provider=acme,
            email="BOB@example.com",
            role=Role.VIEWER,
            invited_by=alice,
        )

    assert caught.value.code == "already_member"
    assert not Invitation.objects.exists()


def test_the_invite_dialog_creates_the_invitation_and_shows_the_link_to_copy(alice_client):
    response = alice_client.post(
        reverse("member_invite"), {"email": "dana@example.com", "role": "MEMBER"}
    )

    assert response.status_code == 200
    link = re.search(r'id="invitation-link"[^>]*value="([^"]+)"', response.text).group(1)
    assert link.startswith("http://testserver/invitations/")
    assert link in mail.outbox[0].body
    assert response["Cache-Control"] == "no-store"
    assert Invitation.objects.get().email == "dana@example.com"


def test_the_invite_dialog_shows_a_bad_email_next_to_the_field(alice_client):
    response = alice_client.post(reverse("member_invite"), {"email": "nope", "role": "MEMBER"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.text
    assert not Invitation.objects.exists()


# --- Opening the link --------------------------------------------------------------------------


def test_signed_out_the_link_offers_an_account_or_sign_in_and_names_the_invited_email(
    client, invited
):
    _, link = invited
    response = client.get(link)

    assert response.status_code == 200
    assert "dana@example.com" in response.text
    assert "Create account and join" in response.text
    assert "no-store" in response["Cache-Control"]
    assert " style=" not in response.text and "Content-Security-Policy" in response
    assert f"/accounts/login/?next={quote(link)}" in response.text


def test_creating_an_account_from_the_link_joins_and_switches_to_the_provider(
    client, invited, acme
):
    invitation, link = invited
    response = client.post(
        link,
        {"action": "create", "username": "dana", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    membership = Membership.objects.get(user__username="dana")
    assert (membership.provider, membership.role, membership.user.email) == (
        acme,
        Role.MEMBER,
        "dana@example.com",
    )
    assert client.session["provider_id"] == acme.provider_id
    invitation.refresh_from_db()
    assert invitation.accepted_by == membership.user and not invitation.is_open
    assert "Welcome to Acme" in client.get(reverse("dashboard")).text


def test_a_new_account_needs_matching_strong_passwords_and_a_free_username(client, invited):
    invitation, link = invited
    differ = client.post(
        link, {"action": "create", "username": "dana", "password1": PASSWORD, "password2": "x"}
    )
    weak = client.post(
        link, {"action": "create", "username": "dana", "password1": "123", "password2": "123"}
    )

    assert differ.status_code == 400 and "The two passwords differ." in differ.text
    assert weak.status_code == 400 and "too short" in weak.text
    assert not Membership.objects.filter(user__username="dana").exists()
    invitation.refresh_from_db()
    assert invitation.is_open


def test_signed_in_someone_accepts_and_joins_with_the_invited_role(charlie_client, acme, alice):
    _, token = services.invite(
        actor=TEST_ACTOR,
        provider=acme,
        email="charlie@example.com",
        role=Role.VIEWER,
        invited_by=alice,
    )
    link = reverse("invitation", args=[token])

    page = charlie_client.get(link)
    response = charlie_client.post(link, {"action": "accept"})

    assert "Accept and join" in page.text and "not as" not in page.text
    assert response.status_code == 302
    assert Membership.objects.get(provider=acme, user__username="charlie").role == Role.VIEWER
    assert charlie_client.session["provider_id"] == acme.provider_id


def test_accepting_as_someone_else_than_the_invited_email_warns_then_adds_that_account(
    charlie_client, invited, acme
):
    invitation, link = invited

    page = charlie_client.get(link)
    charlie_client.post(link, {"action": "accept"})

    assert "You are signed in as <strong>charlie</strong>" in page.text
    assert "not as dana@example.com" in page.text
    assert Membership.objects.filter(provider=acme, user__username="charlie").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by.username == "charlie"


def test_declining_closes_the_invitation_and_adds_no_one(charlie_client, invited, acme):
    invitation, link = invited
    response = charlie_client.post(link, {"action": "decline"})

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.declined_at and not invitation.is_open
    assert not Membership.objects.filter(provider=acme, user__username="charlie").exists()
    assert refusal(token_of(link)).code == "declined"


def test_a_member_accepting_again_is_refused_and_the_invitation_stays_open(bob_client, acme, alice):
    invitation, token = services.invite(
        actor=TEST_ACTOR,
        provider=acme,
        email="bobby@example.com",
        role=Role.OWNER,
        invited_by=alice,
    )
    response = bob_client.post(reverse("invitation", args=[token]), {"action": "accept"})

    assert response.status_code == 409
    assert "already a member" in response.text
    assert Membership.objects.get(provider=acme, user__username="bob").role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.is_open


# --- Links that no longer work: a clear page, nothing changes -----------------------------------


def test_a_used_link_cannot_be_used_again(client, charlie_client, invited, acme):
    _, link = invited
    charlie_client.post(link, {"action": "accept"})
    client.logout()

    response = client.post(
        link, {"action": "create", "username": "eve", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 410
    assert "already been used" in response.text
    assert not Membership.objects.filter(user__username="eve").exists()
    assert refusal(token_of(link)).code == "accepted"


def test_an_expired_link_is_gone(client, invited):
    invitation, link = invited
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    response = client.get(link)

    assert response.status_code == 410 and "has expired" in response.text
    assert refusal(token_of(link)).code == "expired"


def test_a_link_older_than_the_max_age_is_expired_whatever_the_row_says(invited, settings):
    _, link = invited
    settings.INVITATION_MAX_AGE_DAYS = 0  # the signature's timestamp is now too old

    assert refusal(token_of(link)).code == "expired"


def test_a_revoked_link_is_gone_and_accepting_it_adds_no_one(charlie_client, invited, acme):
    invitation, link = invited
    services.revoke_invitation(actor=TEST_ACTOR, invitation=invitation)

    response = charlie_client.post(link, {"action": "accept"})

    assert response.status_code == 410 and "withdrawn" in response.text
    assert not Membership.objects.filter(provider=acme, user__username="charlie").exists()
    with pytest.raises(DomainError):
        services.revoke_invitation(actor=TEST_ACTOR, invitation=invitation)


def test_a_tampered_link_is_not_found(client, invited):
    invitation, link = invited
    token = token_of(link)
    forged = signing.dumps("inv_someone_elses", salt="another-salt")

    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), forged, "garbage"):
        response = client.get(reverse("invitation", args=[bad]))
        assert response.status_code == 404
        assert "not valid" in response.text
        assert refusal(bad).code == "tampered"
    invitation.refresh_from_db()
    assert invitation.is_open


def test_a_link_to_a_deleted_provider_is_gone(client, invited, acme):
    _, link = invited
    services.delete_provider(actor=TEST_ACTOR, provider=acme, confirm_name="Acme")

    assert client.get(link).status_code == 410


# --- Revoking, and who may ---------------------------------------------------------------------


def test_an_owner_revokes_a_pending_invitation(alice_client, invited):
    invitation, _ = invited
    url = reverse("invitation_revoke", args=[invitation.invitation_id])

    assert "dana@example.com" in alice_client.get(url).text
    response = alice_client.post(url)

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at
    assert url not in alice_client.get(reverse("members")).text


@pytest.mark.parametrize("persona", ["bob_client", "victor_client"])
def test_members_and_viewers_cannot_invite_or_revoke(request, persona, invited):
    invitation, _ = invited
    client = request.getfixturevalue(persona)
    revoke = reverse("invitation_revoke", args=[invitation.invitation_id])

    assert client.get(reverse("member_invite")).status_code == 403
    assert client.post(reverse("member_invite"), {"email": "x@example.com"}).status_code == 403
    assert client.get(revoke).status_code == 403
    assert client.post(revoke).status_code == 403
    assert Invitation.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.is_open


def test_charlie_cannot_revoke_acmes_invitation(charlie_client, invited):
    invitation, _ = invited
    revoke = reverse("invitation_revoke", args=[invitation.invitation_id])

    assert charlie_client.get(revoke).status_code == 404
    assert charlie_client.post(revoke).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_open


def test_the_request_log_never_holds_an_invitation_links_token(client, invited, caplog):
    _, link = invited
    with caplog.at_level("INFO", logger="console.requests"):
        client.get(link)

    assert "path=/invitations/<token>/" in caplog.text
    assert token_of(link) not in caplog.text


def test_someone_in_no_provider_yet_opens_the_link_and_accepts(client, invited, acme):
    _, link = invited
    client.force_login(
        create_user(actor=TEST_ACTOR, username="erin", password=PASSWORD, email="dana@example.com")
    )

    page = client.get(link)
    response = client.post(link, {"action": "accept"})

    assert page.status_code == 200 and "Accept and join" in page.text
    assert response.status_code == 302
    assert client.get(reverse("tokens:list")).status_code == 200
    assert Membership.objects.get(user__username="erin").provider == acme


def test_signing_in_from_the_link_comes_back_to_it(client, invited, charlie):
    _, link = invited
    response = client.post(
        f"{reverse('login')}?next={quote(link)}",
        {"username": "charlie", "password": PASSWORD, "next": link},
    )

    assert response.status_code == 302 and response["Location"] == link


def test_when_the_email_cannot_be_sent_no_invitation_is_made_and_the_owner_is_told(
    alice_client, monkeypatch
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(services, "send_mail", refuse)
    response = alice_client.post(
        reverse("member_invite"), {"email": "dana@example.com", "role": "MEMBER"}
    )

    assert response.status_code == 400
    assert "could not be sent, so no invitation was made" in response.text
    assert not Invitation.objects.exists()
