"""
Keyboard only: create, assign, edit and remove a token from a model's tab, checking where
focus lands after each step; Tab and Shift+Tab stay inside an open dialog; axe-core finds
nothing serious in any dialog or menu while it is open.
"""

import pytest
from playwright.sync_api import expect

from tests.conftest import accessibility_violations, wait_for_htmx
from tokens.models import Token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused(page) -> str:
    """The focused element, as `tag#id` or `tag:text`, for readable failures."""
    return page.evaluate(
        "() => { const el = document.activeElement; if (!el) return 'none';"
        " const text = (el.textContent || '').trim().slice(0, 30);"
        " return el.tagName.toLowerCase() + (el.id ? '#' + el.id : ':' + text); }"
    )


IN_DIALOG = "() => document.getElementById('modal').contains(document.activeElement)"


def settle(page):
    wait_for_htmx(page)
    page.wait_for_timeout(150)
    wait_for_htmx(page)


def test_create_assign_edit_and_remove_with_the_keyboard_alone(
    page, log_in, alice, sentiment, make_token
):
    make_token("spare laptop")
    log_in(alice)
    page.goto(f"/models/{sentiment.model_id}/tokens/")
    page.wait_for_load_state()

    # Create: the dialog opens on Name; Enter generates; the reveal's Done gives focus back.
    page.locator("#create-token-button").focus()
    page.keyboard.press("Enter")
    settle(page)
    assert focused(page) == "input#dialog-name"
    page.keyboard.type("kiosk")
    page.keyboard.press("Enter")
    settle(page)
    done = page.get_by_role("dialog").get_by_role("link", name="Done")
    while focused(page) != "a:Done":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    settle(page)
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert focused(page) == "a#create-token-button"
    assert done.count() == 0

    # Assign: type, choose with the arrows, Enter, then Save.
    page.locator("#assign-token-input").focus()
    page.keyboard.type("spare")
    settle(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page).startswith("button:Save")
    page.keyboard.press("Enter")
    settle(page)
    spare = Token.objects.get(name="spare laptop")
    assert spare.model_id == sentiment.pk
    expect(page.locator(f"#row-{spare.token_id}")).to_be_visible()

    # Edit: the row's Edit opens the dialog on Name; Enter saves; focus returns to that Edit.
    page.locator(f"#edit-{spare.token_id}").focus()
    page.keyboard.press("Enter")
    settle(page)
    assert focused(page) == "input#dialog-name"
    page.keyboard.press("End")
    page.keyboard.type(" 2")
    page.keyboard.press("Enter")
    settle(page)
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert focused(page) == f"a#edit-{spare.token_id}"
    assert Token.objects.get(pk=spare.pk).name == "spare laptop 2"

    # Remove assignment: its row leaves the tab, and focus lands on the page's heading.
    page.locator(f"#unassign-{spare.token_id}").focus()
    page.keyboard.press("Enter")
    settle(page)
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Remove assignment").focus()
    page.keyboard.press("Enter")
    settle(page)
    expect(page.locator(f"#row-{spare.token_id}")).to_have_count(0)
    assert focused(page) in {"h1:" + sentiment.name, "a#create-token-button"}
    assert page.console_errors == []


def test_tab_and_shift_tab_stay_inside_an_open_dialog(page, log_in, alice, sentiment):
    log_in(alice)
    page.goto(f"/models/{sentiment.model_id}/tokens/")
    page.wait_for_load_state()
    page.locator("#create-token-button").focus()
    page.keyboard.press("Enter")
    settle(page)

    inside = []
    for _ in range(12):
        page.keyboard.press("Tab")
        inside.append(
            page.evaluate("() => document.getElementById('modal').contains(document.activeElement)")
        )
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        inside.append(
            page.evaluate("() => document.getElementById('modal').contains(document.activeElement)")
        )

    assert all(inside)


def test_no_dialog_or_menu_has_an_accessibility_violation_while_open(
    page, log_in, alice, sentiment, make_token
):
    make_token("laptop", model=sentiment)
    make_token("spare")
    log_in(alice)
    found = {}

    def check(where: str, opener) -> None:
        opener()
        settle(page)
        found[where] = accessibility_violations(page)
        page.keyboard.press("Escape")
        settle(page)

    page.goto("/tokens/")
    page.wait_for_load_state()
    menu_button = page.get_by_role("button", name="Actions for laptop")
    check("row menu", menu_button.click)
    for item in ["Edit", "Remove assignment", "Cancel token", "Delete"]:
        check(
            f"{item} dialog",
            lambda item=item: (
                menu_button.click(),
                page.get_by_role("menuitem", name=item).click(),
            ),
        )
    check("Add token dialog", page.get_by_role("button", name="Add Token").click)

    page.goto(f"/models/{sentiment.model_id}/tokens/")
    page.wait_for_load_state()
    check("Create Token dialog", page.locator("#create-token-button").click)
    check("Limits dialog", page.locator("#model-limits-button").click)
    check("Edit model dialog", page.locator("#model-edit-button").click)
    check("Delete model dialog", page.locator("#model-delete-button").click)

    page.goto("/models/")
    page.wait_for_load_state()
    check("Create Model dialog", page.locator("#create-model-button").click)

    assert {where: problems for where, problems in found.items() if problems} == {}


def test_delete_a_token_with_the_keyboard_alone(page, log_in, alice, sentiment, make_token):
    token, _ = make_token("laptop", model=sentiment)
    make_token("phone", model=sentiment)
    log_in(alice)
    page.goto("/tokens/")
    page.wait_for_load_state()

    page.get_by_role("button", name="Actions for laptop").focus()
    page.keyboard.press("ArrowUp")  # opens the menu on its last item
    assert focused(page) == "a:Delete"
    page.keyboard.press("Enter")
    settle(page)
    assert focused(page) == "input#confirm-name"
    page.keyboard.type("laptop")
    page.keyboard.press("Enter")
    settle(page)

    expect(page.get_by_role("dialog")).to_be_hidden()
    assert not Token.objects.filter(pk=token.pk).exists()
    assert not focused(page).startswith("body")  # on the page's heading, not lost
    expect(page.get_by_role("button", name="Actions for phone")).to_be_visible()
