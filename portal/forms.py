from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting


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
