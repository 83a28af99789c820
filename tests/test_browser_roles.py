"""In the browser: switch providers from the header; a Viewer is shown nothing that writes."""

import re

import pytest
from playwright.sync_api import expect

from console.accounts.models import Role
from console.accounts.services import add_member
from tests.conftest import TEST_ACTOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_in_two_providers_switches_from_the_header(page, log_in, bob, globex, make_token):
    add_member(actor=TEST_ACTOR, provider=globex, user=bob, role=Role.OWNER)
    make_token("acme-gateway")
    make_token("globex-gateway", provider=globex)
    log_in(bob)

    page.goto("/tokens/")
    expect(page.get_by_role("row", name=re.compile("acme-gateway"))).to_be_visible()
    switcher = page.get_by_role("button", name="Provider: Acme. Switch provider")
    switcher.focus()
    page.keyboard.press("Enter")
    page.get_by_role("menuitem", name=re.compile("Globex")).click()

    expect(page.get_by_role("button", name="Provider: Globex. Switch provider")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Now showing Globex.")
    page.goto("/tokens/")
    expect(page.get_by_role("row", name=re.compile("globex-gateway"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("acme-gateway"))).to_have_count(0)
    assert page.console_errors == []


def test_a_viewer_sees_the_tokens_and_no_control_that_changes_them(
    page, log_in, victor, sentiment, make_token
):
    make_token("gateway", model=sentiment)
    log_in(victor)

    page.goto("/tokens/")
    expect(page.get_by_role("row", name=re.compile("gateway"))).to_be_visible()
    expect(page.get_by_role("button", name="Add Token")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Actions for"))).to_have_count(0)
    page.goto(f"/models/{sentiment.model_id}/tokens/")
    expect(page.get_by_role("row", name=re.compile("gateway"))).to_be_visible()
    for control in ["Create Token", "Edit gateway", "Remove assignment of gateway"]:
        expect(page.get_by_role("button", name=control)).to_have_count(0)
    expect(page.get_by_label("Assign token")).to_have_count(0)
    assert page.console_errors == []
