"""
What providers type: names (trimmed, bounded, printable, unique per owner) and notes.

Models, tokens and license keys share these rules, so a name is refused for the same reasons,
with the same words, wherever it is typed: a page, the API or the admin.
"""

import unicodedata
from collections.abc import Collection

from django.db.models import QuerySet

from console.errors import Conflict, DomainError

LONG_TEXT_MAX_LENGTH = 2_000
# Control characters (Cc), format characters (Cf: bidirectional overrides and isolates,
# zero-width spaces and joiners, soft hyphens), line and paragraph separators, and lone
# surrogates: invisible or reordering in a name, they let two different names look alike.
_FORBIDDEN_IN_NAMES = {"Cc", "Cf", "Zl", "Zp", "Cs"}
_ALLOWED_CONTROLS_IN_TEXT = {"\n", "\r", "\t"}


def duplicate_name(noun: str, name: str) -> Conflict:
    """The error for a name the owner already uses (found by the check, or by the database)."""
    return Conflict(
        f"You already have a {noun} named “{name}”. Choose another name.",
        field="name",
        code="duplicate",
    )


def _first_forbidden(
    text: str, categories: Collection[str], allowed: Collection[str] = ()
) -> tuple[int, str] | None:
    for position, char in enumerate(text, start=1):
        if char not in allowed and unicodedata.category(char) in categories:
            return position, char
    return None


def clean_name(name: str, *, max_length: int, noun: str) -> str:
    """`name` trimmed, or DomainError on the `name` field: empty, too long, or unprintable."""
    name = (name or "").strip()
    if not name:
        raise DomainError(f"Enter a name for the {noun}.", field="name", code="required")
    if len(name) > max_length:
        raise DomainError(
            f"Names can be at most {max_length} characters (this one has {len(name)}).",
            field="name",
            code="max_length",
        )
    found = _first_forbidden(name, _FORBIDDEN_IN_NAMES)
    if found:
        position, char = found
        raise DomainError(
            "Names cannot contain control characters, direction overrides or invisible "
            f"characters (U+{ord(char):04X} at position {position}).",
            field="name",
            code="unprintable",
        )
    return name


def clean_unique_name(
    name: str, *, siblings: QuerySet, max_length: int, noun: str, exclude_pk: int | None = None
) -> str:
    """
    Return `name` cleaned (see `clean_name`), or raise on the `name` field.

    `siblings` are the owner's objects of the same kind; names compare without regard to case,
    as the database's unique constraint on Lower(name) does.
    """
    name = clean_name(name, max_length=max_length, noun=noun)
    clashes = siblings.filter(name__iexact=name)
    if exclude_pk is not None:
        clashes = clashes.exclude(pk=exclude_pk)
    if clashes.exists():
        raise duplicate_name(noun, name)
    return name


def clean_long_text(text: str | None, *, field: str, label: str) -> str:
    """A note or a description: trimmed, at most 2,000 characters, no control characters."""
    text = (text or "").strip()
    if len(text) > LONG_TEXT_MAX_LENGTH:
        raise DomainError(
            f"{label} can be at most {LONG_TEXT_MAX_LENGTH:,} characters "
            f"(this one has {len(text):,}).",
            field=field,
            code="max_length",
        )
    found = _first_forbidden(text, {"Cc"}, _ALLOWED_CONTROLS_IN_TEXT)
    if found:
        position, char = found
        raise DomainError(
            f"{label} cannot contain control characters (U+{ord(char):04X} at position "
            f"{position}).",
            field=field,
            code="unprintable",
        )
    return text
