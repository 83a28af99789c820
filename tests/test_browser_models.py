import re

import pytest
from playwright.sync_api import expect

from models_registry.models import AIModel
from tests.conftest import wait_for_htmx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_the_first_model_and_open_its_token_management_tab(page, log_in, alice, acme):
    log_in(alice)
    page.get_by_role("link", name="Models", exact=True).click()
    expect(page.get_by_role("heading", name="Create your first model")).to_be_visible()
    page.wait_for_load_state()  # htmx (a deferred script) has run: Create Model opens a dialog

    page.get_by_role("button", name="Create Model").click()
    dialog = page.get_by_role("dialog", name="Create Model")
    dialog.get_by_role("button", name="Create Model").click()
    expect(dialog.locator(".field-error")).to_have_text("Enter a name for the model.")
    wait_for_htmx(page)
    dialog.get_by_label("Name").fill("Digit Recognition")
    dialog.get_by_label("Description").fill("Reads digits")
    dialog.get_by_role("button", name="Create Model").click()

    expect(page.get_by_role("heading", name="Digit Recognition")).to_be_visible()
    model = AIModel.objects.get(provider=acme, name="Digit Recognition")
    expect(page).to_have_url(re.compile(f"/models/{model.model_id}/$"))
    page.get_by_role("link", name="Token Management").click()
    expect(page).to_have_url(re.compile(f"/models/{model.model_id}/tokens/$"))
    expect(page.get_by_role("heading", name="No tokens for this model yet")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    assert page.console_errors == []


def test_find_rename_and_delete_a_model_typing_its_name(
    page, log_in, alice, acme, sentiment, make_token
):
    from models_registry.services import create_model
    from tests.conftest import TEST_ACTOR, accessibility_violations

    create_model(actor=TEST_ACTOR, provider=acme, name="Vision")
    token, _ = make_token("kept", model=sentiment)
    log_in(alice)
    page.goto("/models/")
    page.wait_for_load_state()
    page.get_by_label("Name contains").fill("senti")
    wait_for_htmx(page)
    expect(page.locator("#model-table tbody tr")).to_have_count(1)
    assert accessibility_violations(page) == []

    page.locator("#model-table").get_by_role("link", name="Sentiment Analysis", exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit model")
    expect(dialog.get_by_label("Name")).to_be_focused()
    dialog.get_by_label("Name").fill("Vision")
    dialog.get_by_role("button", name="Save model").click()
    expect(dialog.locator(".field-error")).to_be_visible()
    assert accessibility_violations(page) == []
    wait_for_htmx(page)
    dialog.get_by_label("Name").fill("Sentiment v2")
    dialog.get_by_role("button", name="Save model").click()
    expect(page.get_by_role("heading", name="Sentiment v2", level=1)).to_be_visible()

    page.wait_for_load_state()
    page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete model?")
    expect(dialog).to_contain_text("1 token becomes unassigned")
    expect(dialog.get_by_label("Type Sentiment v2 to confirm")).to_be_focused()
    assert accessibility_violations(page) == []
    dialog.get_by_label("Type Sentiment v2 to confirm").fill("sentiment v2")
    dialog.get_by_role("button", name="Delete model").click()
    expect(dialog.locator(".field-error")).to_have_text("Type the model's name exactly to confirm.")
    wait_for_htmx(page)
    dialog.get_by_label("Type Sentiment v2 to confirm").fill("Sentiment v2")
    dialog.get_by_role("button", name="Delete model").click()

    expect(page).to_have_url(re.compile("/models/$"))
    expect(page.get_by_text("Its token is kept, unassigned")).to_be_visible()
    token.refresh_from_db()
    assert token.model is None
    assert page.console_errors == []
