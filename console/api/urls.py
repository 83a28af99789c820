"""The JSON API, under /api/v1/: what the console's pages do, for scripts and query gateways."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import SimpleRouter

from console.api.views import client_download
from console.audit.api import EventListView
from models_registry.api import ModelViewSet
from tokens import gateway
from tokens.api import IntrospectView, OwnTokenView, TokenViewSet, documented

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("models", ModelViewSet, basename="model")
router.register("tokens", TokenViewSet, basename="token")

urlpatterns = [
    # Answered by tokens.gateway's middleware before the URLconf; routed here for reverse() and
    # the schema.
    path("introspect", documented(gateway.introspect, IntrospectView), name="introspect"),
    path("token", documented(gateway.own_token, OwnTokenView), name="own_token"),
    path("events", EventListView.as_view(), name="events"),
    path("schema", SpectacularJSONAPIView.as_view(), name="schema"),
    # The Python client, for the API docs page's link: a plain view, so not in the schema.
    path("client.py", client_download, name="client"),
    *router.urls,
]
