"""Input fields the JSON API's serializers share: strict strings and Unix timestamps."""

from datetime import UTC, datetime

from rest_framework import serializers


class TextField(serializers.CharField):
    """A string, and only a string: `{"name": 5}` is refused rather than quietly made "5"."""

    default_error_messages = {
        "invalid": "Give a string.",
        "null_characters": "Null characters are not allowed.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # Refused here, before a subclass looks the value up (PostgreSQL refuses NUL in text):
        # REST framework's own check runs only after to_internal_value.
        if "\x00" in data:
            self.fail("null_characters")
        return super().to_internal_value(data)


class UnixTimestampField(serializers.IntegerField):
    """A moment as whole seconds since 1970-01-01 UTC, as the product docs' tables give it."""

    EARLIEST, LATEST = 0, 253_402_300_799  # 1970-01-01 to 9999-12-31T23:59:59Z

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Bounds checked here on the integer (the validators would see the datetime); the
        # attributes put them in the schema.
        self.min_value, self.max_value = self.EARLIEST, self.LATEST

    def to_internal_value(self, data):
        seconds = super().to_internal_value(data)
        if not self.EARLIEST <= seconds <= self.LATEST:
            raise serializers.ValidationError(
                "Give a Unix timestamp in seconds, from 0 to 253402300799."
            )
        return datetime.fromtimestamp(seconds, tz=UTC)

    def to_representation(self, value):
        return int(value.timestamp())
