from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.views.decorators.debug import sensitive_variables

from console.audit.actors import actor_for
from console.errors import DomainError
from console.service_admin import ServiceAdmin, ServiceForm
from tokens import services
from tokens.forms import quota_field, rate_limit_field
from tokens.models import Token

LIMIT_FIELDS = ["rate_limit", "quota", "quota_period"]
EDITABLE_FIELDS = ["name", "note", "expires_at", "status", "model", *LIMIT_FIELDS]


class TokenAdminForm(ServiceForm):
    """Creates and changes tokens through the token services, once, as providers do."""

    secret: str | None = None
    # The console's fields: the services' range rule and messages, not the column's ("≥ 0").
    rate_limit = rate_limit_field()
    quota = quota_field()

    class Meta:
        model = Token
        fields = ["provider", *EDITABLE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "expires_at" in self.fields:
            self.fields["expires_at"].initial = services.server_default_expiration
        if "status" in self.fields and self.instance.pk is None:
            self.fields["status"].disabled = True
            self.fields["status"].help_text = "New tokens start active."

    @sensitive_variables("secret")
    def save_through_service(self) -> Token:
        data = self.cleaned_data
        if self.instance.pk is not None:
            return services.update_token(
                actor=self.actor, token=self.instance, **self.changed_values(EDITABLE_FIELDS)
            )
        token, secret = services.create_token(
            actor=self.actor,
            provider=data["provider"],
            name=data["name"],
            model=data.get("model"),
            note=data.get("note", ""),
            expires_at=data["expires_at"],
            **{name: data.get(name) for name in LIMIT_FIELDS},
        )
        self.secret = secret
        return token


class AssignedFilter(admin.SimpleListFilter):
    title = "assignment"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("yes", "Assigned"), ("no", "Unassigned")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.assigned()
        if self.value() == "no":
            return queryset.unassigned()
        return queryset


class ExpiredFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expired"

    def lookups(self, request, model_admin):
        return [("yes", "Expired"), ("no", "Not expired")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.expired()
        if self.value() == "no":
            return queryset.unexpired()
        return queryset


def _apply_to_each(modeladmin, request, queryset, service, done: str) -> None:
    """
    Run a token service on each selected token, as staff (one event each), reporting
    successes and refusals.
    """
    actor = actor_for(request)
    succeeded, refused = 0, []
    for token in queryset:
        try:
            service(actor=actor, token=token)
            succeeded += 1
        except DomainError as error:
            refused.append(f"{token.name}: {error.message}")
    if succeeded:
        modeladmin.message_user(request, f"{done} {succeeded} token(s).", messages.SUCCESS)
    for reason in refused:
        modeladmin.message_user(request, reason, messages.WARNING)


@admin.register(Token)
class TokenAdmin(ServiceAdmin):
    form = TokenAdminForm
    delete_service = staticmethod(services.delete_token)
    delete_argument = "token"
    list_display = [
        "name",
        "provider",
        "model",
        "status_badge",
        "expires_at",
        "hint",
        "last_used_at",
        "created_at",
    ]
    list_select_related = ["provider", "model"]
    list_filter = ["status", AssignedFilter, ExpiredFilter, "model"]
    search_fields = ["name", "=token_id"]
    autocomplete_fields = ["provider", "model"]
    readonly_fields = [
        "token_id",
        "hint",
        "last_model",
        "needs_new_evk",
        "last_used_at",
        "last_used_ip",
        "created_at",
        "updated_at",
    ]
    actions = ["suspend_selected", "activate_selected", "cancel_selected", "renew_selected"]
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["provider", "name", "model", "note", "expires_at", *LIMIT_FIELDS]
        return ["token_id", "provider", *EDITABLE_FIELDS, *self.readonly_fields[1:]]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "provider"] if obj else []

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return obj.display_status

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Kept on this request only, for response_add to show once: never in the session.
        request.new_token_secret = form.secret

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "new_token_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        response = TemplateResponse(
            request,
            "admin/tokens/token/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "token": obj,
                "secret": secret,
                "title": "Token created",
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Suspend selected tokens")
    def suspend_selected(self, request, queryset):
        _apply_to_each(self, request, queryset, services.suspend_token, "Suspended")

    @admin.action(description="Activate selected tokens")
    def activate_selected(self, request, queryset):
        _apply_to_each(self, request, queryset, services.activate_token, "Activated")

    @admin.action(description="Cancel selected tokens")
    def cancel_selected(self, request, queryset):
        _apply_to_each(self, request, queryset, services.cancel_token, "Cancelled")

    @admin.action(description="Renew selected tokens")
    def renew_selected(self, request, queryset):
        _apply_to_each(self, request, queryset, services.renew_token, "Renewed")
