from django import template

from portal.countries import local_country_name
from sharing.common.choices import TLP, TLP_DEFINITIONS

register = template.Library()


@register.filter
def tlp_label(value: str) -> str:
    return TLP(value).label if value in TLP.values else value


@register.filter
def tlp_definition(value: str) -> str:
    return TLP_DEFINITIONS.get(value, "")


@register.filter
def tlp_css(value: str) -> str:
    """CSS class suffix: amber+strict -> amber-strict."""
    return str(value).replace("+", "-")


@register.filter
def country(code: str) -> str:
    return f"{local_country_name(code)} ({code})" if code else ""
