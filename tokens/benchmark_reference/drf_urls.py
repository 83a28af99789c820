"""The djangorestframework-api-key reference server's one URL: POST /check, `Api-Key` header."""

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_api_key.permissions import HasAPIKey


class KeyCheckView(APIView):
    """
    Answers only a request whose `Authorization: Api-Key …` is a valid, unrevoked key. The
    benchmark posts the same form as to the others; this view does not read it.
    """

    permission_classes = [HasAPIKey]

    def post(self, request: Request) -> Response:
        return Response({"active": True})


urlpatterns = [path("check", KeyCheckView.as_view())]
