from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import Jinja2
from django.shortcuts import redirect
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.countries import reading_order


class PortalFormRenderer(Jinja2):
    """Render every form and field with the portal's partials (Bootstrap markup, a
    visible label on every field, help and errors tied to the input for screen readers),
    and every widget with Django's own templates, all in Jinja2 (portal/jinja.py): in
    the Django template language, the eight fields of the notice filters took as long
    as the page's twenty-five rows (docs/architecture.md, "Performance"). The partials
    are in templates/jinja2/, before Django's, which they override (the select). A
    widget whose template exists only for the Django template language (the admin's)
    is rendered with it, as Django's TemplatesSetting would."""

    form_template_name = "includes/_form.html"
    field_template_name = "includes/_field.html"

    @cached_property
    def engine(self):
        return self.backend(
            {
                "NAME": "portalforms",
                "DIRS": [
                    settings.BASE_DIR / "templates" / "jinja2",
                    Path(forms.__file__).parent / "jinja2",
                ],
                "APP_DIRS": False,
                "OPTIONS": {
                    "environment": "portal.jinja.environment",
                    # Django's widget templates count on unknown names writing nothing.
                    "strict": False,
                    "functions": (
                        "portal.forms.widget_kind",
                        "portal.forms.field_widget",
                        "portal.forms.select_options",
                    ),
                },
            }
        )

    def get_template(self, template_name):
        try:
            return self.engine.get_template(template_name)
        except TemplateDoesNotExist:
            return get_template(template_name)


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


def option_html(value, label, selected: bool) -> str:
    """One ``<option>``, as Django's select_option.html writes it (value and label
    escaped)."""
    mark = " selected" if selected else ""
    return f'\n  <option value="{escape(str(value))}"{mark}>{escape(str(label))}</option>'


class DirectOptions:
    """For a select of hundreds of choices (the countries of the world): its options are
    written straight from its choices. Django's ``optgroups`` builds a dictionary and
    copies the attributes for every option; for the 250 countries that was a fifth of
    the notice list's time (docs/architecture.md, "Performance"). The markup is what
    templates/jinja2/django/forms/widgets/select.html writes for any other select."""

    def get_context(self, name, value, attrs):
        # Widget's context (name, value, attributes), without ChoiceWidget's optgroups.
        context = forms.Widget.get_context(self, name, value, attrs)
        widget = context["widget"]
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        html = self.options_html(widget["value"])
        widget["options_html"] = mark_safe(html)  # noqa: S308 -- escaped in option_html
        return context

    def options_html(self, values) -> str:
        wanted = {str(v) for v in values}
        parts = []
        for value, label in self.choices:
            if isinstance(label, list | tuple):
                inner = "".join(self._option(v, text, wanted) for v, text in label)
                parts.append(f'\n  <optgroup label="{escape(str(value))}">{inner}\n  </optgroup>')
            else:
                parts.append(self._option(value, label, wanted))
        return "".join(parts)

    def _option(self, value, label, wanted: set[str]) -> str:
        key = "" if value is None else str(value)
        selected = key in wanted
        if selected and not self.allow_multiple_selected:
            wanted.clear()  # one option selected at most, the first, as Django does
        return option_html(key, label, selected)


class LongSelect(DirectOptions, forms.Select):
    pass


class LongSelectMultiple(DirectOptions, forms.SelectMultiple):
    pass


# What templates/jinja2/includes/_field.html and the select call (PortalFormRenderer).


def widget_kind(bound_field) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "choices"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "select"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


def field_widget(bound_field):
    """The field's widget with Bootstrap classes and the ARIA attributes that tie it to
    its help text and errors."""
    kind = widget_kind(bound_field)
    css = {
        "checkbox": "form-check-input",
        "select": "form-select",
        "choices": "",
        "hidden": "",
    }.get(kind, "form-control")
    attrs = {}
    existing = bound_field.field.widget.attrs.get("class", "")
    classes = " ".join(c for c in [existing, css] if c)
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        classes += " is-invalid"
        attrs["aria-invalid"] = "true"
        described.append(f"{bound_field.auto_id}_error")
    if classes and kind != "choices":
        attrs["class"] = classes.strip()
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


def select_options(widget) -> str:
    """The options of a select (templates/jinja2/django/forms/widgets/select.html), written
    here rather than through Django's template per option, which took most of a list
    page's rendering time. The same markup, escaped the same way. A ``DirectOptions``
    widget (above) has written them already."""
    if "options_html" in widget:
        return widget["options_html"]
    parts = []
    for name, choices, _index in widget["optgroups"]:
        options = "".join(
            option_html(option["value"], option["label"], "selected" in option["attrs"])
            for option in choices
        )
        if name:
            options = f'\n  <optgroup label="{escape(str(name))}">{options}\n  </optgroup>'
        parts.append(options)
    return mark_safe("".join(parts))  # noqa: S308 -- every value above is escaped
