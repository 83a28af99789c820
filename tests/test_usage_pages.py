"""
How tokens are used, shown to their provider: "Last used" on the Tokens List (a column, a sort
and a filter, shared with the API), a token's Usage section and chart, a model's totals on its
Token Management tab, and the dashboard's usage cards. Charlie sees none of Acme's.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from console.dashboard.selectors import usage_summary
from models_registry.models import AIModel
from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import QuotaPeriod, Token, TokenUsage
from tokens.selectors import (
    most_used_tokens_today,
    queries_today,
    usage_of_model,
    usage_of_token,
    utc_today,
)
from tokens.usage_chart import UsageChart, scale_top

BAR = re.compile(r'<rect class="chart-bar[^"]*" x="[\d.]+" y="[\d.]+" width="7" height="([\d.]+)"')


def use(token, *, days_ago=0, queries=1, model=...):
    """Usage as tokens.usage writes it: one row per token and UTC day."""
    return TokenUsage.objects.create(
        token=token,
        provider_id=token.provider_id,
        model=token.model if model is ... else model,
        day=utc_today() - timedelta(days=days_ago),
        queries=queries,
    )


def last_used(token, ago, ip="203.0.113.9"):
    Token.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - ago, last_used_ip=ip)


def listed(client, query=""):
    response = client.get(f"/tokens/?{query}")
    assert response.status_code == 200
    return [token.name for token in response.context["page"]]


@pytest.fixture
def used(make_token, sentiment):
    """recent: used 3 hours ago; stale: 40 days ago; idle: never (each created in this order)."""
    recent, _ = make_token("recent", model=sentiment)
    stale, _ = make_token("stale", model=sentiment)
    idle, _ = make_token("idle", model=sentiment)
    last_used(recent, timedelta(hours=3))
    last_used(stale, timedelta(days=40), ip="2001:db8::7")
    return recent, stale, idle


# --- Tokens List: column, sort and filter ------------------------------------------------------


def test_tokens_list_shows_when_each_token_was_last_used_or_never(alice_client, used):
    recent = Token.objects.get(pk=used[0].pk)

    html = alice_client.get("/tokens/").content.decode()

    assert ">Last used<" in html
    assert f'<time datetime="{recent.last_used_at:%Y-%m-%dT%H:%M:%S}' in html
    assert ">3\xa0hours ago</time>" in html  # timesince's no-break space
    assert '<span class="muted">Never</span>' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("last_used", ["idle", "stale", "recent"]),  # never used first, then the oldest use
        ("-last_used", ["recent", "stale", "idle"]),  # the most recent first, never used last
    ],
)
def test_last_used_sort_puts_never_used_tokens_first_ascending_and_last_descending(
    alice_client, used, sort, expected
):
    assert listed(alice_client, f"sort={sort}") == expected


def test_descending_last_used_is_exactly_the_reverse_of_ascending(alice_client, make_token):
    for name in ["first", "second", "third"]:
        make_token(name)

    assert listed(alice_client, "sort=last_used") == ["third", "second", "first"]
    assert listed(alice_client, "sort=-last_used") == ["first", "second", "third"]


def test_filtering_by_use_lists_the_longest_unused_first(alice_client, used, make_token):
    older, _ = make_token("older")
    last_used(older, timedelta(days=50))

    assert listed(alice_client, "used=not_for_30_days") == ["idle", "older", "stale"]
    assert listed(alice_client, "used=not_for_30_days&sort=-created") == [
        "older",
        "idle",
        "stale",
    ]


def test_last_used_column_header_sorts_and_says_so(alice_client, used):
    html = alice_client.get("/tokens/?sort=-last_used").content.decode()

    assert 'aria-sort="descending"' in html
    assert 'href="?sort=last_used"' in html


@pytest.mark.parametrize(
    ("used_filter", "expected"),
    [
        ("not_for_30_days", ["idle", "stale"]),  # used over 30 days ago, or never
        ("never", ["idle"]),
        ("", ["idle", "stale", "recent"]),
    ],
)
def test_usage_filter_finds_tokens_not_used_for_30_days_or_never(
    alice_client, used, used_filter, expected
):
    assert listed(alice_client, f"used={used_filter}") == expected


def test_usage_filter_offers_not_used_for_30_days(alice_client, used):
    html = alice_client.get("/tokens/").content.decode()

    assert '<option value="not_for_30_days">Not used for 30 days</option>' in html


def test_the_api_sorts_and_filters_by_last_use_as_the_list_does(api, used):
    recent = Token.objects.get(pk=used[0].pk)

    ascending = api.get("/api/v1/tokens", {"sort": "last_used"}).json()
    stale = api.get("/api/v1/tokens", {"used": "not_for_30_days", "sort": "-last_used"}).json()

    assert [token["name"] for token in ascending["results"]] == ["idle", "stale", "recent"]
    assert [token["name"] for token in stale["results"]] == ["stale", "idle"]
    assert ascending["results"][0]["last_used_at"] is None
    assert ascending["results"][2]["last_used_at"] == int(recent.last_used_at.timestamp())


def test_the_api_refuses_an_unknown_usage_filter(api, used):
    response = api.get("/api/v1/tokens", {"used": "yesterday"})

    assert response.status_code == 400
    assert "used" in response.json()["errors"]


def test_charlie_filtering_by_use_sees_only_his_own_tokens(
    charlie_client, globex, used, make_token
):
    make_token("globex-idle", provider=globex)

    assert listed(charlie_client, "used=never") == ["globex-idle"]
    assert listed(charlie_client, "sort=-last_used") == ["globex-idle"]


# --- A token's page --------------------------------------------------------------------------


def test_token_page_shows_last_use_queries_and_a_bar_a_day_for_30_days(alice_client, used):
    recent = used[0]
    use(recent, queries=5)
    use(recent, days_ago=3, queries=1_200)
    use(recent, days_ago=29, queries=2)
    use(recent, days_ago=30, queries=1_000)  # outside the 30 days

    html = alice_client.get(f"/tokens/{recent.token_id}/").content.decode()

    assert re.search(r"<dt>Last used</dt><dd><time [^>]*>3\xa0hours ago</time>", html)
    assert "<code>203.0.113.9</code>" in html
    assert '<dt>Queries today</dt><dd class="usage-count">5</dd>' in html
    assert '<dt>Queries in the last 30 days</dt><dd class="usage-count">1,207</dd>' in html
    heights = [float(height) for height in BAR.findall(html)]
    assert len(heights) == 30
    assert heights[-4] == 100  # the busiest day tops the scale, which ends at 1,200
    assert heights[-1] == 1  # 5 queries: tiny, but never drawn as none
    assert heights[0] == 1
    assert heights.count(0) == 27


def test_the_chart_is_an_image_with_a_summary_and_a_table_for_screen_readers(alice_client, used):
    recent = used[0]
    use(recent, days_ago=2, queries=40)
    use(recent, queries=3)

    html = alice_client.get(f"/tokens/{recent.token_id}/").content.decode()
    start = html.index('<svg class="chart-plot"')
    svg = html[start : html.index("</svg>", start)]

    assert 'role="img"' in svg
    assert 'aria-labelledby="usage-chart-title usage-chart-desc"' in svg
    busiest = (utc_today() - timedelta(days=2)).strftime("%b %-d")
    assert f"43 queries in 30 days; the busiest day was {busiest}, with 40; 3 today." in svg
    assert "style=" not in svg  # the CSP allows no inline style: colours come from the CSS
    assert "<summary>Show as a table</summary>" in html
    assert html.count('<td class="num">') == 30


def test_token_page_of_a_token_never_used_says_so_and_draws_empty_days(alice_client, used):
    idle = used[2]

    html = alice_client.get(f"/tokens/{idle.token_id}/").content.decode()

    assert '<span class="muted">Never used</span>' in html
    assert "No queries in these 30 days." in html
    assert [float(height) for height in BAR.findall(html)] == [0] * 30


def test_token_page_shows_the_limits_in_force_and_where_they_come_from(
    alice_client, make_token, sentiment
):
    AIModel.objects.filter(pk=sentiment.pk).update(
        default_rate_limit=60, default_quota=50_000, default_quota_period=QuotaPeriod.MONTH
    )
    token, _ = make_token("limited", model=sentiment)
    use(token, queries=7)
    use(token, days_ago=1, queries=3)
    unlimited, _ = make_token("free")

    html = alice_client.get(f"/tokens/{token.token_id}/").content.decode()
    Token.objects.filter(pk=token.pk).update(quota=1_000, quota_period=QuotaPeriod.DAY)
    own = alice_client.get(f"/tokens/{token.token_id}/").content.decode()
    none = alice_client.get(f"/tokens/{unlimited.token_id}/").content.decode()

    assert '60 a minute <span class="muted">(model default)</span>' in html
    assert '50,000 per month <span class="muted">(model default)</span>' in html
    this_month = 10 if utc_today().day > 1 else 7
    assert f"{this_month} used this month" in html
    assert "1,000 per day\n" in own
    assert "7 used today" in own
    assert none.count('<span class="muted">No limit</span>') == 2


def test_token_page_reads_usage_in_the_same_queries_however_many_days_were_used(alice_client, used):
    recent, stale, _ = used
    use(stale, queries=1)

    def queries_for(token):
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get(f"/tokens/{token.token_id}/").status_code == 200
        return len(captured)

    few = queries_for(stale)
    for day in range(30):
        use(recent, days_ago=day, queries=day + 1)

    assert queries_for(recent) == few


def test_victor_the_viewer_sees_a_tokens_usage(victor_client, used):
    use(used[0], queries=4)

    html = victor_client.get(f"/tokens/{used[0].token_id}/").content.decode()

    assert '<dt>Queries today</dt><dd class="usage-count">4</dd>' in html


def test_charlie_gets_404_on_alices_token_page_and_none_of_its_usage(charlie_client, used):
    use(used[0], queries=4)

    response = charlie_client.get(f"/tokens/{used[0].token_id}/")

    assert response.status_code == 404
    assert "203.0.113.9" not in response.content.decode()


# --- A model's Token Management tab ------------------------------------------------------------


def test_model_tab_totals_the_models_queries_today_and_over_30_days(
    alice_client, used, sentiment, vision, make_token
):
    recent, stale, _ = used
    use(recent, queries=5)
    use(stale, queries=2)
    use(recent, days_ago=10, queries=1_000)
    use(recent, days_ago=31, queries=99)  # too old
    elsewhere, _ = make_token("elsewhere", model=vision)
    use(elsewhere, queries=50)  # another model
    services.unassign_token(actor=TEST_ACTOR, token=stale)
    use(stale, days_ago=1, queries=30, model=sentiment)  # counted while it was assigned

    html = alice_client.get(f"/models/{sentiment.model_id}/tokens/").content.decode()

    assert usage_of_model(sentiment).today == 7
    assert re.search(r"Queries today</span><span class=\"stat-value\">7<", html)
    assert re.search(r"Queries in the last 30 days</span><span class=\"stat-value\">1,037<", html)


def test_model_tab_totals_are_one_query(sentiment, used, django_assert_num_queries):
    use(used[0], queries=5)

    with django_assert_num_queries(1):
        totals = usage_of_model(sentiment)

    assert (totals.today, totals.last_30_days) == (5, 5)


def test_charlie_gets_404_on_alices_model_tab(charlie_client, sentiment, used):
    use(used[0], queries=5)

    assert charlie_client.get(f"/models/{sentiment.model_id}/tokens/").status_code == 404


# --- Dashboard ---------------------------------------------------------------------------------


def test_dashboard_shows_queries_today_most_used_tokens_and_tokens_never_used(
    alice_client, used, make_token
):
    recent, stale, _ = used
    use(recent, queries=1_500)
    use(stale, queries=20)
    use(stale, days_ago=1, queries=9_999)  # yesterday's
    make_token("spare")  # never used but unassigned: not counted as handed out

    html = alice_client.get("/").content.decode()

    assert re.search(r"Queries today</span><span class=\"stat-value\">1,520<", html)
    most_used = re.findall(r'<a class="row-link" href="/tokens/(tok_\w+)/">(\w+)</a>', html)
    assert most_used == [(recent.token_id, "recent"), (stale.token_id, "stale")]
    assert re.search(r"Tokens never used</span><span class=\"stat-value\">1<", html)
    assert 'href="/tokens/?used=never&amp;status=ACTIVE&amp;assigned=yes&amp;expired=no"' in html


def test_dashboard_never_used_link_lists_exactly_the_tokens_it_counts(
    alice_client, acme, used, make_token
):
    make_token("spare")
    paused, _ = make_token("paused", model=used[0].model)
    services.suspend_token(actor=TEST_ACTOR, token=paused)
    link = re.search(r'id="never-used-link" href="([^"]+)"', alice_client.get("/").content.decode())

    names = listed(alice_client, link.group(1).split("?", 1)[1].replace("&amp;", "&"))

    assert names == ["idle"]
    assert usage_summary(acme).never_used.count == len(names)


def test_dashboard_without_usage_says_nothing_was_queried_today(alice_client, used):
    html = alice_client.get("/").content.decode()

    assert "No queries yet today." in html
    assert re.search(r"Queries today</span><span class=\"stat-value\">0<", html)


def test_most_used_tokens_today_are_the_top_five_in_one_query(
    acme, make_token, django_assert_num_queries
):
    for i in range(7):
        token, _ = make_token(f"t{i}")
        use(token, queries=(i + 1) * 10)

    with django_assert_num_queries(1):
        top = [(entry.token.name, entry.queries) for entry in most_used_tokens_today(acme)]

    assert top == [("t6", 70), ("t5", 60), ("t4", 50), ("t3", 40), ("t2", 30)]


def test_charlie_sees_none_of_acmes_usage_on_his_dashboard(charlie_client, globex, used):
    use(used[0], queries=1_500)

    html = charlie_client.get("/").content.decode()

    assert queries_today(globex) == 0
    assert most_used_tokens_today(globex) == []
    assert used[0].token_id not in html
    assert re.search(r"Queries today</span><span class=\"stat-value\">0<", html)
    assert re.search(r"Tokens never used</span><span class=\"stat-value\">0<", html)


# --- The chart's scale -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("largest", "top"),
    [
        (0, 2),
        (1, 2),
        (3, 4),
        (7, 8),
        (10, 10),
        (11, 12),
        (13, 20),
        (25, 30),
        (61, 80),
        (1_010, 1_200),
        (1_234, 1_500),
    ],
)
def test_the_chart_scale_ends_on_a_round_number_with_a_whole_half(largest, top):
    assert scale_top(largest) == top


def test_usage_of_a_token_is_zero_filled_oldest_first_ending_today(used):
    use(used[0], days_ago=5, queries=8)

    usage = usage_of_token(used[0])
    chart = UsageChart.of(usage.days)

    assert [day.day for day in usage.days][-1] == utc_today()
    assert [day.queries for day in usage.days][-6:] == [8, 0, 0, 0, 0, 0]
    assert (usage.total, usage.today) == (8, 0)
    assert chart.busiest == usage.days[-6]
    assert chart.bars[-1].is_today
