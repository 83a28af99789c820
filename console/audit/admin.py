"""Staff read every provider's events; nobody adds, changes or deletes one (prune_events does)."""

from django.contrib import admin
from django.http import HttpRequest

from console.audit.models import Event


class ActorKindFilter(admin.SimpleListFilter):
    """By actor: members, license keys, staff or the system."""

    title = "actor"
    parameter_name = "actor_kind"

    def lookups(self, request, model_admin):
        return Event._meta.get_field("actor_kind").choices

    def queryset(self, request, queryset):
        return queryset.filter(actor_kind=self.value()) if self.value() else queryset


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_at",
        "provider",
        "actor_name",
        "actor_kind",
        "source",
        "action",
        "target_kind",
        "target_name",
        "ip",
    ]
    list_select_related = ["provider"]
    list_filter = ["provider", ActorKindFilter, "source", "action", "occurred_at"]
    date_hierarchy = "occurred_at"
    search_fields = ["=event_id", "=target_id", "=actor_ref", "actor_name", "target_name"]
    show_full_result_count = False
    list_per_page = 50
    fields = readonly_fields = tuple(field.name for field in Event._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
