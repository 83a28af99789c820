"""WSGI entry point of the reference servers: `gunicorn tokens.benchmark_reference.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokens.benchmark_reference.settings")

application = get_wsgi_application()
