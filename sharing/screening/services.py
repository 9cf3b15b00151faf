"""Watched applications: made from a screening, screened again as denials arrive, ended
by a decision or by their date (docs/architecture.md, "Watched applications").

A watch remembers, per denial, the score its state was last told of (``WatchMatch``).
Screening it again tells the state of a denial only when the denial is new to the
watch at or above the threshold, or its score rose by ``RISE`` or more; so screening
again after the same event, or twice at once, tells nobody twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import State, User
from portal import audit
from portal.inputs import Conflict, refuse_unknown
from sharing.common.choices import RESCREENING_KINDS, EventKind
from sharing.common.models import Event
from sharing.common.querysets import reader_states
from sharing.common.services import clean_date, clean_text, record_event
from sharing.denials import screening
from sharing.denials import services as denials
from sharing.denials.models import Denial, Screening
from sharing.denials.querysets import DenialQuerySet
from sharing.denials.services import SCREEN_FIELDS
from sharing.screening.choices import Decision, WatchStatus
from sharing.screening.models import Watch, WatchMatch

RISE = 10  # points a known match must gain to be told again
MOST_DAYS = 366  # a decide-by date at most a year away
WATCH_FIELDS = ("screening", "application_reference", "decide_by")


# --- Who may ----------------------------------------------------------------------------------


def check_can_watch(by: User) -> State:
    """Those who screen (officers and admins) watch what they screened."""
    return denials.check_can_screen(by)


def check_can_decide(watch: Watch, by: User) -> None:
    state = check_can_watch(by)
    if watch.state_id != state.pk:
        raise PermissionDenied(_("Only the watching state records the decision."))


def can_watch(by: User) -> bool:
    try:
        check_can_watch(by)
    except PermissionDenied:
        return False
    return True


# --- Making a watch ---------------------------------------------------------------------------


def clean_watch(data: dict, *, state: State, today: datetime.date | None = None) -> dict:
    """The screening to watch (one of ``state``'s), the application's reference (not
    already watched by ``state``) and the decide-by date (from today to a year on)."""
    refuse_unknown(data, WATCH_FIELDS)
    today = today or timezone.localdate()
    errors: dict = {}
    reference = clean_text(
        data.get("application_reference"), "application_reference", 64, required=True, errors=errors
    )
    decide_by = clean_date(data.get("decide_by"), "decide_by", errors, required=True)
    if decide_by is not None and decide_by > today + datetime.timedelta(days=MOST_DAYS):
        errors["decide_by"] = _("At most a year from today: %(day)s or earlier.") % {
            "day": (today + datetime.timedelta(days=MOST_DAYS)).isoformat()
        }
    found = screening_of(state, data.get("screening"))
    if found is None:
        errors["screening"] = _("Give the number of a screening made by your state.")
    if (
        "application_reference" not in errors
        and Watch.objects.filter(
            state=state, application_reference=reference, status=WatchStatus.ACTIVE
        ).exists()
    ):
        errors["application_reference"] = _("Your state already watches this application.")
    if errors:
        raise ValidationError(errors)
    return {"screening": found, "application_reference": reference, "decide_by": decide_by}


def screening_of(state: State, number) -> Screening | None:
    """``state``'s screening numbered ``number`` (an int or its digits), if any."""
    if isinstance(number, str) and number.isdecimal() and len(number) < 19:
        number = int(number)
    if isinstance(number, int) and not isinstance(number, bool) and 0 < number < 2**63:
        return Screening.objects.filter(pk=number, state=state).first()
    return None


def _transaction(watch: Watch) -> screening.Transaction:
    return screening.Transaction(**{field: getattr(watch, field) for field in SCREEN_FIELDS})


def create(*, by: User, request: HttpRequest | None = None, **data) -> Watch:
    """Keep screening what ``by``'s state screened until the application is decided.
    What that screening showed is known already; anything that matches now and did
    not then is told at once."""
    state = check_can_watch(by)
    cleaned = clean_watch(data, state=state)
    found = cleaned["screening"]
    try:
        with transaction.atomic():
            made = Watch.objects.create(
                state=state,
                owner=by,
                screening=found,
                application_reference=cleaned["application_reference"],
                decide_by=cleaned["decide_by"],
                **{field: found.query.get(field, "") for field in SCREEN_FIELDS},
            )
            WatchMatch.objects.bulk_create(
                WatchMatch(watch=made, denial_id=hit.denial_id, score=hit.score, first_at=found.at)
                for hit in found.hits.all()
            )
            audit.record(
                audit.Action.WATCH_CREATED,
                request=request,
                actor=by,
                target=made,
                details={"screening": found.pk},
            )
    except IntegrityError:  # the same reference, watched at the same moment
        raise ValidationError(
            {"application_reference": _("Your state already watches this application.")}
        ) from None
    _tell_all(made, denials.matching(_transaction(made), _readable(state)))
    return made


def decide(watch: Watch, *, by: User, outcome: str, request: HttpRequest | None = None) -> Watch:
    """Record how the application ended: the watch ends with it."""
    check_can_decide(watch, by)
    if outcome not in Decision.values:
        raise ValidationError({"outcome": _("Choose granted, refused or withdrawn.")})
    with transaction.atomic():
        locked = Watch.objects.select_for_update().get(pk=watch.pk)
        if not locked.is_active:
            raise Conflict(_("This application is no longer watched: it was decided or lapsed."))
        locked.status = outcome
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.save(update_fields=["status", "decided_at", "decided_by"])
        audit.record(
            audit.Action.WATCH_DECIDED,
            request=request,
            actor=by,
            target=locked,
            details={"outcome": outcome},
        )
    return locked


def current_matches(watch: Watch, *, by: User) -> list[tuple[Denial, screening.Match]]:
    """What the watched transaction matches now, among the denials ``by`` may read."""
    return denials.matching(_transaction(watch), Denial.objects.visible_to(by))


# --- Screening again --------------------------------------------------------------------------


def _readable(state: State):
    return Denial.objects.visible_to_officials_of(state)


def _reasons(match: screening.Match, watch: Watch) -> list[dict]:
    """Why it matched, as flags and figures (an event carries no shared text)."""
    reasons: list[dict] = [{"reason": "name", "percent": match.name_percent}]
    if match.destination:
        reasons.append({"reason": "destination", "country": watch.destination})
    if match.control:
        reasons.append({"reason": f"control_{match.control}", "entry": watch.control_entry})
    return reasons


def _tell(watch: Watch, denial: Denial, match: screening.Match) -> bool:
    """Tell ``watch``'s state of ``match`` unless it knows it already; True if told."""
    with transaction.atomic():
        known = WatchMatch.objects.select_for_update().filter(watch=watch, denial=denial).first()
        if known is not None and match.score < known.score + RISE:
            return False
        now = timezone.now()
        previous = known.score if known is not None else None
        if known is None:
            try:
                with transaction.atomic():
                    WatchMatch.objects.create(
                        watch=watch, denial=denial, score=match.score, first_at=now, told_at=now
                    )
            except IntegrityError:  # told by a screening running at the same moment
                return False
        else:
            known.score, known.told_at = match.score, now
            known.save(update_fields=["score", "told_at"])
        record_event(
            EventKind.SCREENING_NEW_MATCH,
            denial,
            None,
            watch=watch,
            score=match.score,
            previous_score=previous,
            reasons=_reasons(match, watch),
        )
    return True


def _tell_all(watch: Watch, found: Iterable[tuple[Denial, screening.Match]]) -> int:
    return sum(_tell(watch, denial, match) for denial, match in found)


def rescreen_event(event_id: int, today: datetime.date | None = None) -> int:
    """Screen the active watches of the states that read the denial an event announced
    (notified, amended, renewed) against that denial. Returns how many were told. A
    denial no longer in force, a state no longer among its readers, a decided or lapsed
    watch: nothing."""
    event = Event.objects.select_related("denial").filter(pk=event_id).first()
    if event is None or event.kind not in RESCREENING_KINDS or event.denial_id is None:
        return 0
    denial = Denial.objects.in_force().with_content().filter(pk=event.denial_id).first()
    if denial is None:
        return 0
    index = screening.prepare([denials.facts_of(denial)])
    watches = Watch.objects.active(today).filter(state__in=reader_states(denial))
    told = 0
    for watched in watches.select_related("state").iterator(chunk_size=500):
        for match in screening.screen(_transaction(watched), index):
            told += _tell(watched, denial, match)
    return told


def rescreen_all(today: datetime.date | None = None) -> dict:
    """Screen every active watch against every denial its state reads, and mark the
    watches past their date as lapsed: what a lost event would have told is told here
    (hourly, by beat)."""
    today = today or timezone.localdate()
    lapsed = Watch.objects.filter(status=WatchStatus.ACTIVE, decide_by__lt=today).update(
        status=WatchStatus.LAPSED
    )
    told = 0
    readable: dict[str, DenialQuerySet] = {}
    for watched in Watch.objects.active(today).select_related("state").iterator(chunk_size=500):
        if watched.state_id not in readable:
            readable[watched.state_id] = _readable(watched.state)
        found = denials.matching(_transaction(watched), readable[watched.state_id])
        told += _tell_all(watched, found)
    return {"lapsed": lapsed, "told": told}
