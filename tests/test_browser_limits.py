"""
Limits and key scopes in a real Chromium: the Limits section of the token dialogs, a model's
Limits dialog, and the scope of a new license key, by the labels people see, on a laptop and
on a phone.
"""

import re

import pytest
from playwright.sync_api import expect

from console.api.models import LicenseKey
from models_registry.models import AIModel
from tests.conftest import ROOT, TEST_ACTOR, accessibility_violations, wait_for_htmx
from tokens import services
from tokens.models import Token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def screenshot(page):
    """
    conftest's screenshot, with the text caret left alone: hiding it, Playwright injects a
    style that our CSP refuses, which the next htmx swap reports as a console error.
    """

    def take(name: str, *, full_page: bool = False) -> None:
        folder = ROOT / "test-artifacts"
        folder.mkdir(exist_ok=True)
        page.screenshot(path=folder / f"{name}.png", full_page=full_page, caret="initial")

    return take


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_add_token_with_limits_refused_then_accepted(page, log_in, alice, acme, screenshot):
    log_in(alice)
    page.goto("/tokens/")
    page.locator("#add-token-button").click()
    dialog = page.get_by_role("dialog", name="Add Token")
    expect(dialog.get_by_label("Rate limit")).to_be_hidden()  # folded until wanted
    screenshot("limits-add-token-folded")

    dialog.get_by_label("Name").fill("metered")
    dialog.locator("summary", has_text="Limits").click()
    dialog.get_by_label("Rate limit").fill("0")
    dialog.get_by_role("textbox", name="Quota").fill("10000")
    dialog.get_by_label("Quota period").select_option(label="per month")
    screenshot("limits-add-token-open")
    dialog.get_by_role("button", name="Generate Token").click()
    wait_for_htmx(page)

    error = dialog.locator("#dialog-rate_limit_error")
    expect(error).to_have_text("Enter a rate limit from 1 to 1,000,000,000, or leave it empty.")
    expect(dialog.get_by_label("Rate limit")).to_be_focused()  # still open, the error in view
    expect(dialog.get_by_label("Quota period")).to_have_value("month")
    assert accessibility_violations(page) == []
    screenshot("limits-add-token-error")
    assert not Token.objects.exists()

    dialog.get_by_label("Rate limit").fill("60")
    dialog.get_by_role("button", name="Generate Token").click()
    expect(page.get_by_role("dialog", name="Token generated")).to_be_visible()
    token = Token.objects.get(provider=acme, name="metered")
    assert (token.rate_limit, token.quota, token.quota_period) == (60, 10_000, "month")
    assert page.console_errors == []


def test_edit_shows_a_tokens_limits_and_clears_them(page, log_in, alice, make_token, screenshot):
    token, _ = make_token("metered")
    services.update_token(actor=TEST_ACTOR, token=token, rate_limit=60, quota=500)
    log_in(alice)
    page.goto(f"/tokens/{token.token_id}/")
    expect(page.get_by_text("60 a minute · 500 per day")).to_be_visible()

    page.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit token")
    expect(dialog.get_by_label("Rate limit")).to_have_value("60")
    screenshot("limits-edit-token")
    dialog.get_by_label("Rate limit").fill("")
    dialog.get_by_role("button", name="Update Token").click()

    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_text("500 per day", exact=True)).to_be_visible()
    assert Token.objects.get(pk=token.pk).rate_limit is None
    assert page.console_errors == []


def test_a_models_limits_dialog_sets_its_defaults(page, log_in, alice, sentiment, screenshot):
    log_in(alice)
    page.goto(f"/models/{sentiment.model_id}/tokens/")
    expect(page.get_by_text("Default limits: none")).to_be_visible()

    page.get_by_role("button", name="Limits").click()
    dialog = page.get_by_role("dialog", name="Default limits")
    expect(dialog.get_by_label("Default rate limit")).to_be_focused()
    dialog.get_by_label("Default rate limit").fill("-1")
    dialog.get_by_role("textbox", name="Default quota").fill("10000")
    dialog.get_by_role("button", name="Save limits").click()
    wait_for_htmx(page)
    expect(dialog.locator(".field-error")).to_have_text(
        "Enter a rate limit from 1 to 1,000,000,000, or leave it empty."
    )
    expect(dialog.get_by_label("Default rate limit")).to_be_focused()
    assert accessibility_violations(page) == []
    screenshot("limits-model-dialog-error")

    dialog.get_by_label("Default rate limit").fill("60")
    dialog.get_by_role("button", name="Save limits").click()

    expect(page.get_by_text("Default limits: 60 a minute · 10,000 per day")).to_be_visible()
    expect(page.get_by_text("Default limits for “Sentiment Analysis” saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Token Management")).to_be_visible()
    model = AIModel.objects.get(pk=sentiment.pk)
    assert (model.default_rate_limit, model.default_quota) == (60, 10_000)
    screenshot("limits-model-header")
    assert page.console_errors == []


