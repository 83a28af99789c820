"""
Name search for the type-ahead, fast at a million tokens on SQLite and on PostgreSQL.

The two databases need different indexes (created by migration 0002) and so slightly different
query shapes; this module keeps that difference in one place:

- Prefix matches walk a B-tree in name order and stop at the limit: on SQLite an index on
  `name COLLATE NOCASE` (which `LIKE 'x%'` can use), on PostgreSQL one on
  `UPPER(name) COLLATE "C"` (byte order, so `LIKE 'X%'` can use it too).
- Substring matches use a trigram index (console/text_search.py): FTS5's trigram tokenizer on
  SQLite, pg_trgm's GIN on PostgreSQL. Trigrams need 3 characters: for shorter text, substring
  matches come from the provider's 5,000 most recently created assignable tokens (prefix
  matches still from all).
"""

from django.db import connection
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast, Collate, Lower, Upper

from console.text_search import containing_text

FTS_TABLE = "tokens_token_name_fts"
SHORT_TEXT_SCAN_LIMIT = 5_000


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def name_sort_key():
    """The case-insensitive name order that the name indexes deliver without sorting."""
    if _postgres():
        return Collate(Upper(Cast("name", TextField())), "C")
    return Collate("name", "NOCASE")


def name_order(tokens: QuerySet) -> QuerySet:
    """Assignable tokens in case-insensitive name order, straight from the partial index."""
    key = name_sort_key()
    if _postgres():
        return tokens.order_by(key, "pk")
    # The always-true range lets SQLite pick the NOCASE index, which then also gives the order.
    return tokens.alias(name_key=key).filter(name_key__gte="").order_by(key, "pk")


def starting_with(tokens: QuerySet, text: str) -> QuerySet:
    """Tokens whose name starts with `text`, ignoring case, in name order."""
    if _postgres():
        key = Collate(Upper(Cast("name", TextField())), "C")
        tokens = tokens.alias(name_key=key).filter(name_key__startswith=text.upper())
    else:
        tokens = tokens.filter(name__istartswith=text)
    return name_order(tokens)


def name_contains(tokens: QuerySet, text: str) -> QuerySet:
    """Tokens whose name contains `text`, ignoring case; a trigram index serves 3+ characters."""
    return containing_text(tokens, "name", text, fts_table=FTS_TABLE)


def containing(tokens: QuerySet, text: str) -> QuerySet:
    """Tokens whose name contains `text` (not at the start), ignoring case; in no set order."""
    tokens = tokens.exclude(name__istartswith=text)
    if len(text) < 3:
        # No trigram in the text, so no index can help: look among the most recent tokens only,
        # so that a rare pair of letters does not scan a million rows. A third letter searches all.
        # Lower() rather than icontains, so PostgreSQL does not try its trigram index, which would
        # read every entry for a pattern with no whole trigram.
        recent = tokens.order_by("-created_at").values("pk")[:SHORT_TEXT_SCAN_LIMIT]
        return (
            tokens.alias(name_lower=Lower("name"))
            .filter(pk__in=recent, name_lower__contains=text.lower())
            .order_by()
        )
    return name_contains(tokens, text).order_by()
