"""
Loading a million rows fast, for the benchmark commands (`benchmark_tokens`, `benchmark_events`):
COPY on PostgreSQL, batched executemany on SQLite, with the table's secondary indexes dropped
during the load and built once after it; then fresh statistics, as autovacuum would keep them.
"""

from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager

from django.db import connection, transaction

# Below this many rows, keeping the indexes costs less than building them again.
LARGE_LOAD = 100_000
SQLITE_BATCH = 20_000


def load_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    large: bool,
    text_indexes: Mapping[str, str] | None = None,
) -> None:
    """
    Insert `rows` (values in `columns`' order, as the database stores them) into `table`, in
    one transaction. A `large` load drops and rebuilds the secondary indexes around it (see
    `indexes_rebuilt_after`, which also says what `text_indexes` is).
    """
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        indexes_rebuilt_after(cursor, table, large=large, text_indexes=text_indexes or {}),
    ):
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        batch: list[Sequence] = []
        for row in rows:
            batch.append(row)
            if len(batch) == SQLITE_BATCH:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


@contextmanager
def indexes_rebuilt_after(cursor, table: str, *, large: bool, text_indexes: Mapping[str, str]):
    """
    The bulk loader's classic trick: drop the table's secondary (non-unique) indexes, load, then
    build them once. Maintaining half a dozen indexes row by row is what makes a million inserts
    slow; unique indexes stay, so the load still checks them.

    On SQLite, `text_indexes` maps each FTS5 table that triggers keep in step with `table` to the
    column it mirrors (`{"tokens_token_name_fts": "name"}`): the triggers are dropped too, and
    the new rows reach those tables in one statement at the end. Without it, triggers stay.
    """
    if not large:
        yield
        return
    indexes, triggers, last_id = _secondary_indexes(cursor, table), [], 0
    if connection.vendor == "sqlite" and text_indexes:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = %s AND type = 'trigger'", [table]
        )
        triggers = cursor.fetchall()
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        last_id = cursor.fetchone()[0]
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    for name, _ in triggers:
        cursor.execute(f'DROP TRIGGER "{name}"')
    if connection.vendor == "sqlite":
        # Room for the unique indexes' pages, which random identifiers touch all over.
        cursor.execute("PRAGMA cache_size = -262144")
    yield
    if connection.vendor == "postgresql":
        # Django's foreign keys are deferred; PostgreSQL builds no index with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for _, definition in [*indexes, *triggers]:
        cursor.execute(definition)
    for fts_table, column in text_indexes.items() if triggers else ():
        cursor.execute(
            f"INSERT INTO {fts_table}(rowid, {column})"  # noqa: S608
            f" SELECT id, {column} FROM {table} WHERE id > %s",
            [last_id],
        )


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """Each non-unique index of `table`: its name and the statement that creates it."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
            " AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
            [table],
        )
    else:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = %s AND type = 'index'"
            " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
            [table],
        )
    return cursor.fetchall()


def refresh_statistics() -> None:
    """Fresh statistics (and, on PostgreSQL, a visibility map), as autovacuum would keep."""
    with connection.cursor() as cursor:
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
