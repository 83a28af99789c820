"""The JSON API, under /api/v1/: what the console's pages do, for scripts and query gateways."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import SimpleRouter

from console.audit.api import EventListView
from models_registry.api import ModelViewSet
from tokens.api import IntrospectView, OwnTokenView, TokenViewSet

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("models", ModelViewSet, basename="model")
router.register("tokens", TokenViewSet, basename="token")

urlpatterns = [
    path("introspect", IntrospectView.as_view(), name="introspect"),
    path("token", OwnTokenView.as_view(), name="own_token"),
    path("events", EventListView.as_view(), name="events"),
    path("schema", SpectacularJSONAPIView.as_view(), name="schema"),
    *router.urls,
]
