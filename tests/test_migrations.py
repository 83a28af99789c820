"""Database objects written in SQL survive later migrations (SQLite rebuilds tables)."""

from django.db import connection


def database_objects():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tokens_token'")
        return {row[0] for row in cursor.fetchall()}


def test_search_and_sort_indexes_exist_after_all_migrations(db):
    expected = {"token_assignable_name_idx", "token_provider_name_idx"}
    if connection.vendor == "sqlite":
        expected |= {
            "tokens_token_fts_insert",
            "tokens_token_fts_delete",
            "tokens_token_fts_update",
        }
    else:
        expected |= {"token_name_trgm"}

    assert expected <= database_objects()
