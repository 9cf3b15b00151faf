"""The figures of the implementation report: what each state shared, acknowledged and
answered in a year, computed live from what the portal holds (docs/architecture.md,
"Implementation reports").

Everything is counted for every state at once, in a fixed number of queries however
many items there are (one more per distinct time zone of the states, for the dates of
acknowledgements): a page then picks what its reader may see (``sharing.reports.views``).
A year is a calendar year in UTC; a working day is one of the receiving state's own
(``sharing.denials.workdays``: weekends and its public holidays do not count).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import statistics
from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharing.denials.workdays import add_working_days, local_date, working_days_between

# How many of its working days a state has to acknowledge a notice in time.
ACK_WORKING_DAYS = 10

COUNT, SHARE, MEDIAN = "count", "share", "median"

# The first year a report can be asked for: the portal's data starts after it.
FIRST_YEAR = 2020


def this_year() -> int:
    return timezone.now().astimezone(datetime.UTC).year


def reported(year: int) -> bool:
    """Whether there is a report (and a questionnaire) for ``year``."""
    return FIRST_YEAR <= year <= this_year()


@dataclasses.dataclass(frozen=True)
class Figure:
    """One line of the report: what it is called, how it is counted (shown next to it),
    and whether it is a count (with a monthly series), a share or a median."""

    key: str
    label: Promise
    definition: Promise
    kind: str = COUNT


FIGURES = (
    Figure(
        "notices_published",
        _("Notices published"),
        _("Threat and risk notices the state published for the first time in the year."),
    ),
    Figure(
        "notices_amended",
        _("Notice amendments"),
        _("New versions of the state's notices published in the year (material or minor)."),
    ),
    Figure(
        "notices_withdrawn",
        _("Notices withdrawn"),
        _("The state's notices withdrawn in the year."),
    ),
    Figure(
        "notices_received",
        _("Notices received"),
        _("Notices of other states, first published in the year, that reached the state."),
    ),
    Figure(
        "acknowledgements",
        _("Acknowledgements given"),
        _("Acknowledgements the state recorded in the year, of any notice and version."),
    ),
    Figure(
        "acknowledged_in_time",
        _("Notices acknowledged in time"),
        _(
            "Of the notices received whose time to acknowledge has ended, the share the "
            "state acknowledged within 10 of its working days of their publication."
        ),
        SHARE,
    ),
    Figure(
        "acknowledgement_days",
        _("Median time to acknowledge"),
        _(
            "Working days of the state from a received notice's publication to its first "
            "acknowledgement, for the notices it acknowledged (the median)."
        ),
        MEDIAN,
    ),
    Figure(
        "denials_notified",
        _("Licence denials notified"),
        _("Licence denials the state notified for the first time in the year."),
    ),
    Figure(
        "consultations_received",
        _("Consultations received"),
        _("Consultations other states opened in the year about the state's denials."),
    ),
    Figure(
        "consultations_in_time",
        _("Consultations answered on time"),
        _(
            "Of the consultations received that were answered or are past their due date, "
            "the share answered by the due date."
        ),
        SHARE,
    ),
    Figure(
        "consultation_days",
        _("Median time to answer a consultation"),
        _(
            "Working days of the state from a consultation's opening to its answer, for "
            "the consultations answered (the median)."
        ),
        MEDIAN,
    ),
    Figure(
        "practices_published",
        _("Best practices published"),
        _("Best practices the state led, published for the first time in the year."),
    ),
    Figure(
        "practices_endorsed",
        _("Endorsements received"),
        _("Other states' endorsements of the state's best practices, given in the year."),
    ),
    Figure(
        "practices_adopted",
        _("Adoptions by others"),
        _("Other states that adopted one of the state's best practices in the year."),
    ),
    Figure(
        "advisories_released",
        _("Advisories released to industry"),
        _("Advisories for industry the state released for the first time in the year."),
    ),
    Figure(
        "comment_windows",
        _("Comment windows opened"),
        _("Public comment windows the state opened on its best practices in the year."),
    ),
)

BY_KEY = {figure.key: figure for figure in FIGURES}


@dataclasses.dataclass
class Measure:
    """What a figure holds for one state, or for several combined: a count (with its
    twelve months), a share (``count`` of ``total``) or the samples of a median."""

    kind: str
    count: int = 0
    total: int = 0
    months: list[int] = dataclasses.field(default_factory=lambda: [0] * 12)
    samples: list[int] = dataclasses.field(default_factory=list)

    @property
    def value(self) -> float | None:
        """The figure: the count, the share in percent (None of nothing), the median
        (None without samples)."""
        if self.kind == COUNT:
            return self.count
        if self.kind == SHARE:
            return round(100 * self.count / self.total, 1) if self.total else None
        if not self.samples:
            return None
        middle = statistics.median(self.samples)
        return int(middle) if float(middle).is_integer() else middle

    def add(self, count: int, month: int | None = None) -> None:
        self.count += count
        if month is not None:
            self.months[month - 1] += count

    @classmethod
    def combined(cls, measures: Iterable[Measure], kind: str) -> Measure:
        """The figure of several states together: counts and shares added up, medians
        taken over all their samples."""
        together = cls(kind)
        for measure in measures:
            together.count += measure.count
            together.total += measure.total
            together.months = [a + b for a, b in zip(together.months, measure.months, strict=True)]
            together.samples += measure.samples
        return together


@dataclasses.dataclass
class Report:
    """A year's figures for every state, by state code and figure key; the notices
    each state published by kind and marking; and how many items each state shared with
    each other (notices, best practices and denials whose first version reached it)."""

    year: int
    states: list
    figures: dict[str, dict[str, Measure]]
    notice_kinds: dict[str, dict[tuple[str, str], int]]
    shared: dict[tuple[str, str], int]

    def of(self, code: str) -> dict[str, Measure]:
        return self.figures[code]

    def together(self, codes: Iterable[str] | None = None) -> dict[str, Measure]:
        """The figures of the states ``codes`` (every state if None) combined."""
        chosen = list(self.figures) if codes is None else list(codes)
        return {
            figure.key: Measure.combined(
                (self.figures[code][figure.key] for code in chosen), figure.kind
            )
            for figure in FIGURES
        }


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    return start, start.replace(year=year + 1)


def report(year: int, *, today: datetime.date | None = None) -> Report:
    """Every state's figures for ``year``; ``today`` (a date in UTC) decides which
    times to answer have ended."""
    State = apps.get_model("accounts", "State")
    states = list(State.objects.order_by("name"))
    now = (
        timezone.now()
        if today is None
        else datetime.datetime.combine(today, datetime.time(12), tzinfo=datetime.UTC)
    )
    figures = {
        state.code: {figure.key: Measure(figure.kind) for figure in FIGURES} for state in states
    }
    notice_kinds: dict[str, dict[tuple[str, str], int]] = {s.code: defaultdict(int) for s in states}
    bounds = year_bounds(year)
    _versions(bounds, figures, notice_kinds)
    _withdrawals(bounds, figures)
    _acknowledgements_given(bounds, figures)
    _acknowledgement_times(bounds, states, figures, now)
    _consultations(bounds, states, figures, now)
    _endorsements(bounds, figures)
    _comment_windows(bounds, figures)
    return Report(
        year, states, figures, {k: dict(v) for k, v in notice_kinds.items()}, _shared(bounds)
    )


# --- The queries ---------------------------------------------------------------------------

# The state that wrote the item a version belongs to, whatever its kind.
_OWNER = Coalesce(
    "notice__author_state_id",
    "best_practice__lead_state_id",
    "denial__state_id",
    "advisory__author_state_id",
)
_ITEM = Case(
    When(notice__isnull=False, then=Value("notice")),
    When(best_practice__isnull=False, then=Value("practice")),
    When(denial__isnull=False, then=Value("denial")),
    default=Value("advisory"),
)
_FIRST = {
    "notice": "notices_published",
    "practice": "practices_published",
    "denial": "denials_notified",
    "advisory": "advisories_released",
}
_UTC = datetime.UTC


def _in(field: str, bounds) -> Q:
    return Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


def _versions(bounds, figures, notice_kinds) -> None:
    """First publications and amendments: the versions published in the year."""
    Revision = apps.get_model("sharing", "Revision")
    rows = (
        Revision.objects.filter(_in("created_at", bounds))
        .annotate(owner=_OWNER, item=_ITEM, month=ExtractMonth("created_at", tzinfo=_UTC))
        .values("owner", "item", "change_kind", "month", "notice__kind", "tlp")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        measures = figures[row["owner"]]
        if row["change_kind"] == "initial":
            measures[_FIRST[row["item"]]].add(row["n"], row["month"])
            if row["item"] == "notice":
                notice_kinds[row["owner"]][(row["notice__kind"], row["tlp"])] += row["n"]
        elif row["item"] == "notice":
            measures["notices_amended"].add(row["n"], row["month"])


def _counted(queryset, owner: str, moment: str, key: str, figures) -> None:
    rows = (
        queryset.annotate(month=ExtractMonth(moment, tzinfo=_UTC))
        .values(owner, "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        figures[row[owner]][key].add(row["n"], row["month"])


def _withdrawals(bounds, figures) -> None:
    Notice = apps.get_model("sharing", "Notice")
    withdrawn = Notice.objects.filter(_in("withdrawn_at", bounds))
    _counted(withdrawn, "author_state", "withdrawn_at", "notices_withdrawn", figures)


def _acknowledgements_given(bounds, figures) -> None:
    Acknowledgement = apps.get_model("sharing", "Acknowledgement")
    given = Acknowledgement.objects.filter(_in("first_acknowledged_at", bounds))
    _counted(given, "state", "first_acknowledged_at", "acknowledgements", figures)


def _endorsements(bounds, figures) -> None:
    Endorsement = apps.get_model("sharing", "Endorsement")
    others = Endorsement.objects.filter(_in("created_at", bounds)).exclude(
        state=F("best_practice__lead_state")
    )
    for kind, key in (("endorsed", "practices_endorsed"), ("adopted", "practices_adopted")):
        mine = others.filter(kind=kind)
        _counted(mine, "best_practice__lead_state", "created_at", key, figures)


def _comment_windows(bounds, figures) -> None:
    CommentWindow = apps.get_model("sharing", "CommentWindow")
    opened = CommentWindow.objects.filter(_in("opened_at", bounds))
    _counted(opened, "best_practice__lead_state", "opened_at", "comment_windows", figures)


@functools.lru_cache(maxsize=256)
def _offsets(zone, year: int) -> tuple:
    """The UTC offsets of ``zone`` at every hour of ``year`` and of the first month of the
    next (where a late acknowledgement falls): zones that agree on them give those
    moments the same date. A zone whose rules change later, or on the half hour, could
    differ by a day on an acknowledgement after that: the median could move, not the
    share in time, whose deadlines fall within the sampled days."""
    start = datetime.datetime(year, 1, 1, tzinfo=_UTC)
    return tuple(zone.utcoffset(start + datetime.timedelta(hours=hour)) for hour in range(24 * 400))


def _by_zone(states, year: int) -> dict:
    """The states grouped by the dates their zones give in ``year``: one query each."""
    zones: dict = defaultdict(list)
    first: dict = {}
    for state in states:
        zone = first.setdefault(_offsets(state.zone, year), state.zone)
        zones[zone].append(state)
    return zones


def _acknowledgement_times(bounds, states, figures, now) -> None:
    """For each notice first published in the year and each other state its first
    version reached: the dates, in that state's zone, of the publication and of the
    state's first acknowledgement. Grouped by those dates (one query per time zone),
    then counted in the state's working days."""
    Reached = apps.get_model("sharing", "Revision").reached_states.through
    Acknowledgement = apps.get_model("sharing", "Acknowledgement")
    first_ack = (
        Acknowledgement.objects.filter(
            notice_id=OuterRef("revision__notice_id"), state_id=OuterRef("state_id")
        )
        .order_by("first_acknowledged_at")
        .values("first_acknowledged_at")[:1]
    )
    received = Reached.objects.filter(
        _in("revision__created_at", bounds),
        revision__notice__isnull=False,
        revision__change_kind="initial",
    ).exclude(state_id=F("revision__notice__author_state_id"))
    for zone, members in _by_zone(states, bounds[0].year).items():
        by_code = {state.code: state for state in members}
        rows = (
            received.filter(state_id__in=list(by_code))
            .annotate(
                published=TruncDate("revision__created_at", tzinfo=zone),
                acknowledged=TruncDate(Subquery(first_ack), tzinfo=zone),
                withdrawn=TruncDate("revision__notice__withdrawn_at", tzinfo=zone),
            )
            .values("state_id", "published", "acknowledged", "withdrawn")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            state = by_code[row["state_id"]]
            measures = figures[state.code]
            measures["notices_received"].add(row["n"])
            published, acknowledged = row["published"], row["acknowledged"]
            deadline = add_working_days(published, ACK_WORKING_DAYS, state.code)
            in_time = acknowledged is not None and acknowledged <= deadline
            # Withdrawn before its time ended, unacknowledged: it could not be any more.
            cut_short = acknowledged is None and row["withdrawn"] is not None
            cut_short = cut_short and row["withdrawn"] <= deadline
            if in_time or (deadline < local_date(now, state) and not cut_short):
                timely = measures["acknowledged_in_time"]
                timely.total += row["n"]
                timely.count += row["n"] if in_time else 0
            if acknowledged is not None:
                days = working_days_between(published, acknowledged, state.code)
                measures["acknowledgement_days"].samples += [days] * row["n"]


def _consultations(bounds, states, figures, now) -> None:
    """Consultations opened in the year, for the state whose denial they are about."""
    Consultation = apps.get_model("sharing", "Consultation")
    by_code = {state.code: state for state in states}
    rows = Consultation.objects.filter(_in("opened_at", bounds)).values_list(
        "denial__state_id", "opened_at", "due_on", "answered_at", "outcome", "outcome_at"
    )
    for code, opened_at, due_on, answered_at, outcome, outcome_at in rows:
        state, measures = by_code[code], figures[code]
        measures["consultations_received"].add(1, opened_at.astimezone(_UTC).month)
        answered = local_date(answered_at, state) if answered_at else None
        # The application withdrawn before the answer was due: nothing was late.
        withdrawn = answered is None and outcome == "withdrawn" and outcome_at is not None
        withdrawn = withdrawn and local_date(outcome_at, state) <= due_on
        if answered is not None or (due_on < local_date(now, state) and not withdrawn):
            timely = measures["consultations_in_time"]
            timely.total += 1
            timely.count += answered is not None and answered <= due_on
        if answered is not None:
            days = working_days_between(local_date(opened_at, state), answered, state.code)
            measures["consultation_days"].samples.append(days)


def _shared(bounds) -> dict[tuple[str, str], int]:
    """How many notices, best practices and denials, first published in the year, each
    state's first version reached in each other state: (from, to) -> count."""
    Reached = apps.get_model("sharing", "Revision").reached_states.through
    owner = Coalesce(
        "revision__notice__author_state_id",
        "revision__best_practice__lead_state_id",
        "revision__denial__state_id",
    )
    rows = (
        Reached.objects.filter(
            _in("revision__created_at", bounds),
            revision__change_kind="initial",
            revision__advisory__isnull=True,
        )
        .annotate(owner=owner)
        .exclude(state_id=F("owner"))
        .values("owner", "state_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["owner"], row["state_id"]): row["n"] for row in rows}
