"""
Staff's view of providers, memberships and invitations. Changes go through the accounts
services, as staff, so each leaves its event and meets the rules providers meet (a provider
keeps an Owner; a member joins once).
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import transaction

from console.accounts import services
from console.accounts.models import Invitation, Membership, Provider, Role
from console.audit.actors import Actor, actor_for
from console.errors import DomainError
from console.security.services import turn_off_two_factor_for
from console.service_admin import ServiceAdmin, ServiceForm


class MembershipInline(admin.TabularInline):
    """Who belongs, at a glance; roles change, and people join or go, on Memberships."""

    model = Membership
    extra = 0
    fields = readonly_fields = ("user", "role", "joined_at")
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ProviderAdminForm(ServiceForm):
    class Meta:
        model = Provider
        fields = ["name", "default_token_lifetime_days", "max_token_lifetime_days"]

    def save_through_service(self) -> Provider:
        return services.update_provider_settings(
            actor=self.actor, provider=self.instance, **self.cleaned_data
        )


def _delete_provider(*, actor: Actor, provider: Provider) -> None:
    # The admin's own confirmation page stands in for typing the name.
    services.delete_provider(actor=actor, provider=provider, confirm_name=provider.name)


@admin.register(Provider)
class ProviderAdmin(ServiceAdmin):
    form = ProviderAdminForm
    delete_service = staticmethod(_delete_provider)
    delete_argument = "provider"
    list_display = ["name", "provider_id", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "=provider_id"]
    readonly_fields = ["provider_id", "is_active", "created_at"]
    inlines = [MembershipInline]
    actions = ["deactivate_selected", "reactivate_selected"]

    def _set_active(self, request, queryset, active: bool, done: str) -> None:
        actor = actor_for(request)
        for provider in queryset:
            services.set_provider_active(actor=actor, provider=provider, active=active)
        self.message_user(request, f"{done} {queryset.count()} provider(s).", messages.SUCCESS)

    @admin.action(description="Deactivate selected providers (their tokens and keys stop)")
    def deactivate_selected(self, request, queryset):
        self._set_active(request, queryset, False, "Deactivated")

    @admin.action(description="Reactivate selected providers")
    def reactivate_selected(self, request, queryset):
        self._set_active(request, queryset, True, "Reactivated")

    def has_add_permission(self, request):
        # A provider starts with its first Owner: `manage.py createprovider`.
        return False


class MembershipAdminForm(ServiceForm):
    class Meta:
        model = Membership
        fields = ["provider", "user", "role"]

    def save_through_service(self) -> Membership:
        data = self.cleaned_data
        if self.instance.pk is not None:
            return services.change_role(
                actor=self.actor, membership=self.instance, role=data["role"]
            )
        return services.add_member(
            actor=self.actor, provider=data["provider"], user=data["user"], role=data["role"]
        )


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    form = MembershipAdminForm
    delete_service = staticmethod(services.remove_member)
    delete_argument = "membership"
    list_display = ["user", "provider", "role", "joined_at"]
    list_filter = ["role"]
    list_select_related = ["user", "provider"]
    search_fields = ["user__username", "user__email", "provider__name"]
    autocomplete_fields = ["user", "provider"]

    def get_readonly_fields(self, request, obj=None):
        # A membership is one person in one provider: only its role changes.
        return ["provider", "user", "joined_at"] if obj else []


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "provider", "role", "invited_by", "created_at", "expires_at"]
    list_filter = ["role"]
    list_select_related = ["provider", "invited_by"]
    search_fields = ["email", "provider__name"]
    readonly_fields = [f.name for f in Invitation._meta.fields]
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return False  # Owners invite from the console, which sends the link

    def has_delete_permission(self, request, obj=None):
        return False  # an invitation is revoked, and stays on record

    @admin.action(description="Revoke selected invitations")
    def revoke_selected(self, request, queryset):
        actor = actor_for(request)
        for invitation in queryset.select_related("provider"):
            try:
                services.revoke_invitation(actor=actor, invitation=invitation)
            except DomainError as refusal:
                self.message_user(request, f"{invitation}: {refusal.message}", messages.WARNING)
            else:
                self.message_user(request, f"{invitation}: revoked.", messages.SUCCESS)


admin.site.unregister(User)


@admin.register(User)
class ConsoleUserAdmin(UserAdmin):
    """
    Django's user admin, except that deleting a person first takes them out of each provider
    through the accounts services (one member.removed event each), and is not offered for the
    last Owner of a provider, who would leave it with nobody to run it.
    """

    actions = ["turn_off_two_factor"]

    @admin.action(description="Turn off two-factor sign-in (a lost phone and lost codes)")
    def turn_off_two_factor(self, request, queryset):
        actor = actor_for(request)
        for user in queryset:
            turn_off_two_factor_for(actor=actor, user=user)
        self.message_user(
            request,
            f"Two-factor sign-in is off for {queryset.count()} person(s): they sign in with "
            "their password alone until they set it up again.",
            messages.SUCCESS,
        )

    def _sole_owner_of(self, user) -> list[str]:
        owned = Membership.objects.filter(user=user, role=Role.OWNER).values("provider")
        others = Membership.objects.filter(provider__in=owned, role=Role.OWNER).exclude(user=user)
        alone = owned.exclude(provider__in=others.values("provider"))
        return list(Provider.objects.filter(pk__in=alone).values_list("name", flat=True))

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._sole_owner_of(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Activeness goes through its service (an event; sessions and keys stop at once).
        active = obj.is_active
        if change and "is_active" in form.changed_data:
            obj.is_active = not active
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            services.set_account_active(actor=actor_for(request), user=obj, active=active)

    def delete_model(self, request, obj):
        with transaction.atomic():
            actor = actor_for(request)
            for membership in obj.memberships.select_related("provider", "user"):
                services.remove_member(actor=actor, membership=membership)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # Each through delete_model; a selection holding a sole Owner is refused as a whole by
        # the admin, which asks has_delete_permission of each object first.
        for user in queryset:
            self.delete_model(request, user)
