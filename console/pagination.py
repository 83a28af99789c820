"""Pages whose count stays cheap however many rows match."""

from dataclasses import dataclass
from functools import cached_property
from typing import cast

from django.core.paginator import Paginator
from django.db.models import IntegerField, QuerySet, Subquery

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
