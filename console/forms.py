"""What every form in the console shares: a service's DomainError as a form error, and status."""

from http import HTTPStatus

from django import forms

from console.errors import DomainError


def add_domain_error(form: forms.BaseForm, error: DomainError, *, field: str | None = None) -> None:
    """
    Show `error` next to `field`, else next to the field it names when the form has that field,
    else above the form.
    """
    if field is None and error.field in form.fields:
        field = error.field
    form.add_error(field, error.message)
    form.refusal = error  # type: ignore[attr-defined]  # read by form_status


def form_status(form: forms.BaseForm) -> int:
    """
    The status of a page that shows `form`: 200 without errors; with errors, the status of the
    rule's kind when a service refused (409 for a conflict, 404 when the object is gone), else
    400, as the JSON API answers the same refusals.
    """
    if not form.errors:
        return HTTPStatus.OK
    refusal = getattr(form, "refusal", None)
    return refusal.status if refusal is not None else HTTPStatus.BAD_REQUEST


class DialogForm(forms.Form):
    """A form shown in the console's modal: its ids never clash with the page's own forms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "dialog-%s")
        super().__init__(*args, **kwargs)
