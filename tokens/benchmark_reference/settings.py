"""
The bare reference server: Django with no middleware and no installed apps, one view.

The same database as the console's (DATABASE_URL, read by dj_database_url, with the same
persistent connections, DATABASE_CONN_MAX_AGE) but without the console's health checks, and the
same TOKEN_DIGEST_KEY, so it finds the tokens the console made.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False
# Never signs anything (no sessions, no messages): only here because Django insists on one.
SECRET_KEY = os.environ.get("SECRET_KEY") or "benchmark-reference-only-" + "x" * 40
TOKEN_DIGEST_KEY = os.environ.get("TOKEN_DIGEST_KEY", "dev-only-token-digest-key")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "tokens.benchmark_reference.urls"
WSGI_APPLICATION = "tokens.benchmark_reference.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=False,
    )
}
USE_TZ = True
TIME_ZONE = "UTC"
