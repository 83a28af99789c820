import re

import pytest
from playwright.sync_api import expect

from models_registry.models import AIModel
from tests.conftest import wait_for_htmx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_the_first_model_and_open_its_token_management_tab(page, log_in, alice, acme):
    log_in(alice)
    page.get_by_role("link", name="Models").click()
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
