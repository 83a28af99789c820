"""The Tokens List's filters and sorting, shared with the API (one FilterSet, one behaviour)."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import F
from django.utils import timezone

from console.filters import RefusesEmptyChoices, StartOfDayFilter, UnixTimestampFilter
from models_registry.selectors import models_for
from tokens import search
from tokens.models import Token, TokenStatus

SORTS = {
    "name": "Name",
    "model": "Model",
    "status": "Status",
    "expires": "Expiration",
    "created": "Created",
    "last_used": "Last used",
}
# What each sort is called where it is read out (the table's caption).
SORT_DESCRIPTIONS = {
    "name": "name, A to Z",
    "-name": "name, Z to A",
    "model": "model, A to Z",
    "-model": "model, Z to A",
    "status": "status",
    "-status": "status, reversed",
    "expires": "expiration date, soonest first",
    "-expires": "expiration date, latest first",
    "created": "creation date, oldest first",
    "-created": "creation date, newest first",
    "last_used": "last use, unused the longest first",
    "-last_used": "last use, most recent first",
}
# "Not used for 30 days": last used before then, or never.
UNUSED_DAYS = 30


class TokenOrderingFilter(django_filters.OrderingFilter):
    """Sort by one column, ascending or (with a leading '-') descending; ties by newest."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        key = param.lstrip("-")
        if key == "name":
            ordering = search.name_sort_key()
        elif key == "model":
            ordering = F("model_name")
        elif key == "last_used":
            # Never used first, then the longest unused; descending, the most recent first and
            # never used last: its index's order on either database (migration 0009).
            used = F("last_used_at")
            return used.desc(nulls_last=True) if descending else used.asc(nulls_first=True)
        else:
            ordering = F(
                {"status": "status", "expires": "expires_at", "created": "created_at"}[key]
            )
        # Plain ASC/DESC (no NULLS LAST): the indexes can deliver exactly these orders.
        return ordering.desc() if descending else ordering.asc()

    def filter(self, qs, value):
        if not value:
            return qs
        # Ascending, ties newest first, the order the sort indexes keep within a key; each
        # descending sort is exactly its reverse (ties oldest first), so that either is its
        # index walked one way or the other and a page stops at its end, however deep
        # (newest-first ties would sort a whole run of equal keys, such as every never-used or
        # every active token, before a page). Created is its own tie, broken by the id.
        descending = value[0].startswith("-")
        ordering = self.get_ordering_value(value[0])
        if value[0].lstrip("-") == "created":
            return qs.order_by(ordering, "-pk" if descending else "pk")
        ties = ("created_at", "pk") if descending else ("-created_at", "-pk")
        return qs.order_by(ordering, *ties)


class TokenFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label="Name contains", method="filter_name")
    status = django_filters.MultipleChoiceFilter(
        label="Status", choices=TokenStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    model = django_filters.ModelChoiceFilter(
        label="Model",
        # django-filter calls this with the request (its stubs only know a queryset here).
        queryset=lambda request: models_for(request.provider),  # type: ignore[arg-type]
        to_field_name="model_id",
        empty_label="Any model",
    )
    assigned = django_filters.ChoiceFilter(
        label="Assignment",
        choices=[("yes", "Assigned"), ("no", "Unassigned")],
        empty_label="Assigned or not",
        method="filter_assigned",
    )
    expired = django_filters.ChoiceFilter(
        label="Expiry",
        choices=[("no", "Not expired"), ("yes", "Expired")],
        empty_label="Expired or not",
        method="filter_expired",
    )
    used = django_filters.ChoiceFilter(
        label="Usage",
        choices=[
            ("not_for_30_days", f"Not used for {UNUSED_DAYS} days"),
            ("never", "Never used"),
        ],
        empty_label="Used or not",
        method="filter_used",
    )
    expires_after = StartOfDayFilter(
        label="Expiring on or after",
        method="filter_expires_after",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    expires_before = StartOfDayFilter(
        label="Expiring before",
        method="filter_expires_before",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = TokenOrderingFilter(
        label="Sort by",
        fields={key: key for key in SORTS},
        field_labels={**SORTS},
    )

    class Meta:
        model = Token
        fields: list[str] = []

    def filter_name(self, queryset, name, value):
        text = value.strip()
        return search.name_contains(queryset, text) if text else queryset

    def filter_assigned(self, queryset, name, value):
        return queryset.unassigned() if value == "no" else queryset.assigned()

    def filter_expired(self, queryset, name, value):
        return queryset.expired() if value == "yes" else queryset.unexpired()

    def filter_used(self, queryset, name, value):
        if value == "never":
            return queryset.filter(last_used_at__isnull=True)
        return queryset.unused_since(timezone.now() - timedelta(days=UNUSED_DAYS))

    # Dates are whole days in the console's time zone, compared as a range (index-friendly):
    # each value is already the start of its day (StartOfDayField).
    def filter_expires_after(self, queryset, name, value):
        return queryset.filter(expires_at__gte=value)

    def filter_expires_before(self, queryset, name, value):
        return queryset.filter(expires_at__lt=value)

    @property
    def effective_sort(self) -> str:
        """The sort in force: the one asked for, else soonest expiry when filtering by expiry
        dates (which the expiry index serves for filter and order at once), else the longest
        unused first when filtering by use (likewise its index), else newest."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        asked = self.data.get("sort") if self.is_bound and self.data is not None else None
        if asked and not self.form.errors.get("sort"):
            return str(asked)
        if data.get("expires_before") or data.get("expires_after"):
            return "expires"
        if data.get("used"):
            return "last_used"
        return "-created"

    @property
    def qs(self):
        queryset = super().qs
        if not queryset.query.order_by:
            sort = self.filters["sort"]
            queryset = sort.filter(queryset, [self.effective_sort])
        return queryset


class ApiTokenFilter(TokenFilter):
    """
    The Tokens List's filters for the JSON API: moments in Unix seconds, as every timestamp of
    the API is (the page keeps its date pickers), and a model by its `model_id`, any text: an id
    that is none of the provider's models matches no token.
    """

    model = django_filters.CharFilter(  # type: ignore[assignment]
        label="A `model_id`: that model's tokens (none for an id that is not one of yours).",
        field_name="model__model_id",
    )
    expires_after = UnixTimestampFilter(  # type: ignore[assignment]
        label="Expiring at or after this moment (Unix seconds).",
        method="filter_expires_after",
    )
    expires_before = UnixTimestampFilter(  # type: ignore[assignment]
        label="Expiring before this moment (Unix seconds).", method="filter_expires_before"
    )
    created_after = UnixTimestampFilter(
        label="Created at or after this moment (Unix seconds).", method="filter_created_after"
    )
    created_before = UnixTimestampFilter(
        label="Created before this moment (Unix seconds).", method="filter_created_before"
    )

    class Meta(TokenFilter.Meta):
        form = RefusesEmptyChoices

    def filter_created_after(self, queryset, name, value):
        return queryset.filter(created_at__gte=value)

    def filter_created_before(self, queryset, name, value):
        return queryset.filter(created_at__lt=value)
