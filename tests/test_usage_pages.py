"""
How tokens are used, shown to their provider: "Last used" on the Tokens List (a column, a sort
and a filter, shared with the API), a token's Usage section and chart, a model's totals on its
Token Management tab, and the dashboard's usage cards. Charlie sees none of Acme's.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tokens.models import Token


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
