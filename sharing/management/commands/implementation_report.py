"""``manage.py implementation_report YEAR``: print the year's implementation figures
as platform staff see them on /reports/YEAR/ (the community's, and the states that
agreed to be named), or as one state's officials see them (``--state DK``); ``--csv``
writes the file the page offers instead of a table."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.models import State
from sharing.reports import exports, figures
from sharing.reports.disclosure import disclosed_to


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--state", help="as this state's officials see it (its code)")
        parser.add_argument("--csv", action="store_true", help="CSV, as the page's download")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="count times to answer as ended on this day (YYYY-MM-DD; default today)",
        )

    def handle(self, *args, year, state=None, csv=False, today=None, **options):
        if not figures.reported(year):
            raise CommandError(
                f"There is a report for the years {figures.FIRST_YEAR} to {figures.this_year()}."
            )
        own = None
        if state:
            own = State.objects.filter(pk=state.upper()).first()
            if own is None:
                raise CommandError(f"No state has the code {state!r}.")
        translation.activate("en")
        seen = disclosed_to(figures.report(year, today=today), own)
        if csv:
            exports.write_csv(seen, self.stdout)
            return
        columns = exports.scopes(seen)
        width = max(len(str(figure.label)) for figure in figures.FIGURES)
        self.stdout.write(f"Implementation of the Code in {year}")
        if seen.withheld:
            self.stdout.write("(comparisons withheld: one state alone is left unnamed)")
        self.stdout.write(" ".join([" " * width, *(f"{code:>8}" for code, _ in columns)]).rstrip())
        for figure in figures.FIGURES:
            values = [exports.shown(measures[figure.key]) or "-" for _, measures in columns]
            self.stdout.write(
                " ".join([f"{figure.label!s:<{width}}", *(f"{v:>8}" for v in values)])
            )
