from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.audit.selectors import events_for
from console.audit.views import live_targets
from console.dashboard.selectors import (
    EXPIRING_SOON_DAYS,
    NEVER_USED_FILTERS,
    account_summary,
    summary_filters,
    usage_summary,
)
from console.responses import HtmxHttpRequest
from models_registry.selectors import models_with_token_counts

DASHBOARD_MODELS = 6
RECENT_EVENTS = 5


@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The provider's landing page: what needs attention across models and tokens, how they
    are used, and what changed last."""
    recent_events = list(events_for(request.provider)[:RECENT_EVENTS])
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "summary": account_summary(request.provider),
            "card_filters": summary_filters(),
            "usage": usage_summary(request.provider),
            "never_used_filters": NEVER_USED_FILTERS,
            "models": models_with_token_counts(request.provider)[:DASHBOARD_MODELS],
            "expiring_soon_days": EXPIRING_SOON_DAYS,
            "recent_events": recent_events,
            "live_targets": live_targets(recent_events, request.provider),
        },
    )
