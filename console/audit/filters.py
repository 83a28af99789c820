"""Activity's filters, shared by the page, its CSV export and the API (one FilterSet)."""

import re
from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from console.audit.models import TARGET_NAME_FTS_TABLE, Action, Event, EventQuerySet
from console.filters import StartOfDayFilter
from console.text_search import containing_text

# What an actor reference looks like (console.audit.actors): anything else is refused.
ACTOR_REF = re.compile(r"user:[0-9]{1,19}|key:[0-9A-Za-z_]{1,32}|system|anonymous")
MIN_TARGET_TEXT = 3


class ActorField(forms.CharField):
    """An actor reference such as `user:12` or `key:lic_…`, from the actor menu or a link."""

    def clean(self, value):
        value = super().clean(value)
        if value and not ACTOR_REF.fullmatch(value):
            raise ValidationError("Choose someone from the list.", code="invalid_actor")
        return value


class TargetNameField(forms.CharField):
    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if value and len(value) < MIN_TARGET_TEXT:
            raise ValidationError(
                f"Type at least {MIN_TARGET_TEXT} characters of the name.", code="too_short"
            )
        return value


class ActorFilter(django_filters.CharFilter):
    field_class = ActorField


class TargetNameFilter(django_filters.CharFilter):
    field_class = TargetNameField


class EventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "Choose a To date on or after the From date.")
        return cleaned


class EventFilter(django_filters.FilterSet):
    actor = ActorFilter(label="Who", field_name="actor_ref")
    action = django_filters.ChoiceFilter(
        label="Action", choices=Action.choices, empty_label="Any action"
    )
    target = TargetNameFilter(label="Name contains", method="filter_target")
    since = StartOfDayFilter(
        label="From",
        method="filter_since",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = StartOfDayFilter(
        label="To",
        method="filter_until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Event
        fields: list[str] = []
        form = EventFilterForm

    def filter_target(self, queryset: EventQuerySet, name: str, value: str) -> EventQuerySet:
        if not value:
            return queryset
        return containing_text(queryset, "target_name", value, fts_table=TARGET_NAME_FTS_TABLE)

    # Whole days in the console's time zone: From its start, To the end of its day.
    def filter_since(self, queryset: EventQuerySet, name: str, value) -> EventQuerySet:
        return queryset.filter(occurred_at__gte=value)

    def filter_until(self, queryset: EventQuerySet, name: str, value) -> EventQuerySet:
        try:
            return queryset.filter(occurred_at__lt=value + timedelta(days=1))
        except OverflowError:  # To 9999-12-31: no day after it, so no bound
            return queryset