def test_a_gateway_key_is_created_and_shown_as_such(page, log_in, alice, acme, screenshot):
    log_in(alice)
    page.goto("/account/license-keys/")
    page.get_by_role("button", name="Create license key").click()
    dialog = page.get_by_role("dialog", name="Create license key")
    expect(dialog.get_by_role("radio", name="Management")).to_be_checked()
    expect(dialog.get_by_role("radio", name="Gateway")).to_have_accessible_description(
        "Introspection only: give this to your query gateway."
    )

    dialog.get_by_label("Name").fill("Query gateway (prod)")
    dialog.get_by_role("radio", name="Gateway").check()
    assert accessibility_violations(page) == []
    screenshot("limits-license-key-scope")
    dialog.get_by_role("button", name="Create key").click()
    page.get_by_role("dialog", name="License key created").get_by_role("link", name="Done").click()

    row = page.get_by_role("row", name=re.compile("Query gateway"))
    expect(row.locator(".badge")).to_have_text("Gateway")
    assert LicenseKey.objects.get(provider=acme).scope == "gateway"
    screenshot("limits-license-keys-list")
    assert page.console_errors == []


def test_the_dialogs_fit_a_phone(page, log_in, alice, sentiment, make_token, screenshot):
    token, _ = make_token("metered", model=sentiment)
    services.update_token(actor=TEST_ACTOR, token=token, quota=500, quota_period="month")
    page.set_viewport_size(PHONE)
    log_in(alice)

    page.goto(f"/models/{sentiment.model_id}/")
    assert fits_the_screen(page)
    screenshot("limits-phone-model-header")
    page.get_by_role("button", name="Limits").click()
    expect(page.get_by_role("dialog", name="Default limits")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("limits-phone-model-dialog")

    page.goto(f"/models/{sentiment.model_id}/tokens/")
    page.get_by_role("button", name="Create Token").click()
    dialog = page.get_by_role("dialog", name="Create Token")
    dialog.locator("summary", has_text="Limits").click()
    expect(dialog.get_by_label("Quota period")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("limits-phone-create-token")

    page.goto(f"/tokens/{token.token_id}/edit/")
    expect(page.get_by_label("Quota period")).to_have_value("month")
    assert fits_the_screen(page)
    screenshot("limits-phone-edit-page", full_page=True)

    page.goto("/account/license-keys/new/")
    expect(page.get_by_role("radio", name="Gateway")).to_be_visible()
    assert fits_the_screen(page)
    screenshot("limits-phone-license-key")
    assert page.console_errors == []


def test_only_the_control_in_error_is_outlined_in_red(page, log_in, alice):
    """A refused quota's text box turns red, not the period select beside it."""
    log_in(alice)
    page.goto("/tokens/")
    page.locator("#add-token-button").click()
    dialog = page.get_by_role("dialog", name="Add Token")
    dialog.locator("summary", has_text="Limits").click()
    dialog.get_by_role("textbox", name="Quota").fill("lots")
    dialog.get_by_role("button", name="Generate Token").click()
    wait_for_htmx(page)
    expect(dialog.get_by_label("Name")).to_be_focused()  # the first error; the quota's is below

    def border(control) -> str:
        return control.evaluate("element => getComputedStyle(element).borderTopColor")

    error_red = "rgb(253, 162, 155)"
    assert border(dialog.get_by_role("textbox", name="Quota")) == error_red
    assert border(dialog.get_by_label("Quota period")) != error_red
    assert page.console_errors == []
