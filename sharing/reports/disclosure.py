"""Who sees which figures of the implementation report: the one home of that rule
(docs/architecture.md, "Implementation reports"), for the pages, the CSV file and the
command alike.

- A state always sees its own figures.
- Everyone who may open the reports sees the community's: every state's combined.
- A state is named in cross-state comparisons (the table across states, who shares
  with whom) only if its admin opted in (``State.named_in_reports``; default: not).
  The reader's own state is named to itself.
- When exactly one state other than the reader's is left unnamed, the comparisons are
  withheld: its figures would be the community's less those of the states named. The
  plenary pack, the same for every reader, is withheld from naming anyone when one or
  two states are unnamed (one of them, reading it, would learn the other's figures).
- Platform staff see the community's figures and the comparisons, as states do, and
  no state's own page.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from sharing.common.querysets import reading_state
from sharing.reports.figures import Measure, Report
from sharing.reports.querysets import reads_reports


@dataclasses.dataclass
class Disclosure:
    """What one reader is shown of a year's report."""

    report: Report
    own: object | None  # the reader's state, or None for platform staff
    named: list  # the states named in comparisons, by name; empty when withheld
    withheld: bool  # comparisons withheld: one state only left unnamed

    @property
    def own_figures(self) -> dict[str, Measure] | None:
        return self.report.of(self.own.code) if self.own is not None else None

    @property
    def community(self) -> dict[str, Measure]:
        return self.report.together()

    def shared(self) -> list[tuple[object, list[int]]]:
        """Who shared with whom among the named states: for each, the counts of items
        it shared with each of the others (None with itself), in the order of ``named``."""
        counts = self.report.shared
        return [
            (
                sender,
                [
                    None if sender == to else counts.get((sender.code, to.code), 0)
                    for to in self.named
                ],
            )
            for sender in self.named
        ]


def check_may_read(user) -> None:
    """The reports are read by the users of a state that reads (not a suspended one)
    and by platform staff; PermissionDenied for anyone else."""
    if not reads_reports(user):
        raise PermissionDenied(_("Only the states' officials and platform staff read reports."))


def disclosed(report: Report, user) -> Disclosure:
    """What ``user`` may see of ``report``; PermissionDenied if nothing."""
    check_may_read(user)
    return disclosed_to(report, reading_state(user))


def disclosed_to(report: Report, own, *, everyone: bool = False) -> Disclosure:
    """What the officials of state ``own`` see of ``report`` (None: platform staff);
    ``everyone``: what any state's officials may all read (the plenary pack)."""
    named = [s for s in report.states if s.named_in_reports or (own is not None and s == own)]
    unnamed = [s for s in report.states if s not in named]
    # A reader knows its own figures; any state may be the pack's reader, so there one
    # more unnamed state is needed before none of them can be worked out.
    withheld = 1 <= len(unnamed) <= (2 if everyone else 1)
    return Disclosure(report, own, [] if withheld else named, withheld)
