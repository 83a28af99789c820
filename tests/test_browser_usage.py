"""How tokens are used, in a real Chromium: "Last used" on the Tokens List, sorted and filtered,
a token's chart of queries per day, and the dashboard's usage, on a desktop and on a phone."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from models_registry.models import AIModel
from tests.conftest import accessibility_violations, wait_for_htmx
from tokens.models import Token, TokenUsage
from tokens.selectors import utc_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
# A week's rhythm, quieter at weekends, for the chart.
DAILY = [820, 940, 1_010, 980, 760, 240, 180]


def row(page, name):
    return page.get_by_role("row", name=re.compile(rf"^{re.escape(name)}\b"))


@pytest.fixture
def usage(alice, make_token, sentiment):
    """A busy gateway token used every day, one last used 40 days ago, one never used."""
    AIModel.objects.filter(pk=sentiment.pk).update(default_rate_limit=60)
    busy, _ = make_token("checkout-gateway", model=sentiment, note="Production")
    stale, _ = make_token("nightly-batch", model=sentiment)
    make_token("partner-trial", model=sentiment)
    now = timezone.now()
    Token.objects.filter(pk=busy.pk).update(
        last_used_at=now - timedelta(minutes=3), last_used_ip="203.0.113.9"
    )
    Token.objects.filter(pk=stale.pk).update(last_used_at=now - timedelta(days=40))
    today = utc_today()
    TokenUsage.objects.bulk_create(
        TokenUsage(
            token=busy,
            provider_id=busy.provider_id,
            model=sentiment,
            day=today - timedelta(days=back),
            queries=DAILY[(today - timedelta(days=back)).weekday()] if back else 312,
        )
        for back in range(30)
    )
    return busy


def test_last_used_on_the_tokens_list_sorts_and_filters(page, log_in, usage, screenshot):
    log_in(usage.provider.memberships.first().user)
    page.goto("/tokens/")

    expect(row(page, "checkout-gateway")).to_contain_text("3 minutes ago")
    expect(row(page, "partner-trial")).to_contain_text("Never")
    page.get_by_role("link", name="Last used").click()
    expect(page.get_by_role("columnheader", name="Last used")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.locator("tbody tr").first).to_contain_text("partner-trial")
    page.get_by_role("link", name="Last used").click()
    expect(page.locator("tbody tr").first).to_contain_text("checkout-gateway")
    expect(page).to_have_url(re.compile(r"sort=-last_used"))

    page.get_by_label("Usage").select_option(label="Not used for 30 days")
    expect(page.locator("#results-summary")).to_have_text("1–2 of 2 tokens")
    expect(page).to_have_url(re.compile(r"used=not_for_30_days"))
    wait_for_htmx(page)
    screenshot("tokens-list-last-used")
    assert accessibility_violations(page) == []

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("tokens-list-last-used-phone")
    assert page.console_errors == []


def test_a_tokens_page_charts_its_queries_per_day(page, log_in, usage, screenshot):
    log_in(usage.provider.memberships.first().user)
    page.goto(f"/tokens/{usage.token_id}/")

    section = page.get_by_role("region", name="Usage")
    expect(section).to_contain_text("Queries today312")
    expect(section).to_contain_text("60 a minute (model default)")
    chart = section.get_by_role("img", name=re.compile(r"^Queries per day from"))
    expect(chart).to_be_visible()
    expect(chart.locator("rect.chart-bar")).to_have_count(30)
    box = chart.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] == 160
    section.get_by_text("Show as a table").click()
    expect(section.get_by_role("table").get_by_role("row")).to_have_count(31)
    section.get_by_text("Show as a table").click()
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header back on top
    screenshot("token-usage")
    assert accessibility_violations(page) == []

    page.set_viewport_size(PHONE)
    expect(chart).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("token-usage-phone")
    assert page.console_errors == []


def test_the_dashboard_shows_todays_queries_and_the_most_used_tokens(
    page, log_in, usage, screenshot
):
    log_in(usage.provider.memberships.first().user)

    usage_cards = page.get_by_role("region", name="Usage")
    expect(usage_cards).to_contain_text("Queries today312")
    usage_cards.get_by_role("link", name="checkout-gateway").click()
    expect(page.get_by_role("heading", name="checkout-gateway", level=1)).to_be_visible()
    page.go_back()
    screenshot("dashboard-usage")
    assert accessibility_violations(page) == []

    page.get_by_role("link", name="Show them").click()
    expect(page.locator("#results-summary")).to_have_text("1–1 of 1 token")
    expect(row(page, "partner-trial")).to_be_visible()
    page.go_back()

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("dashboard-usage-phone")
    assert page.console_errors == []


def test_a_models_tab_totals_its_queries(page, log_in, usage, screenshot):
    log_in(usage.provider.memberships.first().user)
    page.goto(f"/models/{usage.model.model_id}/tokens/")

    totals = page.get_by_role("region", name="Queries through Sentiment Analysis")
    expect(totals).to_contain_text("Queries today312")
    expect(totals).to_contain_text("Queries in the last 30 days20,852")
    screenshot("model-tab-usage")
    assert accessibility_violations(page) == []

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("model-tab-usage-phone")
    assert page.console_errors == []
