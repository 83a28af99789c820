"""What every form in the console shares: turning a service's DomainError into a form error."""

from django import forms

from console.errors import DomainError


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show `error` next to its field when the form has that field, else above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class DialogForm(forms.Form):
    """A form shown in the console's modal: its ids never clash with the page's own forms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "dialog-%s")
        super().__init__(*args, **kwargs)
