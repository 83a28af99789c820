"""The API's lists by cursor: every token once, past the count's cap, in every sort, through
rows added and deleted meanwhile; a cursor altered or made for another list is 400; never
another provider's rows."""

from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from console.api.services import create_license_key
from models_registry.services import create_model
from tests.conftest import TEST_ACTOR, ApiCaller
from tokens import services
from tokens.filters import SORTS, TokenFilter
from tokens.models import Token
from tokens.selectors import tokens_for

EVERY_SORT = [sort for key in SORTS for sort in (key, f"-{key}")]


def walk(api, path, params=None):
    """Every page from the first, by `next`: the items, and each page's answer."""
    pages = [api.get(path, params).json()]
    while pages[-1]["next"]:
        pages.append(api.get(pages[-1]["next"]).json())
    return [item for page in pages for item in page["results"]], pages


def test_walking_next_reaches_every_token_past_the_count_cap(api, bulk_tokens):
    bulk_tokens(5_010)

    items, pages = walk(api, "/api/v1/tokens", {"limit": 100, "count": "true"})

    assert len(items) == 5_010 and len({item["token_id"] for item in items}) == 5_010
    assert len(pages) == 51
    assert (pages[0]["count"], pages[0]["count_is_capped"]) == (5_000, True)
    assert all(page["has_more"] for page in pages[:-1])
    assert (pages[-1]["has_more"], pages[-1]["next"], len(pages[-1]["results"])) == (
        False,
        None,
        10,
    )
    assert pages[0]["next"].startswith("http://testserver/api/v1/tokens?")
    assert parse_qs(urlsplit(pages[0]["next"]).query)["limit"] == ["100"]


def test_tokens_added_and_deleted_between_pages_are_neither_repeated_nor_skipped(api, make_token):
    for number in range(30):
        make_token(f"t-{number:02}")
    first = api.get("/api/v1/tokens", {"sort": "name", "limit": 10}).json()

    make_token("a-before-the-cursor")
    make_token("zz-at-the-end")
    Token.objects.filter(name__in=["t-03", "t-14"]).delete()  # seen, and not yet seen
    rest, _ = walk(api, first["next"])

    names = [item["name"] for item in first["results"] + rest]
    expected = [f"t-{number:02}" for number in range(30) if number != 14]
    assert names == [*expected, "zz-at-the-end"]


@pytest.fixture
def ties(acme, make_token, sentiment, vision):
    """Tokens that tie on every sort's column: two statuses, two models, two expirations, one
    minute of last use and many never used, two created at the same instant, names that differ
    only in case."""
    expires = timezone.now().replace(microsecond=0) + timedelta(days=20)
    used = timezone.now().replace(second=0, microsecond=0)
    made = [
        make_token(name, model=model)[0]
        for name, model in [
            ("Alpha", sentiment),
            ("alpha-2", sentiment),
            ("beta", None),
            ("Beta-2", vision),
            ("gamma", vision),
            ("delta", None),
            ("epsilon", sentiment),
            ("zeta", None),
            ("Eta", vision),
        ]
    ]
    for number, token in enumerate(made):
        Token.objects.filter(pk=token.pk).update(
            expires_at=expires + timedelta(days=number % 2),
            last_used_at=used if number % 3 == 0 else None,
        )
    services.suspend_token(actor=TEST_ACTOR, token=made[1])
    services.suspend_token(actor=TEST_ACTOR, token=made[4])
    services.cancel_token(actor=TEST_ACTOR, token=made[6])
    Token.objects.filter(pk=made[3].pk).update(created_at=made[2].created_at)
    return made


@pytest.mark.parametrize("sort", EVERY_SORT)
@pytest.mark.parametrize("limit", [1, 2, 4])
def test_every_sort_walks_every_token_once_in_its_order(api, acme, ties, sort, limit):
    items, _ = walk(api, "/api/v1/tokens", {"sort": sort, "limit": limit})

    listed = [item["token_id"] for item in items]
    request = SimpleNamespace(provider=acme)
    ordered = TokenFilter({"sort": sort}, queryset=tokens_for(acme), request=request).qs
    assert listed == [token.token_id for token in ordered]
    assert len(set(listed)) == len(ties)


@pytest.mark.parametrize("key", list(SORTS))
def test_each_descending_sort_is_its_ascending_one_reversed(api, ties, key):
    ascending, _ = walk(api, "/api/v1/tokens", {"sort": key, "limit": 3})
    descending, _ = walk(api, "/api/v1/tokens", {"sort": f"-{key}", "limit": 3})

    assert [item["token_id"] for item in descending] == [
        item["token_id"] for item in reversed(ascending)
    ]


