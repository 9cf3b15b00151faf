"""Screening an application against what states shared: the denials in force and the
entities of concern named in end-user and diversion alerts, each under its own
``visible_to``; and watched applications, made from a screening, screened again as
denials and alerts arrive, ended by a decision or by their date (docs/architecture.md,
"Screening" and "Watched applications").

A watch remembers, per denial, the score its state was last told of (``WatchMatch``).
Screening it again tells the state of a denial only when the denial is new to the
watch at or above the threshold, or its score rose by ``RISE`` or more; so screening
again after the same event, or twice at once, tells nobody twice.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import State, User
from portal import audit
from portal.inputs import Conflict, refuse_unknown
from sharing.common import identifiers
from sharing.common.choices import RESCREENING_KINDS, EventKind
from sharing.common.models import Event
from sharing.common.querysets import as_state, reader_states
from sharing.common.services import clean_date, clean_text, record_event
from sharing.denials import screening
from sharing.denials import services as denials
from sharing.denials.models import Denial
from sharing.denials.services import SCREEN_FIELDS
from sharing.notices.models import Notice
from sharing.notices.querysets import NoticeQuerySet
from sharing.registry import services as registry
from sharing.screening.choices import Decision, WatchStatus
from sharing.screening.models import NoticeHit, Screening, ScreeningHit, Watch, WatchMatch

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


# --- Screening -------------------------------------------------------------------------------


def notice_facts(notice: Notice) -> screening.DenialFacts:
    """What the matcher knows of a notice (its entities prefetched): each entity of
    concern a party, its one control code if it names exactly one."""
    codes = list(notice.control_codes)
    return screening.DenialFacts(
        id=notice.pk,
        parties=tuple(
            screening.PartyFacts(
                role="entity",
                name=e.name,
                aliases=tuple(e.aliases),
                country=e.country,
                identifiers=tuple(identifiers.readable(e.identifiers)),
                ref=e.pk,
            )
            for e in notice.entities.all()
        ),
        control_entry=codes[0] if len(codes) == 1 else "",
        catch_all=False,
        item_description="",
    )


# One index of every screened notice, shared by all states in this process (each screens
# among the ids its visible_to returns); built again whenever one changes.
_NOTICE_INDEX: dict = {"stamp": None, "index": None}


def _notice_index() -> screening.ScreeningIndex:
    screened = Notice.objects.screened()
    stamp = tuple(screened.aggregate(n=Count("pk"), at=Max("updated_at")).values())
    if _NOTICE_INDEX["stamp"] != stamp:
        notices = screened.prefetch_related("entities")
        _NOTICE_INDEX["index"] = screening.prepare(notice_facts(n) for n in notices)
        _NOTICE_INDEX["stamp"] = stamp
    return _NOTICE_INDEX["index"]


def screened_ids(readable: NoticeQuerySet) -> frozenset:
    """The ids of the screened notices among ``readable`` (a ``visible_to`` queryset)."""
    return frozenset(readable.screened().values_list("pk", flat=True))


def notice_matching(
    candidate: screening.Transaction, readable: NoticeQuerySet | frozenset
) -> list[tuple[Notice, screening.Match]]:
    """The screened notices among ``readable`` (a ``visible_to`` queryset, or the ids
    ``screened_ids`` gave for one) naming an entity that matches ``candidate``, best
    first."""
    among = readable if isinstance(readable, frozenset) else screened_ids(readable)
    matches = screening.screen(candidate, _notice_index(), among=among)
    notices = (
        Notice.objects.select_related("author_state")
        .prefetch_related("entities")
        .in_bulk([m.denial_id for m in matches])
    )
    return [(notices[m.denial_id], m) for m in matches]


@dataclass
class ScreeningResult:
    screening: Screening
    matches: list  # of (Denial, screening.Match), best first
    notices: list  # of (Notice, screening.Match), best first


@transaction.atomic
def screen(*, by: User, request: HttpRequest | None = None, **data) -> ScreeningResult:
    """The denials in force and the screened notices that ``by``'s state may read and
    that match a candidate transaction, ranked, each with why it matched. Every
    screening is kept (who, what was searched, what was shown) and audited."""
    state = denials.check_can_screen(by)
    candidate = denials.clean_screening(data)
    found, named = _screened(candidate, _readable(by))
    record = Screening.objects.create(
        by=by, state=state, query={field: getattr(candidate, field) for field in SCREEN_FIELDS}
    )
    ScreeningHit.objects.bulk_create(
        ScreeningHit(screening=record, denial=denial, score=match.score) for denial, match in found
    )
    NoticeHit.objects.bulk_create(
        NoticeHit(screening=record, notice=notice, score=match.score) for notice, match in named
    )
    details = {"shown": [str(denial.pk) for denial, _match in found]}
    if named:
        details["notices"] = [str(notice.pk) for notice, _match in named]
    audit.record(audit.Action.SCREENING, request=request, actor=by, target=record, details=details)
    return ScreeningResult(record, found, named)


# --- Making a watch ---------------------------------------------------------------------------


def clean_watch(data: dict, *, by: User, today: datetime.date | None = None) -> dict:
    """The screening to watch (one ``by`` made), the application's reference (not
    already watched by ``by``'s state) and the decide-by date (from today to a year on)."""
    state = by.state
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
    found = screening_of(by, data.get("screening"))
    if found is None:
        errors["screening"] = _("Give the number of a screening you made.")
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


