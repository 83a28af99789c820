"""Security: each person's own sign-ins, failed attempts, password changes and two-factor state."""

from console.audit.models import Action, Event
from tests.conftest import PASSWORD
from tests.test_two_factor import turn_on

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)


def sign_in(client, password, agent, address):
    return client.post(
        "/accounts/login/",
        {"username": "alice", "password": password},
        HTTP_USER_AGENT=agent,
        REMOTE_ADDR=address,
    )


def test_the_page_lists_sign_ins_and_failures_with_address_and_browser(client, alice):
    sign_in(client, "wrong-password-here", IPHONE, "203.0.113.9")
    sign_in(client, PASSWORD, FIREFOX, "198.51.100.4")

    html = client.get("/account/security/").content.decode()

    recent, failed = html.split("Failed sign-ins", 1)
    assert "198.51.100.4" in recent and "Firefox on Linux" in recent
    assert "203.0.113.9" in failed and "Safari on iOS" in failed


def test_signing_in_and_failing_are_events_for_staff(client, alice):
    sign_in(client, "wrong-password-here", IPHONE, "203.0.113.9")
    sign_in(client, PASSWORD, FIREFOX, "198.51.100.4")

    failed = Event.objects.get(action=Action.ACCOUNT_SIGN_IN_FAILED)
    signed = Event.objects.get(action=Action.ACCOUNT_SIGNED_IN)
    assert (failed.target_name, failed.ip, failed.provider_id) == ("alice", "203.0.113.9", None)
    assert (signed.target_name, signed.ip) == ("alice", "198.51.100.4")


def test_a_failed_sign_in_for_an_unknown_username_is_no_event(client, db):
    client.post("/accounts/login/", {"username": "nobody", "password": "whatever-it-is"})

    assert not Event.objects.filter(action=Action.ACCOUNT_SIGN_IN_FAILED).exists()


def test_a_password_change_is_listed_and_an_event(alice_client, alice):
    new = "a-new-long-enough-password"

    alice_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    html = alice_client.get("/account/security/").content.decode()

    assert Event.objects.filter(action=Action.ACCOUNT_PASSWORD_CHANGED).count() == 1
    assert "Not changed since the account was made." not in html
    assert "Changed <time" in html


def test_the_page_shows_whether_two_factor_is_on(alice_client, alice):
    before = alice_client.get("/account/security/").content.decode()
    turn_on(alice)
    after = alice_client.get("/account/security/").content.decode()

    assert "Set up two-factor sign-in" in before
    assert "10 of 10 left" in after and "Turn off" in after


def test_someone_in_no_provider_still_reaches_their_security_page(client, db):
    from console.accounts.services import create_user
    from tests.conftest import TEST_ACTOR

    loner = create_user(actor=TEST_ACTOR, username="loner", password=PASSWORD)
    client.force_login(loner)

    assert client.get("/account/security/").status_code == 200


def test_another_persons_sign_ins_are_never_shown(client, alice, charlie):
    sign_in(client, PASSWORD, FIREFOX, "198.51.100.4")
    client.force_login(charlie)

    html = client.get("/account/security/").content.decode()

    assert "198.51.100.4" not in html
    assert "Firefox on Linux" not in html
