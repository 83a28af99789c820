"""Template filters of the event lists (Activity, a token's and a model's History)."""

from django import template

from console.audit.models import Event
from console.audit.presentation import Change, actor_label, changes_of

register = template.Library()


@register.filter
def event_changes(event: Event) -> list[Change]:
    return changes_of(event)


@register.filter
def event_actor(event: Event) -> str:
    return actor_label(event)
