"""
The JSON API's paging: every list by cursor (`limit`, `cursor`, `next`, `has_more`), with a
count on request, capped at 5,000.
"""

from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from console.pagination import (
    COUNT_CAP,
    InvalidCursor,
    KeysetPage,
    KeysetPaginator,
    capped_count,
    list_context,
)

# Paging's own parameters: every other one (a filter, the sort) shapes the list a cursor is for.
PAGING_PARAMETERS = {"cursor", "limit", "count"}
# Page numbers stopped at the count's cap and repeated or skipped rows as tokens came and went.
RETIRED_PARAMETERS = {
    "page": "Lists page by cursor now: follow `next` (the first page needs no cursor).",
    "per_page": "Give `limit` instead: results per page, 1 to 100.",
}


def results_per_page(request, parameter: str, default: int, most: int) -> int:
    """The number of results a page should hold, from `parameter`: 1 to `most`, or 400."""
    raw = request.query_params.get(parameter)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise exceptions.ValidationError(
            {parameter: [f"Give a number of results per page from 1 to {most}."]}
        )
    return int(raw)


def wants_count(request) -> bool:
    """`count=true` asks for the count; `false`, or none, does not; anything else is 400."""
    raw = request.query_params.get("count", "false").lower()
    if raw not in {"true", "false"}:
        raise exceptions.ValidationError({"count": ["Give `true` or `false`."]})
    return raw == "true"


class CursorPagination(BasePagination):
    """
    `?limit=1..100&cursor=…`: pages that start where the previous one ended, so the millionth
    row costs what the first does and rows added or deleted meanwhile never repeat or skip one.
    The cursor is opaque: take it from `next`. The order is the list's own (a list's `sort`);
    `count=true` adds the number of matches, counted up to 5,000.
    """

    keys: list[str] | None = None  # the queryset's own order
    default_limit = 25
    max_limit = 100
    item_description = "results"

    def paginate_queryset(self, queryset, request, view=None):
        for name, message in RETIRED_PARAMETERS.items():
            if name in request.query_params:
                raise exceptions.ValidationError({name: [message]})
        per_page = results_per_page(request, "limit", self.default_limit, self.max_limit)
        self.tally = capped_count(queryset) if wants_count(request) else None
        paginator = KeysetPaginator(
            queryset,
            keys=self.keys,
            per_page=per_page,
            context=list_context(request.query_params, paging=PAGING_PARAMETERS),
        )
        try:
            self.page: KeysetPage = paginator.page(request.query_params.get("cursor"))
        except InvalidCursor:
            raise exceptions.ValidationError(
                {
                    "cursor": [
                        "Give the cursor of a `next` link, unchanged, with the same filters "
                        "and sort."
                    ]
                }
            ) from None
        self.request = request
        return self.page.items

    def get_paginated_response(self, data):
        next_link = None
        if self.page.next_cursor:
            url = self.request.build_absolute_uri()
            next_link = replace_query_param(url, "cursor", self.page.next_cursor)
        body: dict[str, object] = {"has_more": next_link is not None, "next": next_link}
        if self.tally is not None:
            body |= {"count": self.tally.count, "count_is_capped": self.tally.capped}
        return Response({**body, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["has_more", "next", "results"],
            "properties": {
                "has_more": {
                    "type": "boolean",
                    "description": "True when `next` has more.",
                    "example": True,
                },
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": f"The next page (further {self.item_description}), or null "
                    "on the last: the same address with its `cursor`.",
                    "example": "https://console.example.com/api/v1/tokens?cursor=WyJuZXh0Ij…",
                },
                "count": {
                    "type": "integer",
                    "description": f"With `count=true`: matches, counted up to {COUNT_CAP:,}.",
                    "example": 42,
                },
                "count_is_capped": {
                    "type": "boolean",
                    "description": f"With `count=true`: true when more than {COUNT_CAP:,} "
                    "match (`count` then says 5,000; `next` still reaches every one).",
                    "example": False,
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": f"Results per page, 1 to {self.max_limit} (default "
                f"{self.default_limit}).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_limit,
                    "default": self.default_limit,
                },
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Where the page starts: the `cursor` of a `next` link, with the "
                "same filters and sort (else 400). Omit it for the first page.",
                "schema": {"type": "string"},
            },
            {
                "name": "count",
                "in": "query",
                "required": False,
                "description": f"`true` adds `count` and `count_is_capped`: matches, counted "
                f"up to {COUNT_CAP:,}.",
                "schema": {"type": "boolean", "default": False},
            },
        ]


class NewestFirstPagination(CursorPagination):
    """Events, newest first (a union of lists has no order of its own to read)."""

    keys = ["-occurred_at", "-pk"]
    item_description = "older events"
