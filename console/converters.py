"""URL path converters for the console's public ids."""

from django.urls import register_converter


class PublicIdConverter:
    """
    A public id such as `tok_4fQ…` (see console.identifiers): letters, digits and underscores.
    Anything else, a NUL byte included, is a 404 from the resolver and never a database query.
    """

    regex = "[0-9A-Za-z_]{1,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    """Make `<public_id:name>` available to every URLconf (called once, when the app loads)."""
    register_converter(PublicIdConverter, "public_id")
