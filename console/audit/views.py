"""Activity: the provider's record of every change, filtered, paged and exported; and the
history lists of a token and a model, which the tokens' and models' pages embed."""

import csv
import json
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from console.accounts.models import Provider
from console.audit import selectors
from console.audit.filters import EventFilter
from console.audit.models import Event, TargetKind
from console.audit.presentation import actor_label
from console.pagination import InvalidCursor, KeysetPage, KeysetPaginator
from console.responses import HtmxHttpRequest, render_page_or_partial
from models_registry.selectors import models_for
from tokens.selectors import tokens_for

ACTIVITY_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 20
NEWEST_FIRST = ["-occurred_at", "-pk"]
EXPORT_BATCH = 2_000


def event_page(
    request: HtmxHttpRequest, events: QuerySet[Event], per_page: int
) -> tuple[KeysetPage[Event], bool]:
    """The page of `events` the request's cursor points to, and whether that cursor was bad
    (then the first page)."""
    paginator = KeysetPaginator(events, keys=NEWEST_FIRST, per_page=per_page)
    try:
        return paginator.page(request.GET.get("cursor")), False
    except InvalidCursor:
        return paginator.page(None), True


def live_targets(page: Iterable[Event], provider: Provider) -> set[str]:
    """Which of the listed events' tokens and models still exist (so their names can link to
    them): one query per kind, whatever the list's length."""
    ids: dict[str, set[str]] = {TargetKind.TOKEN: set(), TargetKind.MODEL: set()}
    for event in page:
        if event.target_kind in ids:
            ids[event.target_kind].add(event.target_id)
    found: set[str] = set()
    if ids[TargetKind.TOKEN]:
        tokens = tokens_for(provider).filter(token_id__in=ids[TargetKind.TOKEN])
        found.update(tokens.values_list("token_id", flat=True))
    if ids[TargetKind.MODEL]:
        models = models_for(provider).filter(model_id__in=ids[TargetKind.MODEL])
        found.update(models.values_list("model_id", flat=True))
    return found


def _filters_only(request: HtmxHttpRequest) -> str:
    """The query string's filters that are set: the export takes them, not the page."""
    return urlencode(
        [(key, value) for key, value in request.GET.items() if value and key != "cursor"]
    )


@require_GET
def activity(request: HtmxHttpRequest) -> HttpResponse:
    """Activity: every change in the provider, newest first, filtered by the query string."""
    filterset = EventFilter(
        request.GET or None, queryset=selectors.events_for(request.provider), request=request
    )
    page, bad_cursor = event_page(request, filterset.qs, ACTIVITY_PAGE_SIZE)
    context = {
        "filterset": filterset,
        "page": page,
        "bad_cursor": bad_cursor,
        "actor_choices": selectors.actor_choices(
            request.provider, selected=filterset.form["actor"].value()
        ),
        "live_targets": live_targets(page, request.provider),
        "has_events": bool(page.items) or selectors.events_for(request.provider).exists(),
        "export_query": _filters_only(request),
        "section": "activity",
    }
    return render_page_or_partial(
        request, "audit/activity.html", context, partial="activity-results"
    )


CSV_COLUMNS = [
    "event_id",
    "occurred_at",
    "actor",
    "actor_kind",
    "actor_ref",
    "source",
    "ip",
    "request_id",
    "action",
    "target_kind",
    "target_id",
    "target",
    "related_id",
    "changes",
]


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer to stream through."""

    def write(self, value: str) -> str:
        return value


def _spreadsheet_safe(value: str) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is kept as text."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def _csv_row(event: Event) -> list[str]:
    return [
        event.event_id,
        event.occurred_at.isoformat().replace("+00:00", "Z"),
        _spreadsheet_safe(actor_label(event)),
        event.actor_kind,
        event.actor_ref,
        event.source,
        event.ip or "",
        event.request_id,
        event.action,
        event.target_kind,
        event.target_id,
        _spreadsheet_safe(event.target_name),
        event.related_id,
        _spreadsheet_safe(json.dumps(event.changes, ensure_ascii=False, sort_keys=True)),
    ]


def _every_event(events: QuerySet[Event]) -> Iterator[Event]:
    """Each event, newest first, a batch at a time along the index: constant memory and the
    same cost per batch however far along, where one big query would hold every row."""
    paginator = KeysetPaginator(events, keys=NEWEST_FIRST, per_page=EXPORT_BATCH)
    page = paginator.page(None)
    while True:
        yield from page
        if page.next_cursor is None:
            return
        page = paginator.page(page.next_cursor)


def _csv_lines(events: QuerySet[Event]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in _every_event(events):
        yield writer.writerow(_csv_row(event))


@require_GET
def activity_export(request: HtmxHttpRequest) -> StreamingHttpResponse:
    """Activity as CSV: every event the filters select, newest first, streamed."""
    filterset = EventFilter(
        request.GET or None, queryset=selectors.events_for(request.provider), request=request
    )
    response = StreamingHttpResponse(
        _csv_lines(filterset.qs), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="activity-{stamp}.csv"'
    return response
