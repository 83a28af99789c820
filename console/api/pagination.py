"""The JSON API's paging: the Tokens List's pages and capped count."""

from typing import cast

from django.http import Http404
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from console.pagination import CappedPaginator


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
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"per_page": [f"Give a number of results per page from 1 to {self.max_page_size}."]}
            )
        return int(raw)

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
