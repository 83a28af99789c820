"""Two-factor sign-in in a real Chromium: set it up from the key shown, sign in with a code."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.conftest import PASSWORD, accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_from_key(shown_key: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key the page displays (base32, in groups)."""
    text = shown_key.replace(" ", "")
    key = base64.b32decode(text + "=" * (-len(text) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6, drift=steps_ahead)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_set_up_two_factor_then_sign_in_with_a_code(page, log_in, alice, screenshot):
    log_in(alice)
    page.get_by_role("button", name=re.compile("alice")).click()
    page.get_by_role("menuitem", name="Security").click()
    expect(page.get_by_role("heading", name="Security", level=1)).to_be_visible()
    page.get_by_role("link", name="Set up two-factor sign-in").click()

    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    key = page.locator("#two-factor-key").inner_text()
    screenshot("two-factor-setup")
    assert accessibility_violations(page) == []
    page.get_by_label("Code from your app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    page.get_by_label("Code from your app").fill(code_from_key(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(page.get_by_role("link", name="Download")).to_have_attribute(
        "download", "token-console-recovery-codes.txt"
    )
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_text("10 of 10 left")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    assert accessibility_violations(page) == []
    page.get_by_label("Authentication code").fill(code_from_key(key, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert page.console_errors == []


def test_sign_in_with_a_recovery_code(page, alice):
    from console.security import services
    from tests.test_two_factor import turn_on

    codes = turn_on(alice)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Authentication code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("You signed in with a recovery code: 9 left.")).to_be_visible()
    assert services.recovery_codes_of(alice).remaining == 9


def test_creating_a_license_key_asks_for_the_password_in_the_dialog_first(
    page, log_in, alice, settings
):
    settings.REAUTHENTICATION_MINUTES = 0  # always ask
    log_in(alice)
    page.goto("/account/license-keys/")

    page.get_by_role("button", name="Create license key").first.click()
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Password").fill("not-the-password")
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog.get_by_text("That is not your password.")).to_be_visible()
    settings.REAUTHENTICATION_MINUTES = 10
    dialog.get_by_label("Password").fill(PASSWORD)
    dialog.get_by_role("button", name="Confirm").click()

    create = page.get_by_role("dialog", name="Create license key")
    expect(create).to_be_visible()
    create.get_by_label("Name").fill("gateway")
    create.get_by_role("button", name="Create").click()
    expect(page.get_by_role("dialog")).to_contain_text("License key created")
    assert page.console_errors == []


def test_the_security_pages_fit_a_phone(page, log_in, alice):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(alice)

    for path in ["/account/security/", "/account/security/two-factor/"]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert accessibility_violations(page) == [], path


def test_changing_a_role_asks_first_then_returns_to_the_members_page(
    page, log_in, alice, bob, settings
):
    settings.REAUTHENTICATION_MINUTES = 0  # always ask
    log_in(alice)
    page.goto("/accounts/members/")

    page.locator("select[name=role]").last.select_option(label="Viewer")
    page.get_by_role("button", name="Save role of bob").click()
    expect(page.get_by_role("heading", name="Confirm it's you", level=2)).to_be_visible()
    expect(page.get_by_role("dialog")).to_be_hidden()  # a page of its own, not a dialog
    settings.REAUTHENTICATION_MINUTES = 10
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/accounts/members/$"))
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.locator("select[name=role]").last.select_option(label="Viewer")
    page.get_by_role("button", name="Save role of bob").click()
    expect(page.get_by_role("status")).to_contain_text("bob is now Viewer.")
    assert page.console_errors == []
