import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from console.accounts.services import create_user
from tests.conftest import PASSWORD, TEST_ACTOR


@pytest.mark.parametrize("url", ["/", "/accounts/password/"])
def test_every_console_page_requires_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_provider_logs_in_and_lands_on_the_dashboard(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/"
    assert b"Dashboard" in response.content
    assert response.context["user"] == alice


def test_logout_needs_a_post_and_ends_the_session(alice_client):
    assert alice_client.get("/accounts/logout/").status_code == 405

    response = alice_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert alice_client.get("/").status_code == 302


def test_passwords_are_hashed_with_argon2(db):
    # The suite hashes with MD5 for speed (tests/settings.py); the console's own settings do not.
    from console import settings as console_settings

    with override_settings(PASSWORD_HASHERS=console_settings.PASSWORD_HASHERS):
        person = create_user(actor=TEST_ACTOR, username="argon", password=PASSWORD)

    assert console_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert person.password.startswith("argon2$")
    assert person.check_password(PASSWORD)


def test_createprovider_noinput_reads_the_password_from_the_environment(db, monkeypatch, capsys):
    monkeypatch.setenv("DJANGO_PROVIDER_PASSWORD", "a-long-enough-password")

    call_command("createprovider", "acme", "--email", "ops@acme.test", "--noinput")

    user = get_user_model().objects.get(username="acme")
    assert user.email == "ops@acme.test"
    assert user.check_password("a-long-enough-password")
    assert not user.is_staff
    assert "created" in capsys.readouterr().out


def test_createprovider_noinput_without_password_says_what_to_set(db, monkeypatch):
    monkeypatch.delenv("DJANGO_PROVIDER_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="DJANGO_PROVIDER_PASSWORD"):
        call_command("createprovider", "acme", "--noinput")

    assert not get_user_model().objects.filter(username="acme").exists()


def test_createprovider_refuses_a_taken_name(alice, monkeypatch):
    monkeypatch.setenv("DJANGO_PROVIDER_PASSWORD", "a-long-enough-password")

    with pytest.raises(CommandError, match="already taken"):
        call_command("createprovider", "ALICE", "--noinput")


def test_createprovider_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("DJANGO_PROVIDER_PASSWORD", "123")

    with pytest.raises(CommandError, match="too short"):
        call_command("createprovider", "acme", "--noinput")


def test_createprovider_prompts_for_the_password_twice(db, monkeypatch):
    answers = iter(["a-long-enough-password", "a-long-enough-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    call_command("createprovider", "acme")

    assert get_user_model().objects.get(username="acme").check_password("a-long-enough-password")


def test_createprovider_refuses_mismatched_passwords(db, monkeypatch):
    answers = iter(["a-long-enough-password", "another-long-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError, match="did not match"):
        call_command("createprovider", "acme")
    assert not get_user_model().objects.exists()


def test_createprovider_makes_a_provider_of_the_same_name_owned_by_the_new_person(db, monkeypatch):
    from console.accounts.models import Membership

    monkeypatch.setenv("DJANGO_PROVIDER_PASSWORD", "a-long-enough-password")

    call_command("createprovider", "initech", "--noinput")

    membership = Membership.objects.get(user__username="initech")
    assert (membership.provider.name, membership.role) == ("initech", "OWNER")


@pytest.mark.parametrize("role", ["member", "viewer", "owner"])
def test_createprovider_adds_a_person_to_an_existing_provider_with_a_role(
    acme, monkeypatch, capsys, role
):
    from console.accounts.models import Membership, Provider

    monkeypatch.setenv("DJANGO_PROVIDER_PASSWORD", "a-long-enough-password")

    call_command("createprovider", "dave", "--provider", "ACME", "--role", role, "--noinput")

    membership = Membership.objects.get(user__username="dave")
    assert (membership.provider, membership.role) == (acme, role.upper())
    assert Provider.objects.count() == 1
    assert "added to “Acme”" in capsys.readouterr().out


def test_createprovider_refuses_an_unknown_provider_and_creates_nobody(acme, monkeypatch):
    monkeypatch.setenv("DJANGO_PROVIDER_PASSWORD", "a-long-enough-password")

    with pytest.raises(CommandError, match="There is no provider named “Nowhere”"):
        call_command("createprovider", "dave", "--provider", "Nowhere", "--noinput")
    assert not get_user_model().objects.filter(username="dave").exists()


# --- Password length --------------------------------------------------------------------------

ELEVEN = "mauve-tiger"  # 11 characters, otherwise unremarkable
TWELVE = "mauve-tigers"


def test_a_password_needs_twelve_characters_and_says_so(db):
    from console.errors import DomainError

    with pytest.raises(DomainError, match="at least 12 characters"):
        create_user(actor=TEST_ACTOR, username="dana", password=ELEVEN)

    assert create_user(actor=TEST_ACTOR, username="dana", password=TWELVE).check_password(TWELVE)


def test_changing_to_a_short_password_is_refused_beside_the_field(alice_client, alice):
    page = alice_client.get("/accounts/password/").content.decode()
    response = alice_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": ELEVEN, "new_password2": ELEVEN},
    )

    assert "At least 12 characters" in page
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_another_providers_owner_cannot_change_alices_password(charlie_client, alice):
    charlie_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": TWELVE + "x", "new_password2": TWELVE + "x"},
    )

    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
