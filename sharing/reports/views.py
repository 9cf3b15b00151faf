"""The implementation report's pages and CSV file: a year's figures, as
``sharing.reports.disclosure`` lets the reader see them."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sharing.common.choices import TLP
from sharing.notices.choices import NoticeKind
from sharing.reports import exports, figures
from sharing.reports.disclosure import check_may_read, disclosed

# The first year a report can be asked for: the portal's data starts after it.
FIRST_YEAR = 2020
# The comparisons across states show these figures.
COMPARED = (
    "notices_published",
    "notices_received",
    "acknowledged_in_time",
    "acknowledgement_days",
    "consultations_in_time",
    "practices_published",
)
# The monthly table shows these counts.
MONTHLY = (
    "notices_published",
    "acknowledgements",
    "denials_notified",
    "practices_published",
    "advisories_released",
)


def _this_year() -> int:
    return timezone.now().astimezone(datetime.UTC).year


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= _this_year():
        raise Http404(_("There is no report for that year."))
    return year


@require_GET
@login_required
def report_index(request):
    """The reports open on this year's."""
    check_may_read(request.user)
    return redirect("sharing:report", year=_this_year())


@require_GET
@login_required
def report_page(request, year: int):
    seen = disclosed(figures.report(_year(year)), request.user)
    own, community = seen.own_figures, seen.community
    rows = [
        {
            "figure": figure,
            "own": own[figure.key] if own else None,
            "community": community[figure.key],
        }
        for figure in figures.FIGURES
    ]
    compared = [figures.BY_KEY[key] for key in COMPARED]
    comparison = [
        (state, [seen.report.of(state.code)[key] for key in COMPARED]) for state in seen.named
    ]
    monthly = [figures.BY_KEY[key] for key in MONTHLY]
    return render(
        request,
        "sharing/reports/report.html",
        {
            "seen": seen,
            "year": year,
            "years": list(range(_this_year(), FIRST_YEAR - 1, -1)),
            "rows": rows,
            "kinds": _kinds(seen),
            "markings": TLP.labels,
            "compared": compared,
            "comparison": comparison,
            "community_compared": [community[key] for key in COMPARED],
            "monthly": [figure.label for figure in monthly],
            "months": _months(seen, monthly),
            "shared": seen.shared(),
        },
    )


def _kinds(seen) -> list[dict]:
    """The notices published by kind (rows) and marking (columns), for the reader's
    state and for the community."""
    together: dict = {}
    for counts in seen.report.notice_kinds.values():
        for key, n in counts.items():
            together[key] = together.get(key, 0) + n
    own = seen.report.notice_kinds.get(seen.own.code, {}) if seen.own else None
    return [
        {
            "label": label,
            "cells": [
                (own.get((kind, tlp), 0) if own is not None else None, together.get((kind, tlp), 0))
                for tlp in TLP.values
            ],
        }
        for kind, label in NoticeKind.choices
    ]


def _months(seen, monthly) -> list[dict]:
    """Month by month, the chosen counts of the reader's state and of the community."""
    own, community = seen.own_figures, seen.community
    return [
        {
            "label": date_format(datetime.date(seen.report.year, month, 1), "F"),
            "cells": [
                (
                    own[f.key].months[month - 1] if own else None,
                    community[f.key].months[month - 1],
                )
                for f in monthly
            ],
        }
        for month in range(1, 13)
    ]


@require_GET
@login_required
def report_csv(request, year: int):
    """The year's figures as the reader sees them on the page, one line per figure and
    state: the reader's own, the community's ("ALL"), and each state named."""
    seen = disclosed(figures.report(_year(year)), request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="implementation-{year}.csv"'
    exports.write_csv(seen, response)
    return response