def screening_of(user: User, number) -> Screening | None:
    """The screening numbered ``number`` (an int or its digits) that ``user`` made, if
    any: what a colleague searched is theirs."""
    if isinstance(number, str) and number.isdecimal() and len(number) < 19:
        number = int(number)
    if isinstance(number, int) and not isinstance(number, bool) and 0 < number < 2**63:
        return Screening.objects.filter(pk=number, by=user, state_id=user.state_id).first()
    return None


def _transaction(watch: Watch) -> screening.Transaction:
    return screening.Transaction(**{field: getattr(watch, field) for field in SCREEN_FIELDS})


def create(*, by: User, request: HttpRequest | None = None, **data) -> Watch:
    """Keep screening what ``by``'s state screened until the application is decided.
    What that screening showed is known already; anything that matches now and did
    not then is told at once."""
    state = check_can_watch(by)
    _lapse(Watch.objects.filter(state=state))  # a reference past its date may be watched again
    cleaned = clean_watch(data, by=by)
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
                [
                    *(
                        WatchMatch(watch=made, denial_id=hit.denial_id, score=hit.score)
                        for hit in found.hits.all()
                    ),
                    *(
                        WatchMatch(watch=made, notice_id=hit.notice_id, score=hit.score)
                        for hit in found.notice_hits.all()
                    ),
                ]
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
    _tell_all(made, _found(*_matching(made, _readable(_official(state)))))
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


def current_matches(watch: Watch, *, by: User) -> tuple[list, list]:
    """What the watched transaction matches now, among what ``by`` may read: the
    denials, and the notices, each as (item, match), best first."""
    return _matching(watch, _readable(by))


# --- Screening again --------------------------------------------------------------------------


def _official(state: State) -> User:
    """Reads as the officers of ``state`` do: whom a watch's screening is done for."""
    return as_state(state, role=Role.OFFICER)


@dataclass(frozen=True)
class Readable:
    """What a screening looks at for ``reader``: the ids of the denials in force and of
    the screened notices they read."""

    reader: User
    denials: frozenset
    notices: frozenset


def _readable(reader: User) -> Readable:
    return Readable(
        reader,
        denials.in_force_ids(Denial.objects.visible_to(reader)),
        screened_ids(Notice.objects.visible_to(reader)),
    )


def _screened(candidate: screening.Transaction, readable: Readable) -> tuple[list, list]:
    """The denials and the notices matching ``candidate`` among ``readable``, each as
    (item, match), best first: by their names and identifiers, then through the
    registry of entities (the same entity, or a related one, named elsewhere)."""
    found = denials.matching(candidate, readable.denials)
    named = notice_matching(candidate, readable.notices)
    matched = [("denial", match) for _item, match in found]
    matched += [("notice", match) for _item, match in named]
    reached = registry.reach(readable.reader, matched, readable.denials, readable.notices)
    if reached:
        found = registry.merged(found, reached, "denial", _load_denials)
        named = registry.merged(named, reached, "notice", _load_notices)
    return found, named


def _load_denials(ids: list) -> dict:
    return Denial.objects.with_content().in_bulk(ids)


def _load_notices(ids: list) -> dict:
    return Notice.objects.select_related("author_state").prefetch_related("entities").in_bulk(ids)


def _matching(watch: Watch, readable: Readable) -> tuple[list, list]:
    return _screened(_transaction(watch), readable)


def _found(denied: list, named: list) -> list[tuple[Denial | Notice, screening.Match]]:
    return [*denied, *named]


def _lapse(watches, today: datetime.date | None = None) -> int:
    """Mark those of ``watches`` past their decide-by date as lapsed."""
    today = today or timezone.localdate()
    return watches.filter(status=WatchStatus.ACTIVE, decide_by__lt=today).update(
        status=WatchStatus.LAPSED
    )


