from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import TemplatesSetting
from django.shortcuts import redirect

from portal.countries import reading_order


class PortalFormRenderer(TemplatesSetting):
    """Render every form and field with the portal's partials (Bootstrap markup, a
    visible label on every field, help and errors tied to the input for screen readers)."""

    form_template_name = "includes/_form.html"
    field_template_name = "includes/_field.html"


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on ``form``: next to the fields it names, and
    at the top of the form for the rest."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def saved(request, form, act, *, done, then):
    """For a valid posted ``form``: run ``act()`` (a service call). If the service
    refuses with a ValidationError, show it on the form and return None (the page is
    shown again, with a 400); otherwise say ``done`` and return a redirect to ``then``."""
    try:
        act()
    except ValidationError as error:
        apply_errors(form, error)
        return None
    messages.success(request, done)
    return redirect(then)


class ShownOrder(ModelChoiceIterator):
    """Choices sorted by their label as the reader sees it: a state's name in French or
    Spanish is not the English name the database sorts by ("Alemania" belongs with
    the A's)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        choices = [self.choice(obj) for obj in self.queryset]
        yield from sorted(choices, key=lambda choice: reading_order(str(choice[1])))


class StateChoiceField(forms.ModelChoiceField):
    iterator = ShownOrder


class StatesChoiceField(forms.ModelMultipleChoiceField):
    iterator = ShownOrder
