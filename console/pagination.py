"""Pages whose count stays cheap however many rows match."""

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from operator import attrgetter
from typing import Any, cast

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, Field, IntegerField, Model, Q, QuerySet, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import OrderBy, RawSQL
from django.http import QueryDict

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


# Cursors are signed (SECRET_KEY, or one of its fallbacks) under this salt and the list's
# context, so one that was altered, or made for another list, sort or filter, is refused.
CURSOR_SALT = "console.pagination.cursor"


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


@dataclass(frozen=True)
class SortKey:
    """One key of a keyset order: what rows are ordered and compared by, which way, and where
    its NULLs come (`nulls_first` None: it is never null)."""

    expression: Any  # F("created_at"), or a computed value such as a name's collation
    lookup: str  # what filter() names: the field, or the paginator's alias of the expression
    attribute: str  # where a fetched row holds its value
    field: Field  # reads a cursor's value back
    descending: bool
    nulls_first: bool | None

    def reversed(self) -> "SortKey":
        nulls_first = None if self.nulls_first is None else not self.nulls_first
        return replace(self, descending=not self.descending, nulls_first=nulls_first)

    def order(self) -> OrderBy:
        if self.nulls_first is None:
            return OrderBy(self.expression, descending=self.descending)
        return OrderBy(
            self.expression,
            descending=self.descending,
            nulls_first=True if self.nulls_first else None,
            nulls_last=None if self.nulls_first else True,
        )

    def equal(self, value: object) -> Q:
        if value is None:
            return Q(**{f"{self.lookup}__isnull": True})
        return Q(**{self.lookup: value})

    def beyond(self, value: object) -> list[Q]:
        """Rows past `value` in this key's order, as ranges an index can walk, in that order."""
        if value is None:
            return [Q(**{f"{self.lookup}__isnull": False})] if self.nulls_first else []
        past = Q(**{f"{self.lookup}__{'lt' if self.descending else 'gt'}": value})
        if self.nulls_first is False:
            return [past, Q(**{f"{self.lookup}__isnull": True})]
        return [past]


def _as_order(key: Any) -> OrderBy:
    """An ordering as order_by() takes it ("-name", an expression, `F(...).desc()`)."""
    if isinstance(key, str):
        return OrderBy(F(key.lstrip("-")), descending=key.startswith("-"))
    return key if isinstance(key, OrderBy) else OrderBy(key)


def sort_keys[T: Model](
    queryset: QuerySet[T], keys: Sequence[Any] | None = None
) -> tuple[QuerySet[T], list[SortKey]]:
    """
    `keys` (by default the queryset's own ordering) as SortKeys, ending with the primary key so
    that every row has a position of its own; and the queryset, with an alias for each key that
    is an expression rather than a field. A key that repeats an earlier one is dropped: it
    breaks no tie.
    """
    meta = queryset.model._meta
    if keys is None:
        keys = list(queryset.query.order_by)
        if not keys and queryset.query.default_ordering:
            keys = list(meta.ordering or [])
    largest = connections[queryset.db].features.nulls_order_largest
    found: list[SortKey] = []
    aliases: dict[str, Any] = {}
    for index, key in enumerate(map(_as_order, [*keys, "pk"])):
        expression = key.expression
        name = cast(Any, expression).name if isinstance(expression, F) else LOOKUP_SEP
        field: Field | None = None  # an expression's: its alias's, once that exists
        if LOOKUP_SEP not in name:
            lookup = "pk" if name in {"pk", meta.pk.name} else name
            field = cast(Field, meta.pk if lookup == "pk" else meta.get_field(lookup))
            attribute = "pk" if lookup == "pk" else field.attname
        else:
            lookup = attribute = f"keyset_{index}"
        if any(known.lookup == lookup or known.expression == expression for known in found):
            continue
        if field is None:
            aliases[lookup] = expression
        # Where NULLs come: as asked, else where the database puts them (first in ascending
        # order on SQLite, last on PostgreSQL).
        nulls_first = True if key.nulls_first else False if key.nulls_last else None
        if nulls_first is None:
            nulls_first = largest == key.descending
        found.append(
            SortKey(expression, lookup, attribute, cast(Field, field), key.descending, nulls_first)
        )
    if aliases:
        queryset = queryset.annotate(**aliases)
    return queryset, [_resolved(queryset, found_key) for found_key in found]


def _resolved(queryset: QuerySet, key: SortKey) -> SortKey:
    """`key` with its alias's field, if it is an expression, and no NULLs if it has none."""
    field = key.field or queryset.query.annotations[key.lookup].output_field
    return replace(key, field=field, nulls_first=key.nulls_first if field.null else None)


