"""A database that hangs gives up after seconds, not after holding every worker indefinitely."""

import pytest
from django.db import connection

from tests.test_settings import manage

PRINT_OPTIONS = (
    "from django.db import connection as c; print(sorted(c.settings_dict['OPTIONS'].items()))"
)


def test_postgresql_connections_get_a_connect_and_a_statement_timeout():
    result = manage(
        "shell",
        "-c",
        PRINT_OPTIONS,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/console_never_connected_h1",
        DATABASE_CONNECT_TIMEOUT="3",
        DATABASE_STATEMENT_TIMEOUT="7",
    )

    assert result.stdout.splitlines()[-1] == (
        "[('connect_timeout', 3), ('options', '-c statement_timeout=7000'), "
        "('prepare_threshold', 2147483647)]"
    ), result.stderr


def test_the_timeouts_default_to_seconds_not_forever():
    postgres = manage(
        "shell", "-c", PRINT_OPTIONS, DATABASE_URL="postgres://postgres@127.0.0.1/x_h1"
    )
    sqlite = manage("shell", "-c", PRINT_OPTIONS, DATABASE_URL="sqlite:////tmp/unused_h1.sqlite3")

    assert postgres.stdout.splitlines()[-1] == (
        "[('connect_timeout', 5), ('options', '-c statement_timeout=10000'), "
        "('prepare_threshold', 2147483647)]"
    ), postgres.stderr
    assert sqlite.stdout.splitlines()[-1] == "[('timeout', 5)]", sqlite.stderr


def test_sqlite_waits_a_busy_timeout_for_a_lock():
    result = manage(
        "shell",
        "-c",
        PRINT_OPTIONS,
        DATABASE_URL="sqlite:////tmp/unused_h1.sqlite3",
        DATABASE_BUSY_TIMEOUT="2",
    )

    assert result.stdout.splitlines()[-1] == "[('timeout', 2)]", result.stderr


def test_options_in_database_url_win_over_the_defaults():
    result = manage(
        "shell",
        "-c",
        PRINT_OPTIONS,
        DATABASE_URL="postgres://postgres@127.0.0.1/x_h1?connect_timeout=1&sslmode=disable",
    )

    assert "('connect_timeout', 1)" in result.stdout, result.stderr
    assert "('sslmode', 'disable')" in result.stdout


@pytest.mark.django_db
def test_postgresql_cancels_a_statement_after_the_statement_timeout():
    if connection.vendor != "postgresql":
        pytest.skip("A statement timeout is PostgreSQL's (SQLite has a busy timeout instead).")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "10s"


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    result = manage(
        "shell",
        "-c",
        PRINT_OPTIONS,
        DATABASE_URL="postgres://postgres@127.0.0.1/x_h1",
        GATEWAY_PREPARED_STATEMENTS="false",
    )

    assert "prepare_threshold" not in result.stdout.splitlines()[-1], result.stderr
