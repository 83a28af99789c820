"""
The console follows the system's dark mode (prefers-color-scheme), with the same contrast:
axe-core finds nothing serious on its pages and dialogs, dark or light.
"""

import pytest
from playwright.sync_api import expect

from tests.conftest import accessibility_violations, wait_for_htmx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def background_of(page, selector: str) -> str:
    return page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).backgroundColor")


@pytest.fixture
def some_of_everything(alice, acme, sentiment, make_token, alice_key):
    from tokens.models import Token

    token, _ = make_token("laptop", model=sentiment)
    suspended, _ = make_token("old phone", model=sentiment)
    Token.objects.filter(pk=suspended.pk).update(status="SUSPENDED")
    make_token("spare")
    return token


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_every_page_keeps_its_contrast_in_dark_and_light(
    page, log_in, alice, sentiment, some_of_everything, scheme
):
    page.emulate_media(color_scheme=scheme)
    page.goto("/accounts/login/")
    page.wait_for_load_state()
    found = {"/accounts/login/": accessibility_violations(page)}
    log_in(alice)
    pages = [
        "/",
        "/models/",
        f"/models/{sentiment.model_id}/",
        f"/models/{sentiment.model_id}/tokens/",
        f"/models/{sentiment.model_id}/history/",
        "/tokens/",
        f"/tokens/{some_of_everything.token_id}/",
        "/activity/",
        "/account/license-keys/",
        "/account/license-keys/new/",
        "/account/security/",
        "/account/security/two-factor/",
        "/accounts/members/",
        "/accounts/members/invite/",
        "/accounts/provider/",
        "/accounts/password/",
        "/models/new/",
        "/tokens/new/",
        "/docs/api/",
    ]
    for path in pages:
        page.goto(path)
        page.wait_for_load_state()
        found[path] = accessibility_violations(page)
    page.goto("/tokens/")
    page.wait_for_load_state()
    page.get_by_role("button", name="Add token").first.click()
    wait_for_htmx(page)
    expect(page.get_by_role("dialog")).to_be_visible()
    found["Add token dialog"] = accessibility_violations(page)

    assert {where: problems for where, problems in found.items() if problems} == {}


def test_dark_mode_darkens_the_page_and_keeps_filled_buttons_readable(
    page, log_in, alice, sentiment
):
    page.emulate_media(color_scheme="dark")
    log_in(alice)
    page.goto("/models/")
    page.wait_for_load_state()

    assert background_of(page, "body") == "rgb(11, 17, 32)"
    assert background_of(page, ".card") == "rgb(17, 24, 39)"
    assert background_of(page, "#create-model-button") == "rgb(79, 70, 229)"
