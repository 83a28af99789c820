"""
Without JavaScript every row action is still reachable, as plain links and forms: the Tokens
List's menu gives way to a link to the token's page, whose Actions are forms; a model's tab
assigns a token by its full name; Copy buttons, which need JavaScript, are not shown.
"""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tokens.models import Token, TokenStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_every_row_action_is_reachable_without_javascript(no_js_page, alice, sentiment, make_token):
    page = no_js_page
    token, _ = make_token("laptop", model=sentiment)
    log_in(page, alice)
    page.goto("/tokens/")

    expect(page.get_by_role("button", name="Actions for laptop")).to_be_hidden()
    page.get_by_role("link", name="Actions for laptop").click()
    actions = page.locator("#token-actions")
    expect(actions).to_be_visible()
    expect(page.locator("[data-copy-target]")).to_have_count(1)
    expect(page.locator("[data-copy-target]")).to_be_hidden()

    actions.get_by_role("button", name="Suspend").click()
    expect(page.get_by_text("suspended", exact=False).first).to_be_visible()
    assert Token.objects.get(pk=token.pk).status == TokenStatus.SUSPENDED
    page.locator("#token-actions").get_by_role("button", name="Activate").click()
    assert Token.objects.get(pk=token.pk).status == TokenStatus.ACTIVE
    page.locator("#token-actions").get_by_role("button", name="Renew").click()
    expect(page.get_by_text("renewed until", exact=False)).to_be_visible()

    page.locator("#token-actions").get_by_role("link", name="Cancel token").click()
    page.get_by_role("button", name="Cancel token").click()
    assert Token.objects.get(pk=token.pk).status == TokenStatus.CANCELED
    page.locator("#token-actions").get_by_role("link", name="Delete").click()
    page.get_by_label("Type laptop to confirm").fill("laptop")
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(f"{page.url.split('/tokens')[0]}/tokens/")
    assert not Token.objects.filter(pk=token.pk).exists()


def test_a_models_tab_assigns_a_token_by_its_full_name_without_javascript(
    no_js_page, alice, sentiment, make_token
):
    page = no_js_page
    spare, _ = make_token("Spare Laptop")
    log_in(page, alice)
    page.goto(f"/models/{sentiment.model_id}/tokens/")

    page.get_by_label("Assign token").fill("spare laptop")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("link", name="Spare Laptop")).to_be_visible()
    assert Token.objects.get(pk=spare.pk).model == sentiment
