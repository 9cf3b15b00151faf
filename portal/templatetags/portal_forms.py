from django import forms, template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.forms import option_html

register = template.Library()


@register.filter
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


@register.simple_tag
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


@register.simple_tag
def select_options(widget) -> str:
    """The options of a select (templates/jinja2/django/forms/widgets/select.html), written
    here rather than through Django's template per option, which took most of a list
    page's rendering time. The same markup, escaped the same way. A ``DirectOptions``
    widget (portal/forms.py) has written them already."""
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
