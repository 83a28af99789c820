import re

import pytest
from playwright.sync_api import expect

from console.api.models import LicenseKey
from console.api.services import authenticate_license_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_copy_use_and_revoke_a_license_key(page, log_in, alice, screenshot):
    log_in(alice)
    page.get_by_role("button", name="alice").click()
    page.get_by_role("menuitem", name="License keys").click()
    expect(page.get_by_role("heading", name="Create your first license key")).to_be_visible()

    page.get_by_role("button", name="Create license key").click()
    dialog = page.get_by_role("dialog", name="Create license key")
    dialog.get_by_role("button", name="Create key").click()
    expect(dialog.locator(".field-error")).to_have_text("Enter a name for the license key.")
    dialog.get_by_label("Name").fill("Query gateway (prod)")
    dialog.get_by_role("button", name="Create key").click()

    reveal = page.get_by_role("dialog", name="License key created")
    secret = reveal.get_by_label("License key “Query gateway (prod)”").input_value()
    assert re.fullmatch(r"lic_[0-9A-Za-z]{49}", secret)
    reveal.get_by_role("button", name="Copy").click()
    expect(reveal.get_by_role("status")).to_have_text("Copied to the clipboard.")
    screenshot("license-key-reveal")
    reveal.get_by_role("link", name="Done").click()

    row = page.get_by_role("row", name=re.compile("Query gateway"))
    expect(row).to_contain_text(f"lic_…{secret[-4:]}")
    expect(row).to_contain_text("Never")
    assert authenticate_license_key(secret).created_by == alice
    page.reload()
    expect(page.get_by_role("row", name=re.compile("Query gateway"))).not_to_contain_text("Never")
    screenshot("license-keys")

    page.get_by_role("button", name="Revoke Query gateway (prod)").click()
    page.get_by_role("dialog", name="Revoke license key?").get_by_role(
        "button", name="Revoke key"
    ).click()
    expect(page.get_by_role("heading", name="Create your first license key")).to_be_visible()
    assert not LicenseKey.objects.exists()
    assert authenticate_license_key(secret) is None
    assert page.console_errors == []


def test_the_api_docs_page_reads_like_a_product_page(page, log_in, alice, screenshot):
    log_in(alice)
    page.get_by_role("button", name="alice").click()
    page.get_by_role("menuitem", name="API docs").click()

    expect(page.get_by_role("heading", name="API docs", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Introspection", exact=True)).to_be_visible()
    expect(page.locator("#assign_token_to_model")).to_contain_text(
        "/api/v1/tokens/{token_id}/assign"
    )
    screenshot("api-docs-top", full_page=False)
    page.get_by_role("link", name="Checking tokens from a gateway").click()
    expect(page.locator("#introspection")).to_be_in_viewport()
    assert page.console_errors == []
