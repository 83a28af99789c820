"""A token's History and Activity in a real Chromium: after Edit, Renew and Cancel; filters."""

import re

import pytest
from playwright.sync_api import expect

from console.audit.actors import Actor
from console.audit.models import ActorKind, Source
from tests.conftest import TEST_ACTOR, accessibility_violations
from tokens import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row(page, name):
    return page.get_by_role("row", name=re.compile(rf"^{re.escape(name)}\b"))


def events(page):
    return page.get_by_role("list", name=re.compile("History of|Events")).get_by_role("listitem")


def test_a_tokens_history_after_edit_renew_and_cancel(
    page, log_in, alice, make_token, sentiment, screenshot
):
    make_token("gateway", model=sentiment)
    log_in(alice)
    page.goto("/tokens/")

    page.get_by_role("button", name="Actions for gateway").click()
    page.get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit token")
    dialog.get_by_label("Name").fill("gateway-prod")
    dialog.get_by_label("Note").fill("Production gateway")
    dialog.get_by_role("button", name="Update Token").click()
    expect(row(page, "gateway-prod")).to_be_visible()

    page.get_by_role("button", name="Actions for gateway-prod").click()
    page.get_by_role("menuitem", name="Renew").click()
    expect(page.get_by_role("status").filter(has_text="renewed until")).to_be_visible()
    page.reload()  # rather than race the list's own reload after the change

    page.get_by_role("button", name="Actions for gateway-prod").click()
    page.get_by_role("menuitem", name="Cancel token").click()
    page.get_by_role("dialog", name="Cancel token?").get_by_role(
        "button", name="Cancel token"
    ).click()
    expect(row(page, "gateway-prod")).to_contain_text("Cancelled")

    page.get_by_role("link", name="gateway-prod").click()
    expect(page.get_by_role("heading", name="gateway-prod", level=1)).to_be_visible()
    history = events(page)
    expect(history).to_have_count(5)
    expect(history.nth(0)).to_contain_text("Token cancelled")
    expect(history.nth(0)).to_contain_text(re.compile(r"from Active\W+to Cancelled"))
    expect(history.nth(0)).to_contain_text("alice")
    expect(history.nth(1)).to_contain_text("Token renewed")
    expect(history.nth(2)).to_contain_text("Token note changed")
    expect(history.nth(3)).to_contain_text(re.compile(r"from gateway\W+to gateway-prod"))
    expect(history.nth(4)).to_contain_text("Token created")
    screenshot("token-history")
    assert accessibility_violations(page) == []
    assert page.console_errors == []


def test_a_change_made_on_the_tokens_page_shows_in_its_history_at_once(
    page, log_in, alice, make_token
):
    token, _ = make_token("gateway")
    log_in(alice)
    page.goto(f"/tokens/{token.token_id}/")
    expect(events(page)).to_have_count(1)

    page.get_by_role("button", name="Actions for gateway").click()
    page.get_by_role("menuitem", name="Suspend").click()

    expect(events(page)).to_have_count(2)
    expect(events(page).first).to_contain_text("Token suspended")
    expect(page.get_by_role("region", name="Details")).to_contain_text("Suspended")


def test_deleting_a_token_from_its_page_returns_to_the_tokens_list(page, log_in, alice, make_token):
    token, _ = make_token("short-lived")
    log_in(alice)
    page.goto(f"/tokens/{token.token_id}/")

    page.get_by_role("button", name="Actions for short-lived").click()
    page.get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete token?")
    dialog.get_by_label("Type short-lived to confirm").fill("short-lived")
    dialog.get_by_role("button", name="Delete").click()

    expect(page).to_have_url(re.compile(r"/tokens/$"))
    expect(page.get_by_role("status")).to_contain_text("Token “short-lived” deleted.")
    assert page.console_errors == []


@pytest.fixture
def activity_page(page, log_in, alice, bob, make_token, sentiment):
    as_bob = Actor(kind=ActorKind.USER, source=Source.CONSOLE, ref=f"user:{bob.pk}", name="bob")
    gateway, _ = make_token("gateway", model=sentiment)
    spare, _ = make_token("spare")
    services.suspend_token(actor=as_bob, token=gateway)
    services.rename_token(actor=as_bob, token=spare, name="spare-renamed")
    services.renew_token(actor=TEST_ACTOR, token=spare)
    log_in(alice)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    expect(page.get_by_role("heading", name="Activity", level=1)).to_be_visible()
    return page


def test_activity_filters_in_the_url_and_the_back_button(activity_page, screenshot):
    page = activity_page
    expect(events(page).first).to_contain_text("Token renewed")
    screenshot("activity")

    page.get_by_label("Who").select_option(label="bob")
    expect(page).to_have_url(re.compile(r"actor=user%3A\d+|actor=user:\d+"))
    expect(events(page)).to_have_count(2)

    page.get_by_label("Action").select_option(label="Token suspended")
    expect(events(page)).to_have_count(1)
    expect(events(page).first).to_contain_text("gateway")

    page.go_back()
    expect(page.get_by_label("Action")).to_have_value("")
    expect(events(page)).to_have_count(2)

    page.get_by_label("Name contains").fill("spare")
    expect(page).to_have_url(re.compile(r"target=spare"))
    expect(events(page)).to_have_count(1)
    expect(events(page).first).to_contain_text("Token renamed")
    expect(page.locator("#export-csv")).to_have_attribute("href", re.compile("target=spare"))

    page.get_by_label("Name contains").fill("sp")
    expect(page.get_by_role("alert")).to_contain_text("Type at least 3 characters")

    page.get_by_role("link", name="Clear filters").click()
    expect(events(page).first).to_contain_text("Token renewed")
    assert accessibility_violations(page) == []
    assert page.console_errors == []


def test_activity_on_a_phone_stacks_its_events_within_the_screen(activity_page):
    page = activity_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()

    expect(events(page).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert accessibility_violations(page) == []


def test_an_actors_name_filters_activity_by_them(activity_page):
    page = activity_page
    events(page).filter(has_text="Token suspended").get_by_role("link", name="bob").click()

    expect(page).to_have_url(re.compile(r"actor=user"))
    expect(page.get_by_label("Who")).to_have_value(re.compile(r"user:\d+"))
    expect(events(page)).to_have_count(2)


def test_activity_filters_work_without_javascript(browser, live_server, alice, make_token):
    make_token("gateway")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Log in").click()

    page.goto("/activity/")
    page.get_by_label("Action").select_option(label="Token created")
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"action=token.created"))
    expect(page.get_by_role("listitem").filter(has_text="gateway")).to_have_count(1)
    context.close()


def test_a_models_history_tab(page, log_in, alice, sentiment, make_token):
    token, _ = make_token("gateway", model=sentiment)
    services.unassign_token(actor=TEST_ACTOR, token=token)
    log_in(alice)
    page.goto(f"/models/{sentiment.model_id}/")

    page.get_by_role("link", name="History").click()

    expect(events(page).first).to_contain_text("Token unassigned")
    expect(events(page).first).to_contain_text("gateway")
    assert accessibility_violations(page) == []
