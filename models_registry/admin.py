from django.contrib import admin
from django.db.models import Count

from console.service_admin import ServiceAdmin, ServiceForm
from models_registry import services
from models_registry.models import AIModel
from tokens.forms import QUOTA_HELP, limit_field

DEFAULT_LIMITS = ["default_rate_limit", "default_quota", "default_quota_period"]
EDITABLE_FIELDS = ["name", "description", *DEFAULT_LIMITS]


class AIModelAdminForm(ServiceForm):
    """Creates and changes models through the models' services, as providers do."""

    # The services' range rule and messages, as in the console's Limits dialog.
    default_rate_limit = limit_field(
        "Default rate limit",
        what="rate limit",
        help_text="Queries per minute, for each of its tokens without a rate limit of its own. "
        "Empty: no limit.",
    )
    default_quota = limit_field(
        "Default quota",
        what="quota",
        help_text="Queries per day or per month, for each of its tokens without a quota of its "
        f"own. {QUOTA_HELP} Empty: no quota.",
    )

    class Meta:
        model = AIModel
        fields = ["provider", *EDITABLE_FIELDS]

    def save_through_service(self) -> AIModel:
        data = self.cleaned_data
        if self.instance.pk is not None:
            return services.update_model(
                actor=self.actor,
                model=self.instance,
                **self.changed_values(EDITABLE_FIELDS),
            )
        return services.create_model(
            actor=self.actor,
            provider=data["provider"],
            name=data["name"],
            description=data.get("description", ""),
            **{name: data.get(name) for name in DEFAULT_LIMITS},
        )


@admin.register(AIModel)
class AIModelAdmin(ServiceAdmin):
    form = AIModelAdminForm
    delete_service = staticmethod(services.delete_model)
    delete_argument = "model"
    list_display = ["name", "provider", "token_count", "model_id", "created_at"]
    list_select_related = ["provider"]
    search_fields = ["name", "=model_id"]
    list_filter = ["created_at"]
    autocomplete_fields = ["provider"]
    readonly_fields = ["model_id", "created_at", "updated_at"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(token_count=Count("tokens"))

    def get_readonly_fields(self, request, obj=None):
        # A model never changes hands: its tokens belong to the same provider.
        return [*self.readonly_fields, "provider"] if obj else self.readonly_fields

    @admin.display(description="Tokens", ordering="token_count")
    def token_count(self, obj):
        return obj.token_count
