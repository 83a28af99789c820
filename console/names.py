"""The naming rule that models and tokens share: trimmed, non-empty, bounded, unique per owner."""

from django.db.models import QuerySet

from console.errors import DomainError


def duplicate_name(noun: str, name: str) -> DomainError:
    """The error for a name the owner already uses (found by the check, or by the database)."""
    return DomainError(
        f"You already have a {noun} named “{name}”. Choose another name.",
        field="name",
        code="duplicate",
    )


def clean_unique_name(
    name: str, *, siblings: QuerySet, max_length: int, noun: str, exclude_pk: int | None = None
) -> str:
    """
    Return `name` trimmed, or raise DomainError on the `name` field.

    `siblings` are the owner's objects of the same kind; names compare without regard to case,
    as the database's unique constraint on Lower(name) does.
    """
    name = (name or "").strip()
    if not name:
        raise DomainError(f"Enter a name for the {noun}.", field="name", code="required")
    if len(name) > max_length:
        raise DomainError(
            f"Names can be at most {max_length} characters (this one has {len(name)}).",
            field="name",
            code="max_length",
        )
    clashes = siblings.filter(name__iexact=name)
    if exclude_pk is not None:
        clashes = clashes.exclude(pk=exclude_pk)
    if clashes.exists():
        raise duplicate_name(noun, name)
    return name
