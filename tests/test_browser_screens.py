"""
Every page fits its screen, from a phone (390 px) to a desktop, even with a 100-character name
without spaces: nothing widens the page, row menus open on screen, and every button of a
dialog can be tapped where it is.
"""

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_for_htmx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [(390, 844), (768, 1024), (1024, 768), (1280, 800)]
LONG_NAME = "x" * 100


def tappable(page, locator) -> bool:
    """The control is on screen and a tap at its centre lands on it, not on something above."""
    box = locator.bounding_box()
    if box is None:
        return False
    viewport = page.viewport_size
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    if not (0 <= x <= viewport["width"] and 0 <= y <= viewport["height"]):
        return False
    return locator.evaluate("(el, [x, y]) => el.contains(document.elementFromPoint(x, y))", [x, y])


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_no_page_is_wider_than_the_screen(
    page, log_in, alice, sentiment, make_token, width, height
):
    token, _ = make_token(LONG_NAME, model=sentiment)
    page.set_viewport_size({"width": width, "height": height})
    log_in(alice)
    paths = [
        "/",
        "/models/",
        f"/models/{sentiment.model_id}/",
        f"/models/{sentiment.model_id}/tokens/",
        f"/models/{sentiment.model_id}/history/",
        "/tokens/",
        f"/tokens/{token.token_id}/",
        f"/tokens/{token.token_id}/edit/",
        f"/tokens/{token.token_id}/delete/",
        "/tokens/new/",
        "/activity/",
        "/account/",
        "/account/license-keys/",
        "/docs/api/",
    ]
    wider = {}
    for path in paths:
        page.goto(path)
        page.wait_for_load_state()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wider[path] = scroll_width

    assert wider == {}


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_a_long_named_tokens_row_menu_opens_on_screen(
    page, log_in, alice, sentiment, make_token, width, height
):
    make_token(LONG_NAME, model=sentiment)
    page.set_viewport_size({"width": width, "height": height})
    log_in(alice)
    page.goto("/tokens/")
    page.wait_for_load_state()

    page.get_by_role("button", name=f"Actions for {LONG_NAME}").click()
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    for item in menu.get_by_role("menuitem").all():
        item.scroll_into_view_if_needed()
        assert tappable(page, item), item.inner_text()


def test_generate_and_done_can_be_tapped_on_a_phone(page, log_in, alice, sentiment):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(alice)
    page.goto(f"/models/{sentiment.model_id}/tokens/")
    page.wait_for_load_state()

    page.get_by_role("button", name="Create Token").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(LONG_NAME)
    generate = dialog.get_by_role("button", name="Generate", exact=True)
    generate.scroll_into_view_if_needed()
    assert tappable(page, generate)
    generate.click()
    wait_for_htmx(page)
    done = page.get_by_role("dialog").get_by_role("link", name="Done")
    done.scroll_into_view_if_needed()
    assert tappable(page, done)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_phone_and_dark_mode_show_the_console_whole(
    page, log_in, alice, acme, sentiment, make_token, screenshot
):
    from models_registry.services import create_model
    from tests.conftest import TEST_ACTOR
    from tokens.models import Token

    create_model(actor=TEST_ACTOR, provider=acme, name="Vision", description="Reads images")
    laptop, _ = make_token("alice-laptop", model=sentiment)
    phone, _ = make_token("bob-phone", model=sentiment)
    Token.objects.filter(pk=phone.pk).update(status="SUSPENDED")
    make_token("spare")
    log_in(alice)

    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in [
        ("/tokens/", "phone-tokens-list"),
        (f"/tokens/{laptop.token_id}/", "phone-token-page"),
        ("/models/", "phone-models"),
    ]:
        page.goto(path)
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        screenshot(name, full_page=False)

    page.set_viewport_size({"width": 1280, "height": 800})
    page.emulate_media(color_scheme="dark")
    page.goto("/tokens/")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Tokens", level=1)).to_be_visible()
    screenshot("dark-tokens-list", full_page=False)
    page.goto("/models/")
    page.wait_for_load_state()
    page.emulate_media(color_scheme="light")
    screenshot("models", full_page=False)


def test_on_a_phone_the_account_menu_and_every_dialogs_buttons_can_be_tapped(
    page, log_in, alice, sentiment, make_token
):
    from tests.conftest import accessibility_violations

    token, _ = make_token(LONG_NAME, model=sentiment)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(alice)
    page.goto("/tokens/")
    page.wait_for_load_state()

    page.locator("#account-menu-button").click()
    account_menu = page.locator("#account-menu")
    expect(account_menu).to_be_visible()
    for item in account_menu.get_by_role("menuitem").all():
        assert tappable(page, item), item.inner_text()
    assert accessibility_violations(page) == []
    page.keyboard.press("Escape")

    dialogs = {
        "Edit": f"/tokens/{token.token_id}/edit/",
        "Remove assignment": f"/tokens/{token.token_id}/unassign/",
        "Cancel token": f"/tokens/{token.token_id}/cancel/",
        "Delete": f"/tokens/{token.token_id}/delete/",
    }
    untappable = {}
    for name, url in dialogs.items():
        page.goto("/tokens/")
        page.wait_for_load_state()
        page.get_by_role("button", name=f"Actions for {LONG_NAME}").click()
        page.get_by_role("menuitem", name=name).click()
        wait_for_htmx(page)
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        for control in dialog.locator("button, a.btn").all():
            control.scroll_into_view_if_needed()
            if not tappable(page, control):
                untappable.setdefault(name, []).append(control.inner_text())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url

    assert untappable == {}
