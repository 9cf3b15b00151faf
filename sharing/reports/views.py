"""The implementation report's pages and CSV file: a year's figures, as
``sharing.reports.disclosure`` lets the reader see them."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
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


# The sharing activity charts stack these, month by month.
SHARED = ("notices_published", "practices_published", "denials_notified", "advisories_released")


def _activity(measures, year: int, whose: str) -> dict:
    """A chart of what ``measures`` (one state's or the community's) first published
    each month, with its summary in words."""
    series = [
        {"label": str(figures.BY_KEY[key].label), "values": measures[key].months} for key in SHARED
    ]
    monthly = [sum(values) for values in zip(*(s["values"] for s in series), strict=True)]
    total = sum(monthly)
    if not total:
        summary = _("%(whose)s: nothing was first published in %(year)s.") % {
            "whose": whose,
            "year": year,
        }
    else:
        busiest = monthly.index(max(monthly))
        summary = _(
            "%(whose)s: %(total)s items first published in %(year)s (notices %(notices)s, "
            "best practices %(practices)s, licence denials %(denials)s, advisories "
            "%(advisories)s); the busiest month was %(month)s, with %(most)s."
        ) % {
            "whose": whose,
            "total": total,
            "year": year,
            "notices": measures["notices_published"].count,
            "practices": measures["practices_published"].count,
            "denials": measures["denials_notified"].count,
            "advisories": measures["advisories_released"].count,
            "month": date_format(datetime.date(year, busiest + 1, 1), "F"),
            "most": monthly[busiest],
        }
    return {"series": series, "summary": summary}


def _timeliness(seen, community) -> dict | None:
    """The bar chart of the share of notices acknowledged in time, state by state (the
    states named) and for all states, with its summary; None when nobody is named."""
    if not seen.named:
        return None
    key = "acknowledged_in_time"
    shares = [(str(state), seen.report.of(state.code)[key].value) for state in seen.named]
    measured = [(name, value) for name, value in shares if value is not None]
    overall = community[key].value
    summary = _("Notices acknowledged within 10 working days: %(all)s for all states.") % {
        "all": "—" if overall is None else f"{number_format(overall, 1)} %"
    }
    if measured:
        low = min(measured, key=lambda pair: pair[1])
        high = max(measured, key=lambda pair: pair[1])
        summary += " " + _(
            "Among the states named, from %(low)s (%(low_state)s) to %(high)s (%(high_state)s)."
        ) % {
            "low": f"{number_format(low[1], 1)} %",
            "low_state": low[0],
            "high": f"{number_format(high[1], 1)} %",
            "high_state": high[0],
        }
    return {
        "label": str(figures.BY_KEY[key].label),
        "labels": [name for name, _value in shares] + [_("All states")],
        "values": [value for _name, value in shares] + [overall],
        "summary": summary,
    }


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
    activity = {"community": _activity(community, year, _("All states"))}
    if own:
        activity["own"] = _activity(own, year, str(seen.own))
    timeliness = None if seen.withheld else _timeliness(seen, community)
    charts = {
        "months": [date_format(datetime.date(year, m, 1), "M") for m in range(1, 13)],
        "activity": {whose: chart["series"] for whose, chart in activity.items()},
        "timeliness": timeliness,
    }
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
            "activity": activity,
            "timeliness": timeliness,
            "charts": charts,
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
