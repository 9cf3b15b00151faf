from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

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
def tlp_badge(value: str) -> str:
    """A marking as its coloured badge, with its definition as the title: the same in
    Django and Jinja2 templates (portal/jinja.py)."""
    return format_html(
        '<span class="tlp-badge tlp-{}" title="{}">{}</span>',
        tlp_css(value),
        tlp_definition(value),
        tlp_label(value),
    )


@register.filter
def endorsements(count: int) -> str:
    """How many states endorse or adopted a best practice, in words."""
    return ngettext(
        "%(counter)s state endorses or adopted it",
        "%(counter)s states endorse or adopted it",
        count,
    ) % {"counter": count}


@register.filter
def country(code: str) -> str:
    return f"{local_country_name(code)} ({code})" if code else ""


@register.filter
def registry_url(row) -> str:
    """The registry page of the entity a notice's entity or a denial's party is
    confirmed to be ("" when none); its links prefetched by the page. Whoever reads the
    row's item may see that entity: the link itself is through that item."""
    from django.urls import reverse

    from sharing.registry.choices import LinkStatus

    for link in row.registry_links.all():
        if link.status == LinkStatus.CONFIRMED:
            return reverse("sharing:entity-detail", args=[link.entity_id])
    return ""


@register.filter
def figure_text(measure) -> str:
    """A figure of the implementation report (sharing.reports.figures.Measure) as text:
    a count, a share in percent, a median in working days, or a dash for no data."""
    value = measure.value
    if value is None:
        return "—"
    if measure.kind == "share":
        return f"{number_format(value, 1)}\u00a0%"
    if measure.kind == "median":
        whole = float(value).is_integer()
        count = int(value) if whole else 2  # a fraction of a day takes the plural
        return ngettext("%(days)s working day", "%(days)s working days", count) % {
            "days": number_format(value, 0 if whole else 1)
        }
    return number_format(value, 0, force_grouping=True)


@register.filter
def figure(measure) -> str:
    """The same on a page, where a screen reader reads the dash as "no data"."""
    if measure.value is None:
        return format_html(
            '<span aria-hidden="true">—</span><span class="visually-hidden">{}</span>',
            gettext("no data"),
        )
    return figure_text(measure)
