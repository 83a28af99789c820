from django.contrib import admin

from console.accounts.models import Invitation, Membership, Provider


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "joined_at"]
    readonly_fields = ["joined_at"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "provider_id", "created_at"]
    search_fields = ["name", "=provider_id"]
    readonly_fields = ["provider_id", "created_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "role", "joined_at"]
    list_filter = ["role"]
    list_select_related = ["user", "provider"]
    search_fields = ["user__username", "user__email", "provider__name"]
    autocomplete_fields = ["user", "provider"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "provider", "role", "invited_by", "created_at", "expires_at"]
    list_filter = ["role"]
    list_select_related = ["provider", "invited_by"]
    search_fields = ["email", "provider__name"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False  # Owners invite from the console, which sends the link
