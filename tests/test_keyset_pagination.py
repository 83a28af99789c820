"""KeysetPaginator: every row once, in order, through ties and mixed directions, both ways."""

import pytest

from console.audit.models import Event
from console.pagination import InvalidCursor, KeysetPaginator
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
