"""Settings come from the environment, with safe defaults, and production checks out clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7!k2#production-secret-key-that-is-long-and-random-enough-9f8e7d6c5b4a",
    "TOKEN_DIGEST_KEY": "production-token-digest-key-of-at-least-32-characters",
    "ALLOWED_HOSTS": "console.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://console.example.com",
}


def manage(*args, **env):
    """Run manage.py in a fresh process with exactly this environment on top of a clean one."""
    inherited = {*PRODUCTION, "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args, *(["--no-imports"] if args[0] == "shell" else [])],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_reports_a_token_digest_key_shorter_than_32_characters():
    result = manage(
        "check", "--deploy", **{**PRODUCTION, "TOKEN_DIGEST_KEY": "only-31-characters-long-key-xyz"}
    )

    assert result.returncode != 0
    assert "console.E001" in result.stderr
    assert "TOKEN_DIGEST_KEY has fewer than 32 characters." in result.stderr


def test_the_digest_key_length_is_checked_only_for_deployment():
    result = manage("check", **{**PRODUCTION, "TOKEN_DIGEST_KEY": "short-digest-key"})

    assert result.returncode == 0, result.stderr


def test_production_refuses_the_development_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    missing = manage("check", **env)

    assert result.returncode != 0
    assert missing.returncode != 0
    assert "Set SECRET_KEY when DEBUG is off." in missing.stderr


def test_production_refuses_the_development_token_digest_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "TOKEN_DIGEST_KEY"}

    result = manage("check", **env)

    assert result.returncode != 0
    assert "Set TOKEN_DIGEST_KEY when DEBUG is off." in result.stderr


def test_a_bad_boolean_or_integer_fails_fast_with_its_name():
    boolean = manage("check", DEBUG="maybe")
    integer = manage("check", TOKEN_MAX_LIFETIME_DAYS="a year")

    assert "DEBUG must be true or false" in boolean.stderr
    assert "TOKEN_MAX_LIFETIME_DAYS must be an integer" in integer.stderr


def test_database_url_selects_the_database(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.db import connection as c; print(c.vendor, c.settings_dict['NAME'])",
        DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3",
    )

    assert result.stdout.splitlines()[-1] == f"sqlite {tmp_path}/other.sqlite3"


def test_token_lifetimes_come_from_the_environment():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.TOKEN_DEFAULT_LIFETIME_DAYS, settings.TOKEN_MAX_LIFETIME_DAYS)",
        TOKEN_DEFAULT_LIFETIME_DAYS="7",
        TOKEN_MAX_LIFETIME_DAYS="90",
    )

    assert result.stdout.split()[-2:] == ["7", "90"]


def test_a_short_digest_key_is_not_reported_in_development(settings):
    from console.checks import check_token_digest_key_length

    settings.DEBUG = True
    settings.TOKEN_DIGEST_KEY = "short"

    assert check_token_digest_key_length(None) == []
