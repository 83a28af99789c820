"""The JSON API's events endpoint: Activity's events and filters, for scripts and SIEMs."""

from datetime import datetime

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers

from console.api.authentication import key_provider
from console.api.errors import error_responses
from console.api.fields import UnixTimestampField
from console.api.pagination import NewestFirstPagination
from console.audit.filters import EventFilter, EventFilterForm
from console.audit.models import MOMENT_FIELDS, Event
from console.audit.selectors import events_for
from console.filters import RefusesEmptyChoices, UnixTimestampFilter


def _api_value(field: str, value):
    """Moments (an expiration) as Unix seconds, as every timestamp of the API is."""
    if field in MOMENT_FIELDS and isinstance(value, str):
        return int(datetime.fromisoformat(value).timestamp())
    return value


class EventSerializer(serializers.ModelSerializer):
    """One change in your provider: who made it, from where, on what, and what changed."""

    occurred_at = UnixTimestampField(help_text="When, in Unix seconds.")
    changes = serializers.SerializerMethodField(
        help_text='Each changed field\'s values, `{"field": [before, after]}`; null where there '
        "was none (a creation, a removal). Moments are Unix seconds. Never a secret."
    )

    class Meta:
        model = Event
        fields = [
            "event_id",
            "occurred_at",
            "action",
            "actor_kind",
            "actor_ref",
            "actor_name",
            "source",
            "ip",
            "request_id",
            "target_kind",
            "target_id",
            "target_name",
            "related_id",
            "changes",
        ]
        read_only_fields = fields

    def get_changes(self, event: Event) -> dict[str, list]:
        return {
            field: [_api_value(field, before), _api_value(field, after)]
            for field, (before, after) in event.changes.items()
        }


class ApiEventFilterForm(RefusesEmptyChoices, EventFilterForm):
    pass


class ApiEventFilter(EventFilter):
    """Activity's filters, with moments in Unix seconds as everywhere in the API."""

    class Meta(EventFilter.Meta):
        form = ApiEventFilterForm

    since = UnixTimestampFilter(  # type: ignore[assignment]
        label="Events at or after this moment (Unix seconds).", method="filter_since"
    )
    until = UnixTimestampFilter(  # type: ignore[assignment]
        label="Events at or before this moment (Unix seconds).", method="filter_until_moment"
    )

    def filter_until_moment(self, queryset, name, value):
        return queryset.filter(occurred_at__lte=value)


EVENT = {
    "event_id": "evt_OVQE9I39dAKuGQBjnMdo",
    "occurred_at": 1796103346,
    "action": "token.cancelled",
    "actor_kind": "license_key",
    "actor_ref": "key:lic_bJ34TmjuK5KvFc07gkmQ",
    "actor_name": "scripts",
    "source": "api",
    "ip": "203.0.113.7",
    "request_id": "d04215fb1d8743b1aa9d2d7f0d8b3cf1",
    "target_kind": "token",
    "target_id": "tok_4fQm2ZpR8sLx0bN7cVhK",
    "target_name": "alice-laptop",
    "related_id": "mdl_9aTk3WvQ1eYs6uJm2PdL",
    "changes": {"status": ["ACTIVE", "CANCELED"]},
}


@extend_schema_view(
    get=extend_schema(
        operation_id="list_events",
        summary="List events",
        description=(
            "Every change in your provider, newest first: who made it (a member, a license key, "
            "staff or the system), from where, on what, and each changed field before and after. "
            "The filters are Activity's. Page with `limit` and the opaque `cursor` of `next`."
        ),
        responses={
            200: OpenApiResponse(
                EventSerializer(many=True),
                description="A page of your provider's events, newest first.",
                examples=[OpenApiExample("A page of events", value=EVENT)],
            ),
            **error_responses(400),
        },
    ),
)
class EventListView(generics.ListAPIView):
    """The provider's events, newest first, with Activity's filters."""

    queryset = Event.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = EventSerializer
    pagination_class = NewestFirstPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiEventFilter

    def get_queryset(self):
        return events_for(key_provider(self.request))