def _jsonable(value: object) -> object:
    """A key's value as a cursor's JSON holds it, exactly (datetimes to the microsecond)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


class KeysetPaginator[T: Model]:
    """
    Pages that cost the same at the first row and the millionth: each page starts where the
    previous one ended, walking an index that delivers the order to the page's length, instead
    of counting and skipping rows with OFFSET. Rows added or deleted meanwhile never make a page
    repeat or skip one.

    `keys` is the order (by default the queryset's own): fields such as "-created_at", or
    expressions (`F("last_used_at").asc(nulls_first=True)`, a name's collation), ending with
    the primary key so that every row has a distinct position ("pk" is added if missing).
    Nullable keys keep their NULLs where the order puts them.

    The position after a page is the combination of (k1 past v1), (k1 = v1 and k2 past v2),
    ... each a range of the index with the keys before it fixed. A single `OR` of them would
    scan a whole run of equal first keys (a status, a model, "never used") to find the
    cursor's place, so each is its own subquery, limited to the page's length, and one query
    orders the few rows they find.

    The cursor is opaque to clients: the position's values and direction in JSON, signed
    (django.core.signing) under `context` (say, a fingerprint of the list's filters), so an
    altered cursor, or one made for another order or context, is `InvalidCursor`.

    A `union()` of querysets is paged branch by branch: each branch walks its own index to the
    page's length, and the branches' rows are merged, each row once. A database cannot walk one
    index for `a = x OR b = x` in order: it scans a wider index past rows that match neither,
    or sorts every match.
    """

    def __init__(
        self,
        queryset: QuerySet[T],
        *,
        per_page: int,
        keys: Sequence[Any] | None = None,
        context: str = "",
    ):
        branches = _union_branches(queryset)
        if keys is None and len(branches) > 1:
            raise ValueError("give the keys of a union")
        self.per_page = per_page
        self.branches: list[QuerySet[T]] = []
        for branch in branches:
            branch, self.keys = sort_keys(branch, keys)
            self.branches.append(branch)
        if len(self.branches) > 1 and not all(
            isinstance(key.expression, F) and key.nulls_first is None for key in self.keys
        ):
            # Python merges the branches' rows: it knows neither collations nor NULLs' place.
            raise ValueError("a union's keys must be fields that are never null")
        spec = ";".join(f"{key.expression}:{key.descending}:{key.nulls_first}" for key in self.keys)
        self.signer = signing.Signer(salt=f"{CURSOR_SALT}:{spec}:{context}")

    def _encode(self, item: T, direction: str) -> str:
        values = [_jsonable(getattr(item, key.attribute)) for key in self.keys]
        return self.signer.sign_object([direction, *values])

    def _decode(self, cursor: str) -> tuple[str, list]:
        try:
            direction, *raw = self.signer.unsign_object(cursor)
            if direction not in {"next", "previous"} or len(raw) != len(self.keys):
                raise InvalidCursor(cursor)
            return direction, [
                self._value(key, value) for key, value in zip(self.keys, raw, strict=True)
            ]
        except (signing.BadSignature, ValueError, TypeError, ValidationError):
            raise InvalidCursor(cursor) from None

    @staticmethod
    def _value(key: SortKey, raw: object) -> object:
        if raw is None:
            if key.nulls_first is None:
                raise InvalidCursor("a NULL where there can be none")
            return None
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise InvalidCursor("not a value of this list")
        return key.field.to_python(raw)

    def cursor_after(self, item: T) -> str:
        """The cursor of the page that starts after `item` (a row this paginator fetched)."""
        return self._encode(item, "next")

    def page(self, cursor: str | None) -> KeysetPage[T]:
        """The first page, or the one `cursor` (from a previous page) points to."""
        if not cursor:
            items = self._rows(self.keys, None)
            return self._page(items[: self.per_page], more_after=len(items) > self.per_page)
        direction, values = self._decode(cursor)
        if direction == "next":
            items = self._rows(self.keys, values)
            return self._page(
                items[: self.per_page], more_after=len(items) > self.per_page, more_before=True
            )
        items = self._rows([key.reversed() for key in self.keys], values)
        page = items[: self.per_page][::-1]
        return self._page(page, more_after=True, more_before=len(items) > self.per_page)

    def page_at(self, offset: int) -> KeysetPage[T]:
        """
        The page that starts `offset` rows in. OFFSET reads every row it skips: only for page
        numbers within a count's cap (CappedPaginator), never to reach far.
        """
        assert len(self.branches) == 1, "a union is paged by cursors only"
        order = [key.order() for key in self.keys]
        rows = self.branches[0].order_by(*order)[offset : offset + self.per_page + 1]
        items = list(rows)
        return self._page(
            items[: self.per_page], more_after=len(items) > self.per_page, more_before=offset > 0
        )

    def _rows(self, keys: list[SortKey], values: list | None) -> list[T]:
        """The first per_page + 1 rows in `keys`' order (past the position `values`, if any)."""
        order = [key.order() for key in keys]
        found: dict[object, T] = {}
        for branch in self.branches:
            rows = branch.order_by(*order)
            if values is not None:
                rows = self._past(rows, keys, values)
            found.update((row.pk, row) for row in rows[: self.per_page + 1])
        items = list(found.values())
        if len(self.branches) > 1:
            for key in reversed(keys):
                items.sort(key=attrgetter(key.attribute), reverse=key.descending)
        return items[: self.per_page + 1]

    def _past(self, rows: QuerySet[T], keys: list[SortKey], values: list) -> QuerySet[T]:
        """`rows` after the position `values` in `keys`' order: one query, in which each range
        of the position's keyset (the nearest first) reads at most a page through its index."""
        ranges: list[Q] = []
        for depth in reversed(range(len(keys))):
            same = Q()
            for key, value in zip(keys[:depth], values[:depth], strict=True):
                same &= key.equal(value)
            ranges += [same & beyond for beyond in keys[depth].beyond(values[depth])]
        if not ranges:
            return rows.none()
        parts, params = [], []
        for number, condition in enumerate(ranges):
            # Named, since a DISTINCT list selects the columns of its order too.
            part = rows.filter(condition).values(keyset_pk=F("pk"))[: self.per_page + 1]
            sql, part_params = part.query.get_compiler(using=rows.db).as_sql()
            parts.append(f"SELECT keyset_pk FROM ({sql}) AS keyset_range_{number}")  # noqa: S608
            params.extend(part_params)
        return rows.filter(pk__in=RawSQL(" UNION ALL ".join(parts), params))  # noqa: S611

    def _page(self, items: list[T], *, more_after: bool, more_before: bool = False) -> KeysetPage:
        return KeysetPage(
            items=items,
            next_cursor=self._encode(items[-1], "next") if items and more_after else None,
            previous_cursor=self._encode(items[0], "previous") if items and more_before else None,
        )


def list_context(params: QueryDict, *, paging: Collection[str]) -> str:
    """
    A fingerprint of the list a cursor belongs to: the query string's filters and sort, empty
    ones left out (a form sends them all), paging's own parameters (`paging`) ignored. Cursors
    are signed under it, so one used with other filters or another sort is refused rather than
    answered from a place in a different list.
    """
    chosen = [
        (name, sorted(value for value in params.getlist(name) if value))
        for name in sorted(params)
        if name not in paging
    ]
    text = json.dumps([(name, values) for name, values in chosen if values])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class NumberedPage[T]:
    """
    A keyset page as a list page shows it: its rows, the total counted up to the cap, and its
    number, which its Next and Previous links carry (a cursor knows where a page starts, not
    how many rows come before it). A link without a number shows the page without its range.
    """

    page: KeysetPage[T]
    tally: Tally
    per_page: int
    number: int | None

    def __iter__(self):
        return iter(self.page)

    def __len__(self) -> int:
        return len(self.page)

    @property
    def count(self) -> int:
        return self.tally.count

    @property
    def is_capped(self) -> bool:
        return self.tally.capped

    @property
    def counted_pages(self) -> int:
        return _pages_of(self.tally.count, self.per_page)

    @property
    def start_index(self) -> int | None:
        if self.number is None or not self.page.items:
            return None
        return (self.number - 1) * self.per_page + 1

    @property
    def end_index(self) -> int | None:
        start = self.start_index
        return None if start is None else start + len(self.page) - 1

    @property
    def next_cursor(self) -> str | None:
        return self.page.next_cursor

    @property
    def previous_cursor(self) -> str | None:
        return self.page.previous_cursor

    @property
    def next_number(self) -> int | None:
        return None if self.number is None else self.number + 1

    @property
    def previous_number(self) -> int | None:
        return None if self.number is None or self.number < 2 else self.number - 1


def _pages_of(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


def numbered_page[T: Model](
    queryset: QuerySet[T],
    *,
    per_page: int,
    cursor: str | None,
    number: int | None,
    context: str = "",
) -> tuple[NumberedPage[T], bool]:
    """
    The page a list's link asks for, and whether its cursor was refused (then the first page):
    the one `cursor` points to (`number` is then only what the page calls itself), else page
    `number` of those the count reaches (OFFSET, within the cap: a bookmark), else the first.
    Next and Previous lead on by cursor, past the cap to the last row.
    """
    tally = capped_count(queryset)
    paginator = KeysetPaginator(queryset, per_page=per_page, context=context)
    if cursor:
        try:
            return NumberedPage(paginator.page(cursor), tally, per_page, number), False
        except InvalidCursor:
            return NumberedPage(paginator.page(None), tally, per_page, 1), True
    number = min(number or 1, _pages_of(tally.count, per_page))
    page = paginator.page_at((number - 1) * per_page) if number > 1 else paginator.page(None)
    return NumberedPage(page, tally, per_page, number), False
