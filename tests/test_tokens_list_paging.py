"""The Tokens List's Next and Previous: by cursor, past the count's cap, keeping the list's
filters, sort and page size, and never another provider's tokens."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tokens.models import Token

HTMX = {"HTTP_HX_REQUEST": "true"}


def link(html, element_id):
    """The address of the link with `element_id`, or None."""
    found = re.search(rf'id="{element_id}" href="([^"]*)"', html)
    return f"/tokens/{unescape(found.group(1))}" if found else None


def summary(html):
    return re.search(r'id="results-summary">([^<]*)<', html).group(1)


def walk(client, query):
    """Every page from the first, by the Next links, as a browser without JavaScript would."""
    names, url, pages = [], f"/tokens/?{query}", []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        names += [token.name for token in response.context["page"]]
        pages.append(html)
        url = link(html, "next-page")
    return names, pages


def test_next_reaches_every_token_past_the_count_cap(alice_client, bulk_tokens):
    bulk_tokens(5_010)

    names, pages = walk(alice_client, "per_page=100")

    assert len(names) == 5_010 and len(set(names)) == 5_010
    assert names[0] == "bulk-05009" and names[-1] == "bulk-00000"
    assert summary(pages[0]) == "1–100 of more than 5,000 tokens"
    assert summary(pages[-1]) == "5,001–5,010 of more than 5,000 tokens"
    assert "Page 51 of more than 50" in pages[-1]


def test_a_page_number_within_the_cap_still_opens_and_leads_on_by_cursor(alice_client, bulk_tokens):
    bulk_tokens(5_010)

    last_counted = alice_client.get("/tokens/?per_page=100&page=50").content.decode()
    beyond = alice_client.get(link(last_counted, "next-page")).content.decode()
    back = alice_client.get(link(beyond, "previous-page")).content.decode()

    assert summary(last_counted) == "4,901–5,000 of more than 5,000 tokens"
    assert summary(beyond) == "5,001–5,010 of more than 5,000 tokens"
    assert link(beyond, "next-page") is None
    assert summary(back) == "4,901–5,000 of more than 5,000 tokens"


def test_next_and_previous_keep_the_filters_sort_and_page_size(alice_client, make_token):
    for number in range(7):
        make_token(f"kept-{number}")
    make_token("other")
    query = "name=kept&sort=-name&per_page=25&status=ACTIVE&model=&expired="

    first = alice_client.get(f"/tokens/?{query}").content.decode()
    assert link(first, "next-page") is None  # 7 fit on a page of 25

    for number in range(7, 60):
        make_token(f"kept-{number:02}")
    first = alice_client.get(f"/tokens/?{query}").content.decode()
    second_url = link(first, "next-page")
    second = alice_client.get(second_url).content.decode()
    third = alice_client.get(link(second, "next-page")).content.decode()
    back_to_second = link(third, "previous-page")
    back_to_first = link(second, "previous-page")

    params = parse_qs(urlsplit(second_url).query)
    assert params["name"] == ["kept"] and params["sort"] == ["-name"]
    assert params["per_page"] == ["25"] and params["status"] == ["ACTIVE"]
    assert params["page"] == ["2"] and params["cursor"]
    assert summary(second) == "26–50 of 60 tokens"
    assert summary(third) == "51–60 of 60 tokens"
    assert summary(alice_client.get(back_to_second).content.decode()) == "26–50 of 60 tokens"
    # Back to the first page is the first page itself, whatever was added since.
    assert {"cursor", "page"}.isdisjoint(parse_qs(urlsplit(back_to_first).query))
    assert "other" not in second + third


def test_the_sort_links_and_page_size_start_again_from_the_first_page(alice_client, bulk_tokens):
    bulk_tokens(30)
    second = alice_client.get(
        link(alice_client.get("/tokens/").content.decode(), "next-page")
    ).content.decode()

    sort_link = unescape(re.search(r'id="sort-name" href="([^"]*)"', second).group(1))
    page_size = re.search(r'<select id="per-page"[^>]*>', second).group(0)

    assert {"cursor", "page"}.isdisjoint(parse_qs(urlsplit(sort_link).query))
    assert 'hx-include="#token-filters"' in page_size  # the form: filters, never the cursor


def test_rows_added_and_deleted_between_pages_are_neither_repeated_nor_skipped(
    alice_client, make_token
):
    for number in range(30):
        make_token(f"t-{number:02}")
    first = alice_client.get("/tokens/?sort=name")
    next_url = link(first.content.decode(), "next-page")

    make_token("a-new-one")  # sorts before the first page's end: not on the next page
    Token.objects.filter(name="t-26").delete()
    second = alice_client.get(next_url)

    shown = [token.name for token in first.context["page"]]
    shown += [token.name for token in second.context["page"]]
    assert shown == [f"t-{number:02}" for number in range(30) if number != 26]


def test_htmx_gets_the_next_page_as_just_the_results(alice_client, bulk_tokens):
    bulk_tokens(30)
    next_url = link(alice_client.get("/tokens/").content.decode(), "next-page")

    response = alice_client.get(next_url, HTTP_HX_TARGET="token-results", **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="token-results"')
    assert summary(html) == "26–30 of 30 tokens"
    previous = re.search(r'<a [^>]*id="previous-page"[^>]*>', html).group(0)
    assert 'hx-target="#token-results"' in previous and 'hx-push-url="true"' in previous


@pytest.mark.parametrize(
    "change", ["sort=-name", "status=SUSPENDED", "name=bulk-0001", "cursor-altered"]
)
def test_a_cursor_for_another_sort_or_filters_shows_the_first_page_and_says_so(
    alice_client, bulk_tokens, change
):
    bulk_tokens(30)
    next_url = link(alice_client.get("/tokens/?sort=name").content.decode(), "next-page")
    if change == "cursor-altered":
        used = re.sub(r"cursor=([^&]*)", lambda m: f"cursor=x{m.group(1)}", next_url)
    else:
        used = next_url.replace("sort=name", change)

    response = alice_client.get(used)

    assert response.status_code == 200
    assert response.context["bad_cursor"] is True
    assert "That page link was not valid" in response.content.decode()
    assert response.context["page"].number == 1


def test_each_page_costs_the_same_queries_however_deep(
    alice_client, bulk_tokens, django_assert_num_queries
):
    bulk_tokens(5_010)
    deep = link(alice_client.get("/tokens/?per_page=100&page=50").content.decode(), "next-page")

    # Session, user, membership with its provider, count, page: as on the first page.
    with django_assert_num_queries(6):
        alice_client.get("/tokens/?per_page=100")
    with django_assert_num_queries(6):
        alice_client.get(deep)


@pytest.mark.parametrize("persona", ["bob_client", "victor_client"])
def test_members_and_viewers_page_the_same_way(request, bulk_tokens, persona):
    bulk_tokens(30)
    client = request.getfixturevalue(persona)

    names, _ = walk(client, "")

    assert len(set(names)) == 30


def test_another_providers_tokens_never_appear_and_its_cursor_shows_only_your_own(
    alice_client, bulk_tokens, charlie, globex
):
    bulk_tokens(30, prefix="acme")
    bulk_tokens(30, provider=globex, prefix="globex")
    names, pages = walk(alice_client, "")
    alices_next = link(pages[0], "next-page")

    charlies_browser = Client()
    charlies_browser.force_login(charlie)
    charlies = charlies_browser.get(alices_next)

    assert names and all(name.startswith("acme-") for name in names)
    assert charlies.status_code == 200
    assert all(token.name.startswith("globex-") for token in charlies.context["page"])
