"""WSGI entry point: `gunicorn console.wsgi`."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

# What get_wsgi_application() does, with Django's handler taught the gateway's quick check.
django.setup(set_prefix=False)

from tokens.gateway import GatewayWSGIHandler  # noqa: E402 - needs the apps loaded

application = GatewayWSGIHandler()
