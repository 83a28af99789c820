import re

import pytest
from playwright.sync_api import expect

from console.accounts.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_invites_and_the_invitee_creates_an_account_joins_and_sees_the_tokens(
    page, log_in, alice, acme, make_token, browser, live_server, screenshot
):
    make_token("acme-gateway")
    log_in(alice)
    page.get_by_role("button", name="alice").click()
    page.get_by_role("menuitem", name="Members").click()
    expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()

    page.get_by_role("button", name="Invite member").click()
    dialog = page.get_by_role("dialog", name="Invite member")
    dialog.get_by_label("Email").fill("dana@example.com")
    dialog.get_by_label("Role").select_option("MEMBER")
    dialog.get_by_role("button", name="Send invitation").click()

    sent = page.get_by_role("dialog", name="Invitation sent")
    link = sent.get_by_label("Invitation link").input_value()
    assert re.fullmatch(re.escape(live_server.url) + r"/invitations/[^/]+/", link)
    sent.get_by_role("button", name="Copy").click()
    expect(sent.get_by_role("status")).to_have_text("Copied to the clipboard.")
    screenshot("invitation-sent")
    sent.get_by_role("link", name="Done").click()
    expect(page.get_by_role("region", name="Pending invitations")).to_contain_text(
        "dana@example.com"
    )

    invitee = browser.new_context(base_url=live_server.url)
    try:
        other = invitee.new_page()
        other.goto(link)
        expect(other.get_by_role("heading", name="Join Acme")).to_be_visible()
        expect(other.locator("main")).to_contain_text("dana@example.com")
        other.get_by_label("Username").fill("dana")
        other.get_by_label("Password", exact=True).fill("a-long-new-passphrase")
        other.get_by_label("Password again").fill("a-long-new-passphrase")
        other.get_by_role("button", name="Create account and join").click()

        expect(other.get_by_text("Welcome to Acme: you joined as Member.")).to_be_visible()
        other.goto("/tokens/")
        expect(other.get_by_role("rowheader", name="acme-gateway")).to_be_visible()
    finally:
        invitee.close()

    assert Membership.objects.get(user__username="dana").role == Role.MEMBER
    page.reload()
    expect(page.get_by_role("region", name="Members")).to_contain_text("dana")
    screenshot("members")
    assert page.console_errors == []
