import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_provider_logs_in_sees_the_dashboard_and_logs_out(
    page, log_in, screenshot, alice, sentiment
):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))

    log_in(alice)

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("alice")
    expect(page.get_by_role("cell", name="Sentiment Analysis")).to_be_visible()
    assert screenshot("dashboard").stat().st_size > 10_000

    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.console_errors == []


def test_wrong_password_is_refused_with_a_message(page, alice):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("enter a correct username and password")
    expect(page.get_by_label("Username")).to_have_value("alice")
