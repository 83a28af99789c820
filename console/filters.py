"""Filter fields the console's lists share (the Tokens List, Activity)."""

from datetime import UTC, datetime, time
from typing import cast

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field


class StartOfDayField(forms.DateField):
    """
    A date, cleaned to the aware start of that day in the console's time zone. A day whose start
    lies outside what a datetime can hold in UTC (0001-01-01 east of UTC) is a field error, not
    an OverflowError when the query is built.
    """

    def clean(self, value):
        day = super().clean(value)
        if day is None:
            return None
        try:
            start = timezone.make_aware(datetime.combine(day, time.min))
            start.astimezone(UTC)
        except OverflowError:
            raise ValidationError(
                "Enter a date between 0001-01-02 and 9999-12-31.", code="out_of_range"
            ) from None
        return start


class StartOfDayFilter(django_filters.DateFilter):
    field_class = StartOfDayField


class UnixTimestampFormField(forms.IntegerField):
    """
    A moment as whole seconds since 1970-01-01 UTC, as every timestamp of the API is. A
    parameter given empty (`?until=`) is refused, not taken as no filter: a script whose
    variable came out empty would otherwise get everything, unfiltered, without a word.
    """

    EARLIEST, LATEST = 0, 253_402_300_799  # 1970-01-01 to 9999-12-31T23:59:59Z
    MESSAGE = f"Give a Unix timestamp in seconds, from {EARLIEST} to {LATEST}."

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", self.EARLIEST)
        kwargs.setdefault("max_value", self.LATEST)
        kwargs.setdefault(
            "error_messages",
            {"invalid": self.MESSAGE, "min_value": self.MESSAGE, "max_value": self.MESSAGE},
        )
        super().__init__(**kwargs)

    def clean(self, value):
        if isinstance(value, str) and not value.strip():
            raise ValidationError(
                f"{self.MESSAGE} Leave the parameter out for no limit.", code="empty"
            )
        seconds = super().clean(value)
        return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


class UnixTimestampFilter(django_filters.Filter):
    field_class = UnixTimestampFormField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In the schema, an integer in range described by this filter's label: an override is
        # the only way to give the type, and one on the class would drop every label.
        schema = {
            "type": "integer",
            "minimum": UnixTimestampFormField.EARLIEST,
            "maximum": UnixTimestampFormField.LATEST,
            "description": self.label,
        }
        extend_schema_field(schema)(self)  # type: ignore[type-var]  # typed for classes only


class RefusesEmptyChoices(forms.Form):
    """
    The API's filter forms: a choice given empty (`?assigned=`) is refused, as an empty moment
    is (UnixTimestampFormField), rather than taken as no filter: a script whose variable came
    out empty would otherwise get everything, unfiltered, without a word. The pages' forms,
    whose menus send "any" as an empty value, do not use it.
    """

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            given = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            if isinstance(field, forms.ChoiceField) and "" in given:
                offered = cast("list[tuple[object, object]]", field.choices)
                choices = ", ".join(f"`{value}`" for value, _ in offered if value != "")
                message = f"Give one of {choices}, or leave the parameter out."
                self.errors.pop(name, None)  # "Select a valid choice" says less
                self.add_error(name, ValidationError(message, code="empty"))
        return cleaned
