from django import forms
from django.contrib import admin
from django.db.models import Count

from console.errors import DomainError, check_without_saving
from console.forms import add_domain_error
from models_registry import services
from models_registry.models import AIModel


class AIModelAdminForm(forms.ModelForm):
    class Meta:
        model = AIModel
        fields = ["owner", "name", "description"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            if self.instance.pk is None:
                check_without_saving(
                    services.create_model,
                    owner=cleaned["owner"],
                    name=cleaned["name"],
                    description=cleaned.get("description", ""),
                )
            else:
                check_without_saving(
                    services.update_model,
                    model=AIModel.objects.get(pk=self.instance.pk),
                    name=cleaned["name"],
                    description=cleaned.get("description", ""),
                )
        except DomainError as error:
            add_domain_error(self, error)
        return cleaned


@admin.register(AIModel)
class AIModelAdmin(admin.ModelAdmin):
    form = AIModelAdminForm
    list_display = ["name", "owner", "token_count", "model_id", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["name", "=model_id"]
    list_filter = ["created_at"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["model_id", "created_at", "updated_at"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(token_count=Count("tokens"))

    def get_readonly_fields(self, request, obj=None):
        # A model never changes hands: its tokens belong to the same provider.
        return [*self.readonly_fields, "owner"] if obj else self.readonly_fields

    @admin.display(description="Tokens", ordering="token_count")
    def token_count(self, obj):
        return obj.token_count

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.update_model(model=obj, name=data["name"], description=data["description"])
        else:
            created = services.create_model(
                owner=data["owner"], name=data["name"], description=data["description"]
            )
            obj.pk = created.pk
            obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.delete_model(model=obj)

    def delete_queryset(self, request, queryset):
        for model in queryset:
            services.delete_model(model=model)