@pytest.mark.parametrize(
    ("sort", "field", "never_used_first"),
    [("last_used", "last_used_at", True), ("-last_used", "last_used_at", False)],
)
def test_never_used_tokens_come_first_ascending_and_last_descending(
    api, ties, sort, field, never_used_first
):
    items, _ = walk(api, "/api/v1/tokens", {"sort": sort, "limit": 2})

    used = [item[field] is not None for item in items]
    assert used == sorted(used, reverse=not never_used_first)
    assert 0 < sum(used) < len(used)


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "bm9wZQ",
        "WyJuZXh0IiwxXQ",  # the old unsigned kind: ["next", 1]
        "WyJuZXh0IiwxXQ:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "%00",
        "a" * 5000,
    ],
)
def test_a_malformed_or_forged_cursor_is_400_naming_cursor(api, make_token, cursor):
    make_token()

    response = api.get(f"/api/v1/tokens?cursor={cursor}")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["cursor"]


def test_an_altered_cursor_is_400_naming_cursor(api, make_token):
    for number in range(3):
        make_token(f"t-{number}")
    cursor = api.get("/api/v1/tokens", {"limit": 1}).json()["next"]
    value = parse_qs(urlsplit(cursor).query)["cursor"][0]
    payload, signature = value.rsplit(":", 1)
    other = "B" if payload[5] == "A" else "A"

    for altered in [f"{payload[:5]}{other}{payload[6:]}:{signature}", f"{payload}:x"]:
        response = api.get("/api/v1/tokens", {"limit": 1, "cursor": altered})
        assert response.status_code == 400
        assert "cursor" in response.json()["errors"]


@pytest.mark.parametrize(
    "change",
    [
        {"sort": "-name"},
        {"sort": "created"},
        {"status": "ACTIVE"},
        {"name": "t-"},
        {"assigned": "no"},
    ],
)
def test_a_cursor_used_with_another_sort_or_filter_is_400(api, make_token, change):
    for number in range(3):
        make_token(f"t-{number}")
    first = api.get("/api/v1/tokens", {"sort": "name", "limit": 1}).json()
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]

    response = api.get("/api/v1/tokens", {"sort": "name", "limit": 1, "cursor": cursor, **change})

    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_tokens_cursor_is_no_cursor_of_models_or_events(api, make_token, sentiment):
    for number in range(3):
        make_token(f"t-{number}")
    first = api.get("/api/v1/tokens", {"limit": 1}).json()
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]

    for path in ["/api/v1/models", "/api/v1/events"]:
        response = api.get(path, {"limit": 1, "cursor": cursor})
        assert response.status_code == 400, path
        assert "cursor" in response.json()["errors"]


def test_a_cursor_keeps_its_place_with_another_limit_or_a_count(api, make_token):
    for number in range(6):
        make_token(f"t-{number}")
    first = api.get("/api/v1/tokens", {"sort": "name", "limit": 2}).json()
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]

    rest = api.get(
        "/api/v1/tokens", {"sort": "name", "limit": 10, "count": "true", "cursor": cursor}
    )

    assert [item["name"] for item in rest.json()["results"]] == ["t-2", "t-3", "t-4", "t-5"]
    assert rest.json()["count"] == 6


def test_another_providers_tokens_never_appear_on_any_page(api, charlie_api, bulk_tokens, globex):
    bulk_tokens(40, prefix="acme")
    bulk_tokens(40, provider=globex, prefix="globex")

    alices, alices_pages = walk(api, "/api/v1/tokens", {"limit": 7})
    charlies_with_alices_cursor = charlie_api.get(alices_pages[1]["next"])

    assert len(alices) == 40 and all(item["name"].startswith("acme-") for item in alices)
    assert charlies_with_alices_cursor.status_code == 200
    assert all(
        item["name"].startswith("globex-") for item in charlies_with_alices_cursor.json()["results"]
    )


@pytest.mark.parametrize("role", ["bob", "victor"])
def test_members_and_viewers_keys_walk_the_same_pages(request, client, acme, bulk_tokens, role):
    bulk_tokens(30)
    person = request.getfixturevalue(role)
    key = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=person, name=role)[1]

    items, pages = walk(ApiCaller(client, key), "/api/v1/tokens", {"limit": 7})

    assert len({item["token_id"] for item in items}) == 30 and len(pages) == 5


def test_each_page_costs_the_same_queries_however_deep(api, bulk_tokens):
    bulk_tokens(1_000)
    _, pages = walk(api, "/api/v1/tokens", {"limit": 100, "sort": "name", "count": "true"})

    counted = []
    for url in [
        "/api/v1/tokens?limit=100&sort=name&count=true",
        pages[5]["next"],
        pages[8]["next"],
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        counted.append(len(queries))

    assert counted[0] == counted[1] == counted[2]


def test_models_page_by_cursor_in_name_order(api, acme, charlies_model):
    for number in range(12):
        create_model(actor=TEST_ACTOR, provider=acme, name=f"model-{number:02}")

    items, pages = walk(api, "/api/v1/models", {"limit": 5, "count": "true"})

    assert [item["name"] for item in items] == [f"model-{number:02}" for number in range(12)]
    assert len(pages) == 3 and pages[0]["count"] == 12


def test_events_page_by_cursor_newest_first(api, acme, make_token):
    for number in range(12):
        make_token(f"t-{number:02}")

    items, pages = walk(api, "/api/v1/events", {"limit": 5, "action": "token.created"})

    assert [item["target_name"] for item in items] == [f"t-{n:02}" for n in reversed(range(12))]
    assert len(pages) == 3
