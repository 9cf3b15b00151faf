"""The plenary pack: the year's report as a PDF for the plenary, laid out by WeasyPrint
from HTML (templates/sharing/reports/pack.html). It is shared among the community,
TLP:GREEN on every page, so it holds what every state may read and no more: the
community's figures, the states that agreed to be named, and the answers shared; never
the reader's own figures unless their state agreed."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from sharing.reports import figures, pages
from sharing.reports.disclosure import disclosed_to
from sharing.reports.models import Submission


class Unavailable(Exception):
    """WeasyPrint cannot run here: the Pango library it lays text out with is missing."""


def _html_class():
    # Imported when a pack is asked for, not with the pages: without Pango, WeasyPrint
    # fails on import, and only the pack should go with it.
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise Unavailable(str(error)) from error
    return HTML


# The height of the tallest month's bar in the pack's chart, in millimetres.
BAR_MM = 36


def _columns(series: list[dict]) -> list[list[tuple[int, float]]]:
    """Each month's stacked bar: (kind, height in mm), bottom first."""
    totals = [sum(values) for values in zip(*(one["values"] for one in series), strict=True)]
    tallest = max(totals) or 1
    return [
        [
            (kind, round(one["values"][month] * BAR_MM / tallest, 2))
            for kind, one in enumerate(series)
            if one["values"][month]
        ]
        for month in range(12)
    ]


def _refuse(url: str, *args, **kwargs):
    """The pack fetches nothing: no image, style sheet or font from any address."""
    raise ValueError(f"the plenary pack fetches nothing ({url[:40]})")


def render_pdf(year: int, *, request=None) -> bytes:
    """The pack of ``year``, for any reader of reports (the same for all of them)."""
    seen = disclosed_to(figures.report(year), None, everyone=True)
    context = pages.report_context(seen, year)
    community = context["activity"]["community"]
    timeliness = context["timeliness"]
    if timeliness:
        timeliness["pairs"] = list(zip(timeliness["labels"], timeliness["values"], strict=True))
    context.update(
        {
            "site_name": settings.SITE_NAME,
            "page_word": _("Page"),
            "generated": timezone.now(),
            "months": context["month_labels"],
            "month_rows": context["months"],
            "activity": {
                "summary": community["summary"],
                "labels": [one["label"] for one in community["series"]],
                "columns": _columns(community["series"]),
            },
            "withheld": seen.withheld,
            "answers": pages.shared_answers(Submission.objects.shared(), year),
        }
    )
    html = render_to_string("sharing/reports/pack.html", context, request=request)
    # Tagged (headings, tables, reading order) for screen readers.
    return _html_class()(string=html, url_fetcher=_refuse).write_pdf(pdf_tags=True)
