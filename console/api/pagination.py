"""The JSON API's paging: the Tokens List's pages and capped count."""

from typing import cast

from django.http import Http404
from rest_framework import exceptions
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from console.pagination import CappedPaginator, InvalidCursor, KeysetPage, KeysetPaginator


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


class CappedPagination(PageNumberPagination):
    """
    `?page=N&per_page=25|…|100`, as on the Tokens List, with its count capped at 5,000 so a
    page costs the same at a thousand tokens and at a million (`count_is_capped` says so).
    """

    django_paginator_class = CappedPaginator
    page_size = 25
    page_size_query_param = "per_page"
    page_size_query_description = "Results per page, 1 to 100 (default 25)."
    max_page_size = 100

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param) or "1"
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError({"page": ["Give a page number: 1, 2, 3, ..."]})
        return int(raw)

    def get_page_size(self, request):
        return results_per_page(
            request, self.page_size_query_param, self.page_size, self.max_page_size
        )

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:  # DRF's answer to an out-of-range page
            raise Http404("That page does not exist.") from None

    def get_paginated_response(self, data):
        assert self.page is not None  # paginate_queryset has run
        paginator = cast(CappedPaginator, self.page.paginator)
        return Response(
            {
                "count": paginator.count,
                "count_is_capped": paginator.is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = "Matches, counted up to 5,000."
        response["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": "True when more than 5,000 match: narrow the filters to see them all.",
        }
        response["required"] = ["count", "count_is_capped", "next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class KeysetPagination(BasePagination):
    """
    `?limit=1..100&cursor=…`: pages that start where the previous one ended, so the millionth
    row costs what the first does and rows added or deleted meanwhile never repeat or skip one.
    The cursor is opaque: take it from `next`. Newest first.
    """

    keys = ["-occurred_at", "-pk"]
    default_limit = 25
    max_limit = 100

    def paginate_queryset(self, queryset, request, view=None):
        per_page = results_per_page(request, "limit", self.default_limit, self.max_limit)
        paginator = KeysetPaginator(queryset, keys=self.keys, per_page=per_page)
        try:
            self.page: KeysetPage = paginator.page(request.query_params.get("cursor"))
        except InvalidCursor:
            raise exceptions.ValidationError(
                {"cursor": ["Give the cursor of a `next` link, unchanged."]}
            ) from None
        self.request = request
        return self.page.items

    def get_paginated_response(self, data):
        next_link = None
        if self.page.next_cursor:
            url = self.request.build_absolute_uri()
            next_link = replace_query_param(url, "cursor", self.page.next_cursor)
        return Response({"has_more": next_link is not None, "next": next_link, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["has_more", "next", "results"],
            "properties": {
                "has_more": {"type": "boolean", "description": "True when `next` has more."},
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page (older events), or null on the last.",
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
                "description": f"Results per page, 1 to {self.max_limit} (default 25).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_limit},
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Where the page starts: the `cursor` of a `next` link.",
                "schema": {"type": "string"},
            },
        ]
