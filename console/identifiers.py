"""Opaque, non-sequential identifiers for URLs and the API, and the base62 alphabet they use."""

import secrets

BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PUBLIC_ID_RANDOM_CHARS = 20  # about 119 bits: unguessable, and never reveals a row count


def base62(number: int, width: int) -> str:
    """Encode a non-negative integer in exactly `width` base62 characters, left-padded with 0."""
    chars = []
    while number:
        number, remainder = divmod(number, 62)
        chars.append(BASE62_ALPHABET[remainder])
    encoded = "".join(reversed(chars)).rjust(width, "0")
    if len(encoded) != width:
        raise ValueError(f"{number} does not fit in {width} base62 characters")
    return encoded


def random_base62(length: int) -> str:
    """`length` characters drawn uniformly from the base62 alphabet by the `secrets` module."""
    return "".join(secrets.choice(BASE62_ALPHABET) for _ in range(length))


def new_public_id(prefix: str) -> str:
    """A fresh public id such as `mdl_4fQ...`: the prefix says what kind of object it names."""
    return f"{prefix}_{random_base62(PUBLIC_ID_RANDOM_CHARS)}"
