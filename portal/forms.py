from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Render every form and field with the portal's partials (Bootstrap markup, a
    visible label on every field, help and errors tied to the input for screen readers)."""

    form_template_name = "includes/_form.html"
    field_template_name = "includes/_field.html"
