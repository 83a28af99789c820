"""Two-factor sign-in: set-up, signing in with a code or a recovery code, turning it off."""

import re
import time

import pytest
from django_otp.oath import TOTP

from console.audit.models import Action, Event
from console.security import services
from console.security.models import AuthenticatorApp, RecoveryCode
from tests.conftest import PASSWORD, TEST_ACTOR

LOGIN = "/accounts/login/"


def code_for(app: AuthenticatorApp, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app holding `app`'s key shows now (or a step later)."""
    totp = TOTP(app.bin_key, step=30, t0=0, digits=6, drift=steps_ahead)
    totp.time = time.time()
    return f"{totp.token():06d}"


def turn_on(user) -> list[str]:
    app = services.pending_authenticator(user)
    return services.turn_on_two_factor(actor=TEST_ACTOR, user=user, code=code_for(app))


def password_step(client, username="alice", password=PASSWORD, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Setting it up ---------------------------------------------------------------------------


def test_the_set_up_page_shows_a_qr_code_and_the_key_and_waits_for_a_first_code(
    alice_client, alice
):
    page = alice_client.get("/account/security/two-factor/")

    html = page.content.decode()
    app = AuthenticatorApp.objects.get(user=alice)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html
    assert app.base32_key in html
    assert app.confirmed is False
    assert not services.has_two_factor(alice)


def test_a_first_code_turns_it_on_and_shows_ten_recovery_codes_once(alice_client, alice):
    alice_client.get("/account/security/two-factor/")
    app = AuthenticatorApp.objects.get(user=alice)

    response = alice_client.post("/account/security/two-factor/", {"code": code_for(app)})

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    codes = response.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(code in html for code in codes)
    assert 'download="token-console-recovery-codes.txt"' in html
    assert services.has_two_factor(alice)
    assert Event.objects.filter(action=Action.ACCOUNT_TWO_FACTOR_ENABLED).count() == 1
    stored = " ".join(RecoveryCode.objects.values_list("digest", flat=True))
    assert all(code not in stored and code.replace("-", "") not in stored for code in codes)


def test_a_wrong_first_code_leaves_it_off_and_says_so_beside_the_field(alice_client, alice):
    alice_client.get("/account/security/two-factor/")

    response = alice_client.post("/account/security/two-factor/", {"code": "000000"})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not services.has_two_factor(alice)


def test_the_key_is_stored_sealed_not_readable(alice):
    turn_on(alice)
    app = AuthenticatorApp.objects.get(user=alice)

    readable = app.base32_key.replace(" ", "")
    assert readable not in app.sealed_key
    assert app.bin_key.hex() not in app.sealed_key


# --- Signing in ------------------------------------------------------------------------------


def test_signing_in_asks_for_a_code_after_the_password(client, alice):
    turn_on(alice)

    response = password_step(client)

    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"
    assert not signed_in(client)
    assert (
        "Signing in as <strong>alice</strong>"
        in client.get("/accounts/login/code/").content.decode()
    )


def test_the_apps_code_signs_in_and_marks_the_session_verified(client, alice):
    turn_on(alice)
    app = AuthenticatorApp.objects.get(user=alice)
    password_step(client, next_url="/tokens/")

    response = client.post("/accounts/login/code/", {"code": code_for(app, steps_ahead=1)})

    assert response.status_code == 302 and response["Location"] == "/tokens/"
    assert signed_in(client)
    assert client.session.get("otp_device_id")


def test_a_code_is_never_accepted_twice(client, alice):
    turn_on(alice)
    app = AuthenticatorApp.objects.get(user=alice)
    code = code_for(app, steps_ahead=1)
    password_step(client)
    client.post("/accounts/login/code/", {"code": code})
    client.logout()

    password_step(client)
    response = client.post("/accounts/login/code/", {"code": code})

    assert response.status_code == 400
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(client, alice):
    codes = turn_on(alice)
    password_step(client)
    first = client.post("/accounts/login/code/", {"code": codes[3].upper()})
    client.logout()

    password_step(client)
    again = client.post("/accounts/login/code/", {"code": codes[3]})

    assert first.status_code == 302
    assert again.status_code == 400
    assert "That recovery code is not right, or it has been used already." in (
        again.content.decode()
    )


def test_a_wrong_code_keeps_the_person_out_and_five_send_them_back_to_the_password(client, alice):
    turn_on(alice)
    password_step(client)

    answers = [client.post("/accounts/login/code/", {"code": "123456"}) for _ in range(5)]

    assert [answer.status_code for answer in answers[:4]] == [400] * 4
    assert answers[4].status_code == 302 and answers[4]["Location"] == LOGIN
    assert not signed_in(client)
    assert client.get("/accounts/login/code/")["Location"] == LOGIN
    assert Event.objects.filter(action=Action.ACCOUNT_SIGN_IN_FAILED).count() == 5


def test_the_code_step_without_a_password_first_goes_back_to_the_password(client, alice):
    turn_on(alice)

    response = client.post("/accounts/login/code/", {"code": "123456"})

    assert response.status_code == 302 and response["Location"] == LOGIN


def test_the_code_step_waits_five_minutes_at_most(client, alice):
    turn_on(alice)
    app = AuthenticatorApp.objects.get(user=alice)
    password_step(client)
    session = client.session
    session["sign_in_pending"]["since"] -= 301
    session.save()

    response = client.post("/accounts/login/code/", {"code": code_for(app, steps_ahead=1)})

    assert response["Location"] == LOGIN
    assert not signed_in(client)


def test_the_code_step_never_sends_anyone_off_site(client, alice):
    turn_on(alice)
    app = AuthenticatorApp.objects.get(user=alice)
    password_step(client, next_url="https://evil.example/")

    response = client.post("/accounts/login/code/", {"code": code_for(app, steps_ahead=1)})

    assert response["Location"] == "/"


# --- Turning it off, new recovery codes ------------------------------------------------------


def test_turning_it_off_needs_the_password_and_a_current_code(alice_client, alice):
    turn_on(alice)
    app = AuthenticatorApp.objects.get(user=alice)

    no_code = alice_client.post("/account/security/two-factor/off/", {"password": PASSWORD})
    wrong_password = alice_client.post(
        "/account/security/two-factor/off/", {"password": "nope", "code": code_for(app)}
    )
    assert services.has_two_factor(alice)
    done = alice_client.post(
        "/account/security/two-factor/off/",
        {"password": PASSWORD, "code": code_for(app, steps_ahead=1)},
    )

    assert no_code.status_code == 400 and "Enter the code" in no_code.content.decode()
    assert wrong_password.status_code == 400
    assert "That is not your password." in wrong_password.content.decode()
    assert done.status_code == 302
    assert not services.has_two_factor(alice)
    assert Event.objects.filter(action=Action.ACCOUNT_TWO_FACTOR_DISABLED).count() == 1


def regenerate(client):
    """Click New recovery codes on the Security page."""
    once = client.get("/account/security/").context["regenerate_once"]
    return client.post("/account/security/recovery-codes/", {"once": once})


def test_new_recovery_codes_replace_the_old_ones(alice_client, alice):
    old = turn_on(alice)

    response = regenerate(alice_client)

    new = response.context["codes"]
    assert response["Cache-Control"] == "no-store"
    assert set(new).isdisjoint(old)
    with pytest.raises(Exception, match="not right"):
        services.verify_second_factor(user=alice, code=old[0])
    assert services.verify_second_factor(user=alice, code=new[0])


# --- The Owner's requirement -----------------------------------------------------------------


@pytest.fixture
def acme_requires_two_factor(acme):
    acme.require_two_factor = True
    acme.save()
    return acme


def test_members_without_two_factor_are_sent_to_set_it_up(bob_client, acme_requires_two_factor):
    response = bob_client.get("/tokens/")

    assert response.status_code == 302 and response["Location"] == "/account/security/two-factor/"
    assert bob_client.get("/account/security/").status_code == 200
    assert bob_client.post("/accounts/logout/").status_code == 302


def test_members_with_two_factor_see_the_provider(bob_client, bob, acme_requires_two_factor):
    turn_on(bob)

    assert bob_client.get("/tokens/").status_code == 200


def test_an_owner_requires_two_factor_in_provider_settings_with_an_event(alice_client, alice, acme):
    turn_on(alice)

    response = alice_client.post(
        "/accounts/provider/",
        {"name": "Acme", "require_two_factor": "on"},
    )

    acme.refresh_from_db()
    assert response.status_code == 302
    assert acme.require_two_factor is True
    event = Event.objects.get(action=Action.PROVIDER_SETTINGS_CHANGED)
    assert event.changes == {"require_two_factor": [False, True]}


def test_an_owner_without_two_factor_cannot_require_it_of_everyone(alice_client, acme):
    response = alice_client.post(
        "/accounts/provider/", {"name": "Acme", "require_two_factor": "on"}
    )

    acme.refresh_from_db()
    assert response.status_code == 400
    assert "Turn on two-factor sign-in for yourself first" in response.content.decode()
    assert acme.require_two_factor is False


def test_another_provider_is_not_held_to_acmes_requirement(
    charlie_client, acme_requires_two_factor
):
    assert charlie_client.get("/tokens/").status_code == 200


# --- The admin -------------------------------------------------------------------------------


def test_the_admin_requires_staff_to_have_two_factor_when_set(staff_client, staff, settings):
    settings.ADMIN_REQUIRE_2FA = True

    without = staff_client.get("/admin/")
    turn_on(staff)
    unverified = staff_client.get("/admin/")

    assert without.status_code == 302 and without["Location"] == "/account/security/two-factor/"
    assert unverified.status_code == 302
    assert unverified["Location"].startswith("/accounts/confirm/?next=%2Fadmin%2F")


def test_staff_signed_in_with_a_code_open_the_admin(client, staff, settings):
    settings.ADMIN_REQUIRE_2FA = True
    turn_on(staff)
    app = AuthenticatorApp.objects.get(user=staff)
    password_step(client, username="staff")
    client.post("/accounts/login/code/", {"code": code_for(app, steps_ahead=1)})

    assert client.get("/admin/").status_code == 200


def test_without_the_setting_the_admin_opens_as_before(staff_client, settings):
    settings.ADMIN_REQUIRE_2FA = False

    assert staff_client.get("/admin/").status_code == 200


def test_the_admin_requirement_is_on_by_default_in_production():
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.ADMIN_REQUIRE_2FA)",
        ],
        env={
            "DJANGO_SETTINGS_MODULE": "console.settings",
            "DEBUG": "false",
            "SECRET_KEY": "x" * 50,
            "TOKEN_DIGEST_KEY": "y" * 50,
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "True"


def test_staff_turn_off_two_factor_for_someone_who_lost_phone_and_codes(staff_client, alice):
    turn_on(alice)

    staff_client.post(
        "/admin/auth/user/", {"action": "turn_off_two_factor", "_selected_action": [alice.pk]}
    )

    assert not services.has_two_factor(alice)
    event = Event.objects.get(action=Action.ACCOUNT_TWO_FACTOR_DISABLED)
    assert (event.actor_kind, event.target_name) == ("staff", "alice")


def test_a_link_into_a_provider_that_requires_two_factor_asks_for_it_first(
    client, bob, acme, globex, make_token, charlie
):
    """bob looks at a provider of his own, then opens one of Acme's tokens by its link."""
    from console.accounts.models import Role
    from console.accounts.services import add_member
    from tokens.models import Token, TokenStatus

    token, _ = make_token("gateway")
    add_member(actor=TEST_ACTOR, provider=globex, user=bob, role=Role.MEMBER)
    acme.require_two_factor = True
    acme.save()
    client.force_login(bob)
    client.post(f"/providers/{globex.provider_id}/switch/")

    page = client.get(f"/tokens/{token.token_id}/")
    suspend = client.post(f"/tokens/{token.token_id}/suspend/")

    assert page.status_code == 302 and page["Location"] == "/account/security/two-factor/"
    assert suspend.status_code == 302 and suspend["Location"] == "/account/security/two-factor/"
    assert Token.objects.get(pk=token.pk).status == TokenStatus.ACTIVE


def test_reloading_the_new_codes_page_does_not_make_another_set(alice_client, alice):
    turn_on(alice)
    once = alice_client.get("/account/security/").context["regenerate_once"]
    shown = alice_client.post("/account/security/recovery-codes/", {"once": once})

    reloaded = alice_client.post("/account/security/recovery-codes/", {"once": once}, follow=True)

    assert shown.status_code == 200
    assert "these are the ones in use" in reloaded.content.decode()
    assert services.verify_second_factor(user=alice, code=shown.context["codes"][0])


@pytest.mark.parametrize("typed", ["²²²²²²", "①②③④⑤⑥", "１２３４５６"])
def test_other_scripts_digits_are_a_wrong_code_not_an_error(client, alice, typed):
    turn_on(alice)
    password_step(client)

    response = client.post("/accounts/login/code/", {"code": typed})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()


def test_wrong_codes_say_how_long_to_wait_and_show_on_the_security_page(client, alice):
    turn_on(alice)
    for _ in range(3):
        password_step(client)
        client.post("/accounts/login/code/", {"code": "000000"})

    password_step(client)
    throttled = client.post("/accounts/login/code/", {"code": "000000"})
    client.force_login(alice)
    page = client.get("/account/security/").content.decode()

    assert re.search(r"wait \d+ seconds? for your app", throttled.content.decode())
    assert "Wrong codes after your password" in page
