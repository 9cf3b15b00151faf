from django import template
from django.template import engines
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def page_url(query: str, number: int) -> str:
    """The current list's query string (without its page) with another page number."""
    return "?" + "&".join(part for part in [query, urlencode({"page": number})] if part)


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str) -> str:
    """``template_name`` rendered by the Jinja2 engine (templates/jinja2/, portal/jinja.py)
    with this template's context: the rows of the busiest lists, several times faster
    than the Django template language renders them (docs/architecture.md,
    "Performance"). Jinja2 escapes what it writes."""
    template = engines["jinja2"].get_template(template_name)
    html = template.render(context.flatten(), context.get("request"))
    return mark_safe(html)  # noqa: S308 -- autoescaped by Jinja2
