from django import template
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag
def page_url(query: str, number: int) -> str:
    """The current list's query string (without its page) with another page number."""
    return "?" + "&".join(part for part in [query, urlencode({"page": number})] if part)