def _reasons(match: screening.Match, watch: Watch) -> list[dict]:
    """Why it matched, as flags and figures (an event carries no shared text)."""
    reasons: list[dict] = [{"reason": "name", "percent": match.name_percent}]
    if match.destination:
        reasons.append({"reason": "destination", "country": watch.destination})
    if match.control:
        reasons.append({"reason": f"control_{match.control}", "entry": watch.control_entry})
    if match.identifier:
        reasons.append({"reason": "identifier"})
    reasons.extend({"reason": f"other_{conflict}"} for conflict in match.conflicts)
    if match.registry:
        reasons.append({"reason": "registry"})
    return reasons


def _still_screened_for(item: Denial | Notice, state_id: str) -> bool:
    """Whether ``item`` is still screened (in force, published) and read by the state."""
    if isinstance(item, Denial):
        screened = Denial.objects.in_force().filter(pk=item.pk).exists()
    else:
        screened = Notice.objects.screened().filter(pk=item.pk).exists()
    return screened and reader_states(item).filter(pk=state_id).exists()


def _tell(
    watch: Watch,
    item: Denial | Notice,
    match: screening.Match,
    today: datetime.date | None = None,
) -> bool:
    """Tell ``watch``'s state of ``match`` with ``item`` (a denial or a notice) unless it
    knows it already; True if told."""
    field = "denial" if isinstance(item, Denial) else "notice"
    with transaction.atomic():
        # Decided or lapsed since this screening began, or the item revoked, withdrawn
        # or narrowed away meanwhile: nothing to tell.
        if Watch.objects.active(today).select_for_update().filter(pk=watch.pk).first() is None:
            return False
        if not _still_screened_for(item, watch.state_id):
            return False
        known = WatchMatch.objects.select_for_update().filter(watch=watch, **{field: item}).first()
        if known is not None and match.score < known.score + RISE:
            return False
        now = timezone.now()
        previous = known.score if known is not None else None
        if known is None:
            try:
                with transaction.atomic():
                    WatchMatch.objects.create(
                        watch=watch, score=match.score, first_at=now, told_at=now, **{field: item}
                    )
            except IntegrityError:  # told by a screening running at the same moment
                return False
        else:
            known.score, known.told_at = match.score, now
            known.save(update_fields=["score", "told_at"])
        record_event(
            EventKind.SCREENING_NEW_MATCH,
            item,
            None,
            watch=watch,
            score=match.score,
            previous_score=previous,
            reasons=_reasons(match, watch),
        )
    return True


def _tell_all(
    watch: Watch,
    found: Iterable[tuple[Denial | Notice, screening.Match]],
    today: datetime.date | None = None,
) -> int:
    return sum(_tell(watch, item, match, today) for item, match in found)


def _announced(event: Event) -> tuple[Denial | Notice, screening.ScreeningIndex] | None:
    """The item an event announced, if it is screened now, with an index of it alone."""
    if event.denial_id is not None:
        denial = Denial.objects.in_force().with_content().filter(pk=event.denial_id).first()
        return None if denial is None else (denial, screening.prepare([denials.facts_of(denial)]))
    if event.notice_id is not None:
        notices = Notice.objects.screened().filter(pk=event.notice_id)
        notice = notices.prefetch_related("entities").first()
        return None if notice is None else (notice, screening.prepare([notice_facts(notice)]))
    return None


def rescreen_event(event_id: int, today: datetime.date | None = None) -> int:
    """Screen the active watches of the states that read the item an event announced (a
    denial notified, amended or renewed; an end-user or diversion alert published or
    amended) against that item. Returns how many were told. An item no longer screened
    (revoked, expired, withdrawn), a state no longer among its readers, a decided or
    lapsed watch: nothing."""
    event = Event.objects.filter(pk=event_id, kind__in=RESCREENING_KINDS).first()
    announced = None if event is None else _announced(event)
    if announced is None:
        return 0
    item, index = announced
    watches = Watch.objects.active(today).filter(state__in=reader_states(item))
    told = 0
    for watched in watches.iterator(chunk_size=500):
        for match in screening.screen(_transaction(watched), index):
            told += _tell(watched, item, match, today)
    return told


def rescreen_all(today: datetime.date | None = None) -> dict:
    """Screen every active watch against everything its state reads, and mark the
    watches past their date as lapsed: what a lost event would have told is told here
    (hourly, by beat)."""
    today = today or timezone.localdate()
    lapsed = _lapse(Watch.objects.all(), today)
    told = 0
    # State by state: what each state reads is read once, and only one state's at a time.
    watching = Watch.objects.active(today).select_related("state").order_by("state_id", "pk")
    for _state, watches in itertools.groupby(
        watching.iterator(chunk_size=500), key=lambda watched: watched.state_id
    ):
        readable = None
        for watched in watches:
            readable = readable or _readable(_official(watched.state))
            told += _tell_all(watched, _found(*_matching(watched, readable)), today)
    return {"lapsed": lapsed, "told": told}
