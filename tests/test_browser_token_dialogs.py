"""Issue 16 in a real Chromium: the reveal holds its secret until Done, long pastes are not cut,
actions on a token deleted meanwhile answer in place."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_for_htmx
from tokens.models import Token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tokens_page(page, log_in, alice, make_token, sentiment):
    make_token("alpha-gateway", model=sentiment)
    log_in(alice)
    page.goto("/tokens/")
    wait_for_htmx(page)
    return page


def generate(page, name):
    page.get_by_role("button", name="Add Token").click()
    dialog = page.get_by_role("dialog", name="Add Token")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_role("button", name="Generate Token").click()
    reveal = page.get_by_role("dialog", name="Token generated")
    expect(reveal).to_be_visible()
    return reveal


def test_escape_and_a_click_beside_it_do_not_close_the_reveal_only_done_does(tokens_page):
    page = tokens_page
    reveal = generate(page, "keep-me")
    secret = reveal.get_by_label("Token", exact=True).input_value()

    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.mouse.click(3, 3)  # the backdrop
    page.wait_for_timeout(200)

    expect(reveal).to_be_visible()
    assert reveal.get_by_label("Token", exact=True).input_value() == secret
    done = reveal.get_by_role("link", name="Done")
    for _ in range(10):
        if done.evaluate("link => link === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(done).to_be_focused()
    page.keyboard.press("Enter")
    expect(reveal).to_be_hidden()
    assert secret not in page.content()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_whole_secret_shows_in_a_monospace_field(tokens_page, width):
    page = tokens_page
    page.set_viewport_size({"width": width, "height": 800})
    reveal = generate(page, "wide")
    field = reveal.get_by_label("Token", exact=True)
    secret = field.input_value()
    assert re.fullmatch(r"uat_\w{40,}", secret)

    shape = field.evaluate(
        """f => ({sw: f.scrollWidth, cw: f.clientWidth, sh: f.scrollHeight, ch: f.clientHeight,
                  right: f.getBoundingClientRect().right, font: getComputedStyle(f).fontFamily,
                  body: f.closest('.dialog-body').clientWidth})"""
    )
    assert shape["sw"] <= shape["cw"] and shape["sh"] <= shape["ch"], shape
    assert shape["right"] <= width
    assert "mono" in shape["font"].lower() or "courier" in shape["font"].lower(), shape
    assert shape["cw"] >= shape["body"] - 60, shape  # the dialog's width, not a sliver


def test_a_name_pasted_too_long_is_not_cut_but_refused(tokens_page):
    page = tokens_page
    page.get_by_role("button", name="Add Token").click()
    dialog = page.get_by_role("dialog", name="Add Token")
    name = dialog.get_by_label("Name")
    assert name.get_attribute("maxlength") == "100"
    name.focus()
    page.evaluate(
        """() => {
          const data = new DataTransfer();
          data.setData('text/plain', 'n'.repeat(500));
          document.activeElement.dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }"""
    )

    assert len(name.input_value()) == 500
    expect(dialog).to_contain_text("Names can be at most 100 characters (this one has 500).")
    dialog.get_by_role("button", name="Generate Token").click()
    expect(dialog.locator(".field-error")).to_have_text(
        "Names can be at most 100 characters (this one has 500)."
    )
    assert not Token.objects.filter(name__startswith="nnn").exists()


def test_update_token_on_a_token_deleted_meanwhile_says_so_and_keeps_the_console(tokens_page):
    page = tokens_page
    page.get_by_role("button", name="Actions for alpha-gateway").click()
    page.get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit token")
    dialog.get_by_label("Note").fill("too late")
    Token.objects.filter(name="alpha-gateway").delete()

    dialog.get_by_role("button", name="Update Token").click()

    expect(page.get_by_role("alert")).to_contain_text("This token no longer exists.")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", name="Tokens", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("alpha-gateway"))).to_have_count(0)


def test_the_evk_warning_closes(page, log_in, alice, make_token, sentiment, vision):
    from tests.conftest import TEST_ACTOR
    from tokens import services

    token, _ = make_token("mover", model=vision)
    services.unassign_token(actor=TEST_ACTOR, token=token)
    log_in(alice)
    page.goto(f"/models/{sentiment.model_id}/tokens/")
    page.get_by_role("combobox", name="Assign token").fill("mover")
    page.get_by_role("option", name=re.compile("mover")).click()
    page.get_by_role("button", name="Save").click()
    warning = page.get_by_role("alert").filter(has_text="A new Evaluation Key (EVK) is needed.")
    expect(warning).to_be_visible()

    warning.get_by_role("link", name="Close the EVK warning").click()

    expect(warning).to_have_count(0)
    assert page.url.endswith(f"/models/{sentiment.model_id}/tokens/")


def test_update_token_refuses_a_model_when_assigned_meanwhile_and_stays_open(
    page, log_in, alice, make_token, sentiment, vision
):
    from tests.conftest import TEST_ACTOR
    from tokens import services

    token, _ = make_token("spare")
    log_in(alice)
    page.goto("/tokens/")
    page.get_by_role("button", name="Actions for spare").click()
    page.get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit token")
    dialog.get_by_label("Model").select_option(label=sentiment.name)
    services.assign_token(actor=TEST_ACTOR, token=token, model=vision)  # another request

    dialog.get_by_role("button", name="Update Token").click()

    expect(dialog.locator(".field-invalid .field-error")).to_contain_text("is already assigned to")
    expect(dialog).to_be_visible()
    expect(page.locator("#messages")).not_to_contain_text("updated")
    token.refresh_from_db()
    assert token.model == vision
