"""The Tokens List in a real Chromium: filters, sorting, paging, history, Add Token, row menus."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, TEST_ACTOR, wait_for_htmx
from tokens import services
from tokens.models import Token, TokenStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row(page, name):
    return page.get_by_role("row", name=re.compile(rf"^{re.escape(name)}\b"))


@pytest.fixture
def tokens_page(page, log_in, alice, make_token, sentiment):
    make_token("alpha-gateway", model=sentiment, days=40, note="ACME production")
    paused, _ = make_token("beta-paused", days=10)
    services.suspend_token(actor=TEST_ACTOR, token=paused)
    make_token("gamma-spare", days=20)
    log_in(alice)
    page.get_by_role("link", name="Tokens", exact=True).click()
    expect(page.get_by_role("heading", name="Tokens", exact=True)).to_be_visible()
    return page


def test_filter_sort_and_the_back_button(tokens_page, screenshot):
    page = tokens_page
    expect(page.locator("#results-summary")).to_have_text("1–3 of 3 tokens")
    screenshot("tokens-list")

    page.get_by_label("Suspended").check()
    expect(page).to_have_url(re.compile(r"status=SUSPENDED"))
    expect(page.locator("#results-summary")).to_have_text("1–1 of 1 token")
    expect(row(page, "beta-paused")).to_be_visible()

    page.get_by_label("Suspended").uncheck()
    page.get_by_label("Name contains").fill("GAMMA")
    expect(page).to_have_url(re.compile(r"name=GAMMA"))
    expect(page.locator("#results-summary")).to_have_text("1–1 of 1 token")

    page.go_back()
    expect(page).to_have_url(re.compile(r"status=SUSPENDED|/tokens/\?"))
    page.get_by_role("link", name="Clear filters").first.click()
    expect(page.locator("#results-summary")).to_have_text("1–3 of 3 tokens")

    page.get_by_role("link", name="Name").click()
    expect(page.get_by_role("columnheader", name="Name")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.locator("tbody tr").first).to_contain_text("alpha-gateway")
    page.get_by_role("link", name="Name").click()
    expect(page.get_by_role("columnheader", name="Name")).to_have_attribute(
        "aria-sort", "descending"
    )
    expect(page.locator("tbody tr").first).to_contain_text("gamma-spare")
    expect(page).to_have_url(re.compile(r"sort=-name"))
    page.reload()
    expect(page.locator("tbody tr").first).to_contain_text("gamma-spare")
    page.go_back()
    expect(page.get_by_role("columnheader", name="Name")).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert page.console_errors == []


def test_paging_and_page_size(page, log_in, alice, make_token):
    for i in range(30):
        make_token(f"bulk-{i:02}")
    log_in(alice)
    page.goto("/tokens/")

    expect(page.locator("#results-summary")).to_have_text("1–25 of 30 tokens")
    page.get_by_role("link", name="Next").click()
    expect(page.locator("#results-summary")).to_have_text("26–30 of 30 tokens")
    expect(page).to_have_url(re.compile(r"page=2"))
    wait_for_htmx(page)
    page.get_by_label("Per page").select_option("50")
    expect(page.locator("#results-summary")).to_have_text("1–30 of 30 tokens")


def test_next_and_previous_go_past_the_count_cap(page, log_in, alice, bulk_tokens):
    bulk_tokens(5_010)
    log_in(alice)
    page.goto("/tokens/?per_page=100&page=50")
    summary = page.locator("#results-summary")
    expect(summary).to_have_text("4,901–5,000 of more than 5,000 tokens")

    page.get_by_role("link", name="Next").click()
    expect(summary).to_have_text("5,001–5,010 of more than 5,000 tokens")
    expect(page).to_have_url(re.compile(r"cursor=.+"))
    expect(page).to_have_url(re.compile(r"per_page=100"))
    expect(page.get_by_role("link", name="Next")).to_have_count(0)
    expect(page.locator("tbody tr")).to_have_count(10)
    wait_for_htmx(page)

    page.get_by_role("link", name="Previous").click()
    expect(summary).to_have_text("4,901–5,000 of more than 5,000 tokens")
    wait_for_htmx(page)
    page.go_back()
    expect(summary).to_have_text("5,001–5,010 of more than 5,000 tokens")
    assert page.console_errors == []


def test_next_past_the_count_cap_works_without_javascript(browser, live_server, alice, bulk_tokens):
    bulk_tokens(5_010)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(alice.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")

    page.goto("/tokens/?per_page=100&page=50&sort=-created")
    page.get_by_role("link", name="Next").click()

    expect(page.locator("#results-summary")).to_have_text("5,001–5,010 of more than 5,000 tokens")
    expect(page).to_have_url(re.compile(r"sort=-created"))
    expect(page.locator("tbody tr").last).to_contain_text("bulk-00000")
    context.close()


def test_add_token_reveals_it_once(tokens_page, alice, acme):
    page = tokens_page
    page.get_by_role("button", name="Add Token").click()
    dialog = page.get_by_role("dialog", name="Add Token")
    expect(dialog).to_contain_text("cannot use an unassigned token until it is linked to a model")
    dialog.get_by_label("Name").fill("central-ops")
    dialog.get_by_label("Note").fill("for the ops team")
    dialog.get_by_role("button", name="Generate Token").click()

    reveal = page.get_by_role("dialog", name="Token generated")
    secret = reveal.get_by_label("Token", exact=True).input_value()
    reveal.get_by_role("link", name="Done").click()

    expect(row(page, "central-ops")).to_be_visible()
    assert secret not in page.content()
    assert Token.objects.get(provider=acme, name="central-ops").note == "for the ops team"


def test_menu_by_keyboard_suspend_activate_renew(tokens_page):
    page = tokens_page
    button = page.get_by_role("button", name="Actions for gamma-spare")
    button.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Edit")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="Suspend")).to_be_focused()
    page.keyboard.press("Enter")

    expect(
        page.get_by_role("status").filter(has_text="Token “gamma-spare” suspended.")
    ).to_be_visible()
    expect(row(page, "gamma-spare")).to_contain_text("Suspended")

    page.get_by_role("button", name="Actions for gamma-spare").click()
    page.get_by_role("menuitem", name="Activate").click()
    expect(row(page, "gamma-spare")).to_contain_text("Active")
    page.get_by_role("button", name="Actions for gamma-spare").click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_be_hidden()
    expect(page.get_by_role("button", name="Actions for gamma-spare")).to_be_focused()
    page.get_by_role("button", name="Actions for gamma-spare").click()
    page.get_by_role("menuitem", name="Renew").click()
    expect(page.get_by_role("status").filter(has_text="renewed until")).to_be_visible()
    assert Token.objects.get(name="gamma-spare").status == TokenStatus.ACTIVE


def test_edit_dialog_updates_the_row(tokens_page, vision):
    page = tokens_page
    page.get_by_role("button", name="Actions for gamma-spare").click()
    page.get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit token")
    expect(dialog).to_contain_text("is final")
    dialog.get_by_label("Name").fill("gamma-renamed")
    dialog.get_by_label("Model").select_option(label="Image Sharpening")
    dialog.get_by_role("button", name="Update Token").click()

    expect(row(page, "gamma-renamed")).to_contain_text("Image Sharpening")
    assert Token.objects.get(name="gamma-renamed").model == vision


def test_cancel_token_and_remove_assignment_ask_first(tokens_page):
    page = tokens_page
    page.get_by_role("button", name="Actions for alpha-gateway").click()
    page.get_by_role("menuitem", name="Remove assignment").click()
    page.get_by_role("dialog", name="Remove assignment?").get_by_role(
        "button", name="Remove assignment"
    ).click()
    expect(row(page, "alpha-gateway")).to_contain_text("Unassigned")

    page.get_by_role("button", name="Actions for alpha-gateway").click()
    page.get_by_role("menuitem", name="Cancel token").click()
    page.get_by_role("dialog", name="Cancel token?").get_by_role(
        "button", name="Cancel token"
    ).click()
    expect(row(page, "alpha-gateway")).to_contain_text("Cancelled")
    assert Token.objects.get(name="alpha-gateway").status == TokenStatus.CANCELED


def test_delete_needs_the_tokens_name(tokens_page):
    page = tokens_page
    page.get_by_role("button", name="Actions for beta-paused").click()
    page.get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete token?")
    dialog.get_by_label("to confirm").fill("beta")
    dialog.get_by_role("button", name="Delete").click()
    expect(dialog).to_contain_text("Type the token's name exactly to confirm.")
    assert Token.objects.filter(name="beta-paused").exists()

    dialog.get_by_label("to confirm").fill("beta-paused")
    dialog.get_by_role("button", name="Delete").click()

    expect(
        page.get_by_role("status").filter(has_text="Token “beta-paused” deleted.")
    ).to_be_visible()
    expect(row(page, "beta-paused")).to_have_count(0)
    assert not Token.objects.filter(name="beta-paused").exists()


def test_an_action_on_a_token_deleted_meanwhile_says_so(tokens_page):
    page = tokens_page
    Token.objects.filter(name="gamma-spare").delete()

    page.get_by_role("button", name="Actions for gamma-spare").click()
    page.get_by_role("menuitem", name="Suspend").click()

    expect(page.get_by_role("alert")).to_contain_text("no longer exists")


def test_sorting_and_paging_by_keyboard_keep_focus_where_it_was(page, log_in, alice, make_token):
    """The results are swapped in anew: the sort link, page size or pager link that was used
    keeps the focus, instead of dropping it to the top of the page."""
    for number in range(3):
        make_token(f"token-{number}")
    log_in(alice)
    page.goto("/tokens/")

    sort = page.get_by_role("link", name="Last used")
    sort.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("columnheader", name="Last used")).to_have_attribute(
        "aria-sort", "ascending"
    )
    wait_for_htmx(page)
    expect(page.get_by_role("link", name="Last used")).to_be_focused()

    page.get_by_label("Per page").focus()
    page.keyboard.press("ArrowDown")
    expect(page).to_have_url(re.compile(r"per_page=50"))
    wait_for_htmx(page)
    expect(page.get_by_label("Per page")).to_be_focused()
    assert page.console_errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_going_back_up_by_keyboard_the_focus_is_not_under_the_top_bar(
    page, log_in, alice, make_token, width
):
    """Shift+Tab scrolls each control into view at the top: below the sticky bar, not under it."""
    for number in range(12):
        make_token(f"token-{number}", note="A note long enough to make each row a tall one.")
    page.set_viewport_size({"width": width, "height": 700})
    log_in(alice)
    page.goto("/tokens/")
    page.keyboard.press("End")
    page.get_by_role("button", name="Actions for token-0").focus()
    hidden = []
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        page.wait_for_timeout(50)  # the scroll that brings the control into view may lag a frame
        hidden += page.evaluate(
            """() => {
                const focused = document.activeElement;
                const skip = focused.closest(".topbar") || focused.classList.contains("skip-link");
                if (skip) return [];
                const bar = document.querySelector(".topbar").getBoundingClientRect().bottom;
                const box = focused.getBoundingClientRect();
                return box.top < bar - 1 ? [focused.outerHTML.slice(0, 80)] : [];
            }"""
        )
    assert hidden == []


def test_a_dialog_opened_from_a_rows_menu_gives_focus_back_to_its_button(tokens_page):
    page = tokens_page
    button = page.get_by_role("button", name="Actions for gamma-spare")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Edit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Edit token")).to_be_visible()
    wait_for_htmx(page)

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(button).to_be_focused()
    assert page.console_errors == []


@pytest.mark.parametrize("action", ["Renew", "Suspend"])
def test_after_an_action_from_the_keyboard_focus_returns_to_the_rows_menu_button(
    page, log_in, alice, sentiment, make_token, action
):
    make_token("laptop", model=sentiment)
    make_token("phone", model=sentiment)
    log_in(alice)
    page.goto("/tokens/")
    page.wait_for_load_state()

    button = page.get_by_role("button", name="Actions for laptop")
    button.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu")
    item = menu.get_by_role("menuitem", name=action)
    while not item.evaluate("el => el === document.activeElement"):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    page.wait_for_timeout(200)
    wait_for_htmx(page)

    expect(page.get_by_role("button", name="Actions for laptop")).to_be_focused()


def test_a_filter_change_puts_only_the_given_filters_in_the_address(tokens_page):
    page = tokens_page
    page.get_by_label("Expiry", exact=True).select_option("no")
    wait_for_htmx(page)

    query = page.url.split("?", 1)[1]
    assert "expired=no" in query.split("&")
    assert all(not pair.endswith("=") for pair in query.split("&")), query
    expect(row(page, "alpha-gateway")).to_be_visible()
