"""Pages whose count stays cheap however many rows match."""

import base64
import binascii
import json
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import cast

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Field, IntegerField, Model, Q, QuerySet, Subquery

COUNT_CAP = 5_000


class CappedPaginator(Paginator):
    """
    A paginator that counts at most `cap` rows.

    Counting a million matching rows costs time in proportion to the million, on every page
    view. Up to the cap the total is exact; past it the page says "more than 5,000" and offers
    pages up to the cap, and narrowing the filters shows the rest. The count ignores the order,
    so the database may count along whichever index is cheapest.
    """

    def __init__(self, *args, cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _bounded_count(self) -> int:
        rows = cast(QuerySet, self.object_list)  # always a queryset here
        return rows.order_by()[: self.cap + 1].count()

    @property
    def count(self) -> int:
        return min(self._bounded_count, self.cap)

    @property
    def is_capped(self) -> bool:
        return self._bounded_count > self.cap


@dataclass(frozen=True)
class Tally:
    """A count that stops at a cap: a dashboard at a million tokens costs what one at 5,000 does."""

    count: int
    capped: bool

    def __str__(self) -> str:
        return f"{self.count:,}+" if self.capped else f"{self.count:,}"


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> Tally:
    counted = queryset.order_by()[: cap + 1].count()
    return Tally(min(counted, cap), counted > cap)


class CappedCount(Subquery):
    """
    `queryset`'s rows counted up to `cap` + 1, as a column of an outer query (use OuterRef in
    `queryset`): each outer row's count stops at the cap, so a page of models with their token
    counts is one query, whatever the number of models or of tokens.
    """

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"

    def __init__(self, queryset: QuerySet, *, cap: int | None = None):
        cap = COUNT_CAP if cap is None else cap
        super().__init__(queryset.order_by().values("pk")[: cap + 1], output_field=IntegerField())


def _union_branches[T: Model](queryset: QuerySet[T]) -> list[QuerySet[T]]:
    """The querysets that `queryset` is the union of, or just `queryset`."""
    if queryset.query.combinator != "union":
        return [queryset]
    return [
        type(queryset)(model=queryset.model, query=query.clone(), using=queryset.db)
        for query in queryset.query.combined_queries
    ]


class InvalidCursor(ValueError):
    """A cursor that this paginator did not write (altered, truncated, or for another list)."""


@dataclass(frozen=True)
class KeysetPage[T]:
    """One page of a keyset paginator: its items and the cursors of the pages on either side."""

    items: list[T]
    next_cursor: str | None  # further along the order (older, for newest-first lists)
    previous_cursor: str | None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


class KeysetPaginator[T: Model]:
    """
    Pages that cost the same at the first row and the millionth: each page starts where the
    previous one ended (WHERE the sort key is past the cursor, ORDER BY it, LIMIT), walking an
    index that delivers the order, instead of counting and skipping rows with OFFSET. Rows added
    or deleted meanwhile never make a page repeat or skip one.

    `keys` are the queryset's ordering, ending with the primary key so that every row has a
    distinct position (for example ["-occurred_at", "-pk"]). The cursor is opaque to clients:
    the position's values, in JSON, in URL-safe base64.

    A `union()` of querysets is paged branch by branch: each branch walks its own index to the
    page's length, and the branches' rows are merged, each row once. A database cannot walk one
    index for `a = x OR b = x` in order: it scans a wider index past rows that match neither,
    or sorts every match.
    """

    def __init__(self, queryset: QuerySet[T], *, keys: list[str], per_page: int):
        assert keys[-1].lstrip("-") == "pk", "the last key makes positions unique"
        self.branches = _union_branches(queryset)
        self.keys = keys
        self.per_page = per_page
        meta = queryset.model._meta
        self.fields: list[Field] = [
            meta.pk if key.lstrip("-") == "pk" else cast(Field, meta.get_field(key.lstrip("-")))
            for key in keys
        ]

    def _encode(self, item: T, direction: str) -> str:
        values = [field.value_to_string(item) for field in self.fields]
        raw = json.dumps([direction, *values], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _decode(self, cursor: str) -> tuple[str, list]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            direction, *texts = json.loads(raw)
            if direction not in {"next", "previous"} or len(texts) != len(self.fields):
                raise InvalidCursor(cursor)
            return direction, [
                field.to_python(text) for field, text in zip(self.fields, texts, strict=True)
            ]
        except (ValueError, TypeError, ValidationError, binascii.Error):
            raise InvalidCursor(cursor) from None

    def _beyond(self, index: int, value: object, *, forward: bool) -> Q:
        """Rows past `value` in key `index`'s own direction (before it when not forward)."""
        key = self.keys[index]
        operator = "lt" if key.startswith("-") == forward else "gt"
        return Q(**{f"{key.lstrip('-')}__{operator}": value})

    def _past(self, values: list, *, forward: bool) -> Q:
        """Rows after the position `values` in the keys' order (before it when not forward):
        (k1 past v1) or (k1 = v1 and ((k2 past v2) or (k2 = v2 and ...)))."""
        last = len(self.keys) - 1
        condition = self._beyond(last, values[last], forward=forward)
        for index in reversed(range(last)):
            same = Q(**{self.keys[index].lstrip("-"): values[index]})
            condition = self._beyond(index, values[index], forward=forward) | (same & condition)
        # The first key's bound, on its own, lets the database start inside the index.
        first = self.keys[0]
        bound = "lte" if first.startswith("-") == forward else "gte"
        return Q(**{f"{first.lstrip('-')}__{bound}": values[0]}) & condition

    def page(self, cursor: str | None) -> KeysetPage[T]:
        """The first page, or the one `cursor` (from a previous page) points to."""
        if not cursor:
            items = self._rows(self.keys, None)
            return self._page(items[: self.per_page], more_after=len(items) > self.per_page)
        direction, values = self._decode(cursor)
        if direction == "next":
            items = self._rows(self.keys, self._past(values, forward=True))
            return self._page(
                items[: self.per_page], more_after=len(items) > self.per_page, more_before=True
            )
        reverse = [key[1:] if key.startswith("-") else f"-{key}" for key in self.keys]
        items = self._rows(reverse, self._past(values, forward=False))
        page = items[: self.per_page][::-1]
        return self._page(page, more_after=True, more_before=len(items) > self.per_page)

    def _rows(self, order: list[str], past: Q | None) -> list[T]:
        """The first per_page + 1 rows in `order` (past the cursor's position, if any)."""
        found: dict[object, T] = {}
        for branch in self.branches:
            rows = branch if past is None else branch.filter(past)
            found.update((row.pk, row) for row in rows.order_by(*order)[: self.per_page + 1])
        items = list(found.values())
        if len(self.branches) > 1:
            for key, field in reversed(list(zip(order, self.fields, strict=True))):
                items.sort(key=attrgetter(field.attname), reverse=key.startswith("-"))
        return items[: self.per_page + 1]

    def _page(self, items: list[T], *, more_after: bool, more_before: bool = False) -> KeysetPage:
        return KeysetPage(
            items=items,
            next_cursor=self._encode(items[-1], "next") if items and more_after else None,
            previous_cursor=self._encode(items[0], "previous") if items and more_before else None,
        )
