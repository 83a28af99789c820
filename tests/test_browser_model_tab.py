"""The Token Management tab, clicked through in a real Chromium by the labels users see."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_tab(page, log_in, alice, sentiment):
    log_in(alice)
    page.goto(f"/models/{sentiment.model_id}/tokens/")
    return page


def test_create_token_reveals_it_once_copy_then_done(on_tab, screenshot, alice, sentiment, acme):
    page = on_tab
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    page.get_by_role("button", name="Create Token").click()
    dialog = page.get_by_role("dialog", name="Create Token")
    expect(dialog.get_by_label("Model")).to_have_value(sentiment.model_id)
    dialog.get_by_label("Name").fill("acme-gateway")
    dialog.get_by_role("button", name="Generate").click()

    reveal = page.get_by_role("dialog", name="Token generated")
    expect(reveal).to_contain_text(
        "The token is not stored in the system and cannot be retrieved later."
    )
    secret = reveal.get_by_label("Token", exact=True).input_value()
    assert re.fullmatch(r"uat_\w{49}", secret)
    screenshot("reveal-modal")
    reveal.get_by_role("button", name="Copy").click()
    expect(reveal.get_by_role("button", name="Copied")).to_be_visible()
    expect(reveal).to_contain_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    reveal.get_by_role("link", name="Done").click()
    expect(reveal).to_be_hidden()
    expect(page.get_by_role("row", name=re.compile("acme-gateway"))).to_be_visible()
    assert secret not in page.content()

    page.reload()
    expect(page.get_by_role("row", name=re.compile("acme-gateway"))).to_be_visible()
    assert secret not in page.content()
    page.go_back()
    assert secret not in page.content()
    other_tab = page.context.new_page()
    other_tab.goto(f"/models/{sentiment.model_id}/tokens/")
    expect(other_tab.get_by_role("row", name=re.compile("acme-gateway"))).to_be_visible()
    assert secret not in other_tab.content()
    assert services.authenticate(secret).ok
    assert page.console_errors == []


def test_delete_if_incorrect_removes_the_new_token(on_tab, alice):
    page = on_tab
    page.get_by_role("button", name="Create Token").click()
    page.get_by_label("Name").fill("typo-token")
    page.get_by_role("button", name="Generate").click()

    page.get_by_role("dialog", name="Token generated").get_by_role("button", name="Delete").click()

    toast = page.get_by_role("status").filter(has_text="Token “typo-token” deleted.")
    expect(toast).to_be_visible()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("row", name=re.compile("typo-token"))).to_have_count(0)
    assert not Token.objects.filter(name="typo-token").exists()


def test_create_shows_errors_in_the_dialog_and_keeps_input(on_tab, make_token):
    make_token("taken")
    page = on_tab
    page.get_by_role("button", name="Create Token").click()
    page.get_by_label("Name").fill("TAKEN")
    page.get_by_role("button", name="Generate").click()

    dialog = page.get_by_role("dialog", name="Create Token")
    expect(dialog).to_contain_text("You already have a token named “TAKEN”")
    expect(dialog.get_by_label("Name")).to_have_value("TAKEN")


def test_assign_by_keyboard_through_the_type_ahead(on_tab, screenshot, make_token, sentiment):
    for name in ["research-batch", "partner-trial", "pr-preview"]:
        make_token(name)
    page = on_tab
    combobox = page.get_by_role("combobox", name="Assign token")

    combobox.press_sequentially("r", delay=30)
    listbox = page.get_by_role("listbox", name="Unassigned tokens")
    expect(listbox).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options).to_have_text(
        [
            re.compile("research-batch"),
            re.compile("partner-trial"),
            re.compile("pr-preview"),
            re.compile("Add Token"),
        ]
    )
    summary = page.locator("[data-combobox-status]")
    expect(summary).to_have_text(re.compile("3 unassigned tokens match"))
    screenshot("token-management-tab")

    combobox.press("ArrowDown")
    combobox.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(combobox).to_have_attribute("aria-activedescendant", re.compile("assign-option-tok_"))
    combobox.press("Enter")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_value("partner-trial")
    combobox.press("Enter")

    toast = page.get_by_role("status").filter(has_text="Token “partner-trial” assigned")
    expect(toast).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("partner-trial"))).to_be_visible()
    assert Token.objects.get(name="partner-trial").model == sentiment


def test_assign_by_mouse_and_escape_closes_the_list(on_tab, make_token, sentiment):
    make_token("mouse-pick")
    page = on_tab
    combobox = page.get_by_role("combobox", name="Assign token")

    combobox.fill("mouse")
    expect(page.get_by_role("option", name=re.compile("mouse-pick"))).to_be_visible()
    combobox.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    combobox.fill("mouse-")
    page.get_by_role("option", name=re.compile("mouse-pick")).click()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("row", name=re.compile("mouse-pick"))).to_be_visible()
    assert Token.objects.get(name="mouse-pick").model == sentiment


def test_add_token_from_the_dropdown_creates_it_for_this_model(on_tab, alice, sentiment, acme):
    page = on_tab
    combobox = page.get_by_role("combobox", name="Assign token")

    combobox.fill("brand-new")
    page.get_by_role("option", name=re.compile("Add Token")).click()
    dialog = page.get_by_role("dialog", name="Create Token")
    expect(dialog.get_by_label("Name")).to_have_value("brand-new")
    dialog.get_by_role("button", name="Generate").click()

    expect(page.get_by_role("dialog", name="Token generated")).to_be_visible()
    assert Token.objects.get(provider=acme, name="brand-new").model == sentiment


def test_reassigning_shows_the_evk_warning(on_tab, make_token, vision):
    token, _ = make_token("mover", model=vision)
    services.unassign_token(actor=TEST_ACTOR, token=token)
    page = on_tab
    combobox = page.get_by_role("combobox", name="Assign token")

    combobox.fill("mover")
    page.get_by_role("option", name=re.compile("mover")).click()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "a new Evaluation Key (EVK) must be generated for Sentiment Analysis"
    )


def test_save_reports_a_token_assigned_meanwhile(on_tab, make_token, vision):
    token, _ = make_token("contested")
    page = on_tab
    page.get_by_role("combobox", name="Assign token").fill("contested")
    page.get_by_role("option", name=re.compile("contested")).click()
    services.assign_token(actor=TEST_ACTOR, token=token, model=vision)

    page.get_by_role("button", name="Save").click()

    expect(page.locator(".field-error")).to_contain_text("already assigned to “Image Sharpening”")
    assert Token.objects.get(pk=token.pk).model == vision


def test_remove_assignment_after_confirming(on_tab, make_token, sentiment):
    make_token("leaving", model=sentiment)
    page = on_tab
    page.reload()

    page.get_by_role("button", name="Remove assignment of leaving").click()
    dialog = page.get_by_role("dialog", name="Remove assignment?")
    dialog.get_by_role("button", name="Remove assignment").click()

    expect(page.get_by_role("status").filter(has_text="Assignment of “leaving”")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("leaving"))).to_have_count(0)
    assert Token.objects.get(name="leaving").model is None
