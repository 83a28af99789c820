"""
"Name contains" searches, ignoring case, served by a trigram index on SQLite and PostgreSQL: the
Tokens List's name filter and type-ahead (tokens/search.py), Activity's target name filter.

Each column searched this way gets its index by migration, per database:

- PostgreSQL: pg_trgm's GIN index on `UPPER(column::text)`, which serves `icontains` as Django
  writes it (`UPPER(col::text) LIKE UPPER(%s)`): the query needs nothing special.
- SQLite: an FTS5 table with the trigram tokenizer, named after the column it mirrors and kept in
  step by triggers; the query must name it, so it asks that table for the matching rowids.

Trigrams need 3 characters: shorter text, or text with LIKE's wildcards (which FTS5 would treat
as wildcards), gets the plain scan.
"""

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

COMMON_TEXT_MATCHES = 2_000


def _common_in_fts(fts_table: str, column: str, text: str) -> bool:
    """Whether many rows (of all providers) contain `text`: then scanning in order is cheaper."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {fts_table} WHERE {column} LIKE %s LIMIT %s)",  # noqa: S608
            [f"%{text}%", COMMON_TEXT_MATCHES],
        )
        return cursor.fetchone()[0] >= COMMON_TEXT_MATCHES


def containing_text[R: QuerySet](rows: R, field: str, text: str, *, fts_table: str) -> R:
    """
    `rows` whose `field` contains `text`, ignoring case; a trigram index serves 3+ characters.
    On SQLite, `fts_table` is the FTS5 trigram table that mirrors `field`'s column (same name).
    """
    plain = rows.filter(**{f"{field}__icontains": text})
    if len(text) < 3 or connection.vendor == "postgresql" or any(c in text for c in "%_\\"):
        return plain
    if _common_in_fts(fts_table, field, text):
        # The trigram table spans every provider: walking thousands of other providers' matches
        # costs more than scanning this provider's rows in page order until a page is full.
        return plain
    # Few matches (the check above), so collecting them first is cheap and needs no join order.
    # FTS5 ignores ESCAPE (and would then scan), so text with LIKE wildcards took the path above.
    matching = RawSQL(f"SELECT rowid FROM {fts_table} WHERE {field} LIKE %s", [f"%{text}%"])  # noqa: S608, S611
    return rows.filter(pk__in=matching)
