"""Filter fields the console's lists share (the Tokens List, Activity)."""

from datetime import UTC, datetime, time

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
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
    """A moment as whole seconds since 1970-01-01 UTC, as every timestamp of the API is."""

    EARLIEST, LATEST = 0, 253_402_300_799  # 1970-01-01 to 9999-12-31T23:59:59Z

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", self.EARLIEST)
        kwargs.setdefault("max_value", self.LATEST)
        super().__init__(**kwargs)

    def clean(self, value):
        seconds = super().clean(value)
        return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


@extend_schema_field(OpenApiTypes.INT)
class UnixTimestampFilter(django_filters.Filter):
    field_class = UnixTimestampFormField
