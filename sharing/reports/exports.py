"""The implementation report's figures as CSV, the same for the download and for
``manage.py implementation_report --csv``."""

from __future__ import annotations

import csv

from sharing.reports import figures
from sharing.reports.disclosure import Disclosure

HEADER = ["year", "state", "figure", "label", "value", "of", "definition"]


def scopes(seen: Disclosure) -> list[tuple[str, dict]]:
    """The columns of what ``seen`` shows: the reader's own state first, then the
    community ("ALL"), then each state named (the own state once)."""
    columns: list[tuple[str, dict]] = []
    if seen.own_figures is not None:
        columns.append((seen.own.code, seen.own_figures))
    columns.append(("ALL", seen.community))
    columns += [
        (state.code, seen.report.of(state.code)) for state in seen.named if state != seen.own
    ]
    return columns


def shown(measure: figures.Measure) -> str:
    """A figure as the file writes it: empty where there is nothing to measure."""
    value = measure.value
    return "" if value is None else str(value)


def write_csv(seen: Disclosure, out) -> None:
    """One line per figure and column of ``scopes``; "of" is a share's denominator."""
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for code, measures in scopes(seen):
        for figure in figures.FIGURES:
            measure = measures[figure.key]
            total = measure.total if figure.kind == figures.SHARE else ""
            writer.writerow(
                [
                    seen.report.year,
                    code,
                    figure.key,
                    figure.label,
                    shown(measure),
                    total,
                    figure.definition,
                ]
            )
