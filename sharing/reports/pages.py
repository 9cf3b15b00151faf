"""What the implementation report's page and its plenary pack show, built from a
``Disclosure`` (sharing/reports/disclosure.py): tables, charts with their summaries in
words, and the questionnaire answers shared."""

from __future__ import annotations

import datetime

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from sharing.common.choices import TLP
from sharing.notices.choices import NoticeKind
from sharing.reports import figures
from sharing.reports.choices import QUESTIONS

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


# The sharing activity charts stack these, month by month.
SHARED = ("notices_published", "practices_published", "denials_notified", "advisories_released")


def activity_chart(measures, year: int, whose: str) -> dict:
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


def timeliness_chart(seen, community) -> dict | None:
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


def report_context(seen, year: int) -> dict:
    """What the report's page (and the plenary pack) show of ``seen``."""
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
    activity = {"community": activity_chart(community, year, _("All states"))}
    if own:
        activity["own"] = activity_chart(own, year, str(seen.own))
    timeliness = None if seen.withheld else timeliness_chart(seen, community)
    months = [date_format(datetime.date(year, m, 1), "M") for m in range(1, 13)]
    return {
        "seen": seen,
        "year": year,
        "rows": rows,
        "kinds": kinds_table(seen),
        "markings": TLP.labels,
        "compared": compared,
        "comparison": comparison,
        "community_compared": [community[key] for key in COMPARED],
        "monthly": [figure.label for figure in monthly],
        "months": month_rows(seen, monthly),
        "month_labels": months,
        "shared": seen.shared(),
        "activity": activity,
        "timeliness": timeliness,
        "charts": {
            "months": months,
            "activity": {whose: chart["series"] for whose, chart in activity.items()},
            "timeliness": timeliness,
        },
    }


def kinds_table(seen) -> list[dict]:
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


def month_rows(seen, monthly) -> list[dict]:
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


def answered(answers: dict) -> list[tuple]:
    """Each question's label with its answer in ``answers`` ("" where none)."""
    return [(label, answers.get(key, "")) for key, label, _help in QUESTIONS]


def shared_answers(readable, year: int) -> list[tuple]:
    """Of the submissions ``readable`` (a ``visible_to`` or ``shared`` queryset), each
    state's latest for ``year`` (``newest``), with each question's label:
    [(submission, [(label, answer), ...]), ...], by state."""
    rows = (
        readable.newest()
        .filter(questionnaire__year=year)
        .select_related("questionnaire__state")
        .order_by("questionnaire__state__name")
    )
    return [(s, answered(s.answers)) for s in rows]
