"""Failed sign-ins are counted per username and address; a locked pair waits, whoever asks."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
WRONG = "not-the-password-at-all"


def sign_in(client, username, password=WRONG, address="198.51.100.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="198.51.100.7"):
    """`times` wrong passwords; the answers' statuses (the fifth failure's answer says locked)."""
    return [sign_in(client, username, address=address).status_code for _ in range(times)]


def page_text(response) -> str:
    """The page without what differs on every answer (the CSRF token, the CSP nonce)."""
    html = response.content.decode()
    return re.sub(r'(value|nonce|hx-headers)=(["\']).*?\2', "", html)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_username_and_address_even_against_the_right_password(client, alice):
    fail(client, "alice", 5)

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    html = response.content.decode()
    assert "Too many failed sign-ins for this username from your address." in html
    assert "Try again in 15 minutes, after" in html
    assert not signed_in(client)


def test_an_unknown_username_gets_the_same_answer_at_the_same_point(client, alice):
    fail(client, "nobody-by-this-name", 5)

    unknown = sign_in(client, "nobody-by-this-name")
    fail(client, "alice", 5, address="198.51.100.8")
    known = sign_in(client, "alice", address="198.51.100.8")

    assert unknown.status_code == known.status_code == 429
    assert unknown["Retry-After"] == known["Retry-After"]
    assert page_text(unknown).replace("nobody-by-this-name", "alice") == page_text(known)


def test_an_unknown_username_costs_a_password_hash_as_a_known_one_does(client, alice, monkeypatch):
    hashed = []
    real_encode = MD5PasswordHasher.encode

    def counting_encode(self, password, salt):
        hashed.append(password)
        return real_encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)

    sign_in(client, "alice")
    known = len(hashed)
    sign_in(client, "nobody-by-this-name")

    assert known == 1
    assert len(hashed) - known == 1


def test_the_lock_holds_one_username_at_one_address_only(client, alice, bob):
    fail(client, "alice", 5)

    from_elsewhere = sign_in(client, "alice", PASSWORD, address="203.0.113.9")
    client.logout()
    someone_else = sign_in(client, "bob", PASSWORD)

    assert from_elsewhere.status_code == 302
    assert someone_else.status_code == 302


def test_a_right_password_before_the_limit_starts_the_count_again(client, alice):
    fail(client, "alice", 4)
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()

    fail(client, "alice", 4)

    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_lockout_minutes(client, alice):
    fail(client, "alice", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_the_limit_and_the_wait_are_settings(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.LOGIN_LOCKOUT_MINUTES = 1

    fail(client, "alice", 2)
    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Try again in 1 minute," in response.content.decode()


def test_a_command_clears_a_lock(client, alice, capsys):
    fail(client, "alice", 5)

    call_command("axes_reset_ip_username", "198.51.100.7", "alice")

    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_staff_see_and_clear_locks_in_the_admin(client, alice, staff):
    fail(client, "alice", 5)
    attempt = AccessAttempt.objects.get(username="alice")
    client.force_login(staff)

    listing = client.get("/admin/axes/accessattempt/")
    cleared = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    client.logout()

    assert "alice" in listing.content.decode()
    assert cleared.status_code == 302
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_admins_own_sign_in_page_sends_staff_to_the_throttled_one(client, staff):
    page = client.get("/admin/login/?next=/admin/tokens/token/")
    posted = client.post("/admin/login/", {"username": "staff", "password": PASSWORD})

    assert page.status_code == 302
    assert page["Location"] == "/accounts/login/?next=%2Fadmin%2Ftokens%2Ftoken%2F"
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")
    assert not signed_in(client)


def test_the_admins_sign_in_page_does_not_send_anyone_off_site(client):
    response = client.get("/admin/login/?next=https://evil.example/")

    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


@pytest.mark.parametrize("address", ["198.51.100.7", "2001:db8::7"])
def test_failures_are_counted_behind_the_trusted_proxy_by_the_clients_address(
    client, alice, settings, address
):
    settings.TRUST_PROXY_HEADERS = True
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": "alice", "password": WRONG},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=address,
        )

    locked = client.post(
        LOGIN,
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=address,
    )
    other = client.post(
        LOGIN,
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )

    assert locked.status_code == 429
    assert other.status_code == 302
    assert AccessAttempt.objects.get().ip_address == address


def test_another_provider_cannot_read_or_clear_locks(client, alice, charlie):
    fail(client, "alice", 5)
    client.force_login(charlie)

    listing = client.get("/admin/axes/accessattempt/")

    assert listing.status_code == 302 and "/admin/login/" in listing["Location"]
    assert AccessAttempt.objects.filter(username="alice").exists()
