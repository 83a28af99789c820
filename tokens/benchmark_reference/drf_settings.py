"""
The djangorestframework-api-key reference server: REST framework and the API key app, one view.

Same database, no middleware, as the bare reference (`settings`); REST framework without
authentication classes, so `HasAPIKey` is the only check, as its documentation shows.
"""

from tokens.benchmark_reference.settings import *  # noqa: F403

INSTALLED_APPS = ["rest_framework", "rest_framework_api_key"]
ROOT_URLCONF = "tokens.benchmark_reference.drf_urls"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.FormParser"],
}
