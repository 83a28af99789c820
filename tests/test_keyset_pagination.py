"""KeysetPaginator: every row once, in order, through ties and mixed directions, both ways."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from console.audit.models import Event
from console.pagination import InvalidCursor, KeysetPaginator
from tokens import search
from tokens.models import Token


def walk(paginator):
    """Every page forwards, then every page backwards from the last."""
    pages, page = [], paginator.page(None)
    pages.append(page)
    while page.next_cursor:
        page = paginator.page(page.next_cursor)
        pages.append(page)
    backwards = [pages[-1]]
    while backwards[-1].previous_cursor:
        backwards.append(paginator.page(backwards[-1].previous_cursor))
    return pages, backwards


@pytest.fixture
def tokens(make_token):
    # Names that tie, so the primary key must break them.
    return [make_token(name)[0] for name in ["b", "a", "c", "B2", "a2", "b3", "A4"]]


@pytest.mark.parametrize("keys", [["name", "-pk"], ["-name", "pk"], ["-created_at", "-pk"]])
@pytest.mark.parametrize("per_page", [1, 2, 3, 7, 10])
def test_pages_hold_every_row_once_in_the_queryset_order(tokens, keys, per_page):
    rows = Token.objects.all()
    paginator = KeysetPaginator(rows, keys=keys, per_page=per_page)

    forwards, backwards = walk(paginator)

    expected = list(rows.order_by(*keys))
    assert [token for page in forwards for token in page] == expected
    assert [token for page in reversed(backwards) for token in page] == expected
    assert all(len(page) == per_page for page in forwards[:-1])


def test_events_recorded_in_one_instant_are_each_listed_once(alice, acme, sentiment, make_token):
    from models_registry.services import delete_model
    from tests.conftest import TEST_ACTOR

    for number in range(9):
        make_token(f"t{number}", model=sentiment)
    delete_model(actor=TEST_ACTOR, model=sentiment)  # nine events with the same occurred_at
    events = Event.objects.filter(provider=acme)

    forwards, _ = walk(KeysetPaginator(events, keys=["-occurred_at", "-pk"], per_page=4))

    listed = [event.pk for page in forwards for event in page]
    assert listed == list(events.order_by("-occurred_at", "-pk").values_list("pk", flat=True))


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "x",
        "bm9wZQ",
        "WyJzaWRld2F5cyIsIjEiXQ",
        "WyJuZXh0IiwxXQ",
        "WyJuZXh0Iiwibm90LWEtZGF0ZSIsIjEiXQ",
    ],
)
def test_a_cursor_this_paginator_did_not_write_is_refused(alice, cursor):
    paginator = KeysetPaginator(Event.objects.all(), keys=["-occurred_at", "-pk"], per_page=5)

    if cursor:
        with pytest.raises(InvalidCursor):
            paginator.page(cursor)
    else:
        assert paginator.page(cursor).previous_cursor is None


def test_a_cursor_never_reaches_another_providers_rows(alice, acme, charlie, globex, make_token):
    for number in range(4):
        make_token(f"acme-{number}")
    acme_events = Event.objects.filter(provider=acme)
    cursor = KeysetPaginator(acme_events, keys=["-occurred_at", "-pk"], per_page=1).page(None)

    globex_events = Event.objects.filter(provider=globex)
    page = KeysetPaginator(globex_events, keys=["-occurred_at", "-pk"], per_page=50).page(
        cursor.next_cursor
    )

    assert all(event.provider_id == globex.pk for event in page)


@pytest.mark.parametrize("keys", [["name", "-pk"], ["-name", "pk"], ["-created_at", "-pk"]])
@pytest.mark.parametrize("per_page", [1, 2, 3, 7, 10])
def test_a_union_is_paged_branch_by_branch_every_row_once_in_order(tokens, keys, per_page):
    rows = Token.objects.order_by()
    # Overlapping branches ("a2" is in both): the union holds each row once.
    union = rows.filter(name__istartswith="a").union(rows.filter(name__in=["b", "B2", "a2"]))
    paginator = KeysetPaginator(union, keys=keys, per_page=per_page)

    forwards, backwards = walk(paginator)

    expected = list(union.order_by(*keys))
    assert len(expected) == 5
    assert [token for page in forwards for token in page] == expected
    assert [token for page in reversed(backwards) for token in page] == expected


@pytest.fixture
def sometimes_used(tokens):
    """Last used: two at the same minute, one earlier, the rest never (NULL)."""
    minute = timezone.now().replace(second=0, microsecond=0)
    for token, used in zip(tokens, [minute, minute, minute - timedelta(hours=1)], strict=False):
        Token.objects.filter(pk=token.pk).update(last_used_at=used)
    return tokens


@pytest.mark.parametrize(
    "keys",
    [
        [F("last_used_at").asc(nulls_first=True), "-created_at", "-pk"],
        [F("last_used_at").desc(nulls_last=True), "created_at", "pk"],
        [F("last_used_at").asc(nulls_last=True), "-pk"],
        [F("last_used_at").desc(nulls_first=True), "pk"],
        ["last_used_at", "-pk"],  # where the database puts NULLs, SQLite's or PostgreSQL's
        ["-last_used_at", "pk"],
    ],
)
@pytest.mark.parametrize("per_page", [1, 2, 3, 7])
def test_a_nullable_key_keeps_its_nulls_where_the_order_puts_them(sometimes_used, keys, per_page):
    rows = Token.objects.all()
    paginator = KeysetPaginator(rows, keys=keys, per_page=per_page)

    forwards, backwards = walk(paginator)

    expected = list(rows.order_by(*keys))
    assert [token for page in forwards for token in page] == expected
    assert [token for page in reversed(backwards) for token in page] == expected


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("per_page", [1, 2, 3])
def test_an_expression_key_pages_in_its_own_order(tokens, descending, per_page):
    name = search.name_sort_key()
    rows = Token.objects.order_by(name.desc() if descending else name.asc(), "-pk")
    paginator = KeysetPaginator(rows, per_page=per_page)

    forwards, backwards = walk(paginator)

    names = [token.name for page in forwards for token in page]
    assert names == [token.name for token in rows]
    assert names == sorted(names, key=str.lower, reverse=descending)
    assert [token.name for page in reversed(backwards) for token in page] == names


def test_the_order_defaults_to_the_querysets_own_ending_with_the_primary_key(tokens):
    rows = Token.objects.order_by("name")

    forwards, _ = walk(KeysetPaginator(rows, per_page=2))

    assert [token for page in forwards for token in page] == list(rows.order_by("name", "pk"))


def test_rows_added_and_deleted_between_pages_are_neither_repeated_nor_skipped(make_token):
    for number in range(6):
        make_token(f"t{number}")
    paginator = KeysetPaginator(Token.objects.all(), keys=["-created_at", "-pk"], per_page=2)
    first = paginator.page(None)

    make_token("newer")  # before the first page: not on the pages after it
    Token.objects.filter(name="t3").delete()  # on the next page
    second = paginator.page(first.next_cursor)
    third = paginator.page(second.next_cursor)

    names = [token.name for page in (first, second, third) for token in page]
    assert names == ["t5", "t4", "t2", "t1", "t0"]
    assert third.next_cursor is None


def test_a_deep_page_is_one_query(tokens, django_assert_num_queries):
    paginator = KeysetPaginator(Token.objects.all(), keys=["name", "-pk"], per_page=2)
    cursor = paginator.page(None).next_cursor

    with django_assert_num_queries(1):
        paginator.page(cursor)


def test_an_altered_cursor_is_refused(tokens):
    paginator = KeysetPaginator(Token.objects.all(), keys=["name", "-pk"], per_page=2)
    cursor = paginator.page(None).next_cursor
    payload, signature = cursor.rsplit(":", 1)
    other = "A" if signature[0] != "A" else "B"

    for altered in [f"{payload}:{other}{signature[1:]}", f"x{payload}:{signature}", cursor[:-3]]:
        with pytest.raises(InvalidCursor):
            paginator.page(altered)


@pytest.mark.parametrize(
    ("keys", "context"), [(["-name", "pk"], ""), (["name", "-pk"], "status=ACTIVE")]
)
def test_a_cursor_for_another_order_or_context_is_refused(tokens, keys, context):
    made = KeysetPaginator(Token.objects.all(), keys=["name", "-pk"], per_page=2)
    cursor = made.page(None).next_cursor

    used = KeysetPaginator(Token.objects.all(), keys=keys, per_page=2, context=context)

    with pytest.raises(InvalidCursor):
        used.page(cursor)


def test_page_at_an_offset_links_on_by_cursor(tokens):
    rows = Token.objects.order_by("name", "pk")
    paginator = KeysetPaginator(rows, per_page=3)

    middle = paginator.page_at(3)
    after = paginator.page(middle.next_cursor)
    before = paginator.page(middle.previous_cursor)

    assert list(middle) == list(rows[3:6])
    assert list(after) == list(rows[6:])
    assert list(before) == list(rows[:3])
