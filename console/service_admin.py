"""
Django admin that writes through the apps' services, so staff meet exactly the rules providers do.

The admin validates a form, then saves it. Our rules live in services that validate and save in
one call, so a `ServiceForm` calls its service once, as the last step of validation: a broken
rule becomes a form error, a success is what `ServiceAdmin.save_model` hands to the admin.
The admin's change view runs in one transaction; if it shows the form again after the service
ran (another part of the page was invalid), the write is rolled back with it.
"""

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.http import HttpRequest

from console.audit.actors import Actor, actor_for
from console.errors import DomainError
from console.forms import add_domain_error


class ServiceForm(forms.ModelForm):
    """A ModelForm whose `save_through_service()` runs once the form's own checks pass."""

    saved: models.Model | None = None
    actor: Actor  # staff, in the admin: set by ServiceAdmin.get_form for each request

    def save_through_service(self) -> models.Model:
        """Create or change the object through its service and return it."""
        raise NotImplementedError

    def changed_values(self, editable: list[str]) -> dict[str, Any]:
        """The service arguments for the `editable` fields that staff actually changed."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in editable}

    def validate_unique(self) -> None:
        """Uniqueness is one of the service's rules, checked (and worded) by the service."""

    def validate_constraints(self) -> None:
        """So are the model's constraints (a unique name per provider)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                self.saved = self.save_through_service()
            except DomainError as error:
                add_domain_error(self, error)
        return cleaned


class ServiceDeletes(admin.ModelAdmin):
    """
    Deletes, one by one or selected, go through the service named by `delete_service`, as staff
    (each deletion is one event). A refusal is shown as an error message, not a server error.
    """

    # For example `staticmethod(services.delete_token)` and "token": called as
    # delete_service(actor=staff, token=obj), so each deletion meets the service's rules.
    delete_service: ClassVar[Callable[..., None]]
    delete_argument: ClassVar[str]

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        try:
            type(self).delete_service(actor=actor_for(request), **{self.delete_argument: obj})
        except DomainError as refusal:
            self.message_user(request, f"{obj} was not deleted: {refusal.message}", messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ServiceAdmin(ServiceDeletes):
    """Saves through the form's service (see `ServiceForm`) and deletes through a service."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": actor_for(request)})

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: ServiceForm, change: bool
    ) -> None:
        assert form.saved is not None  # the admin saves only a valid form
        obj.pk = form.saved.pk
        obj.refresh_from_db()

    def render_change_form(self, request: HttpRequest, context: dict, *args, **kwargs):
        form = context.get("adminform") and context["adminform"].form
        if request.method == "POST" and getattr(form, "saved", None) is not None:
            transaction.set_rollback(True)
        return super().render_change_form(request, context, *args, **kwargs)
