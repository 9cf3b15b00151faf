"""The only place that changes licence denials and consultations, and that screens.

As for notices: each act takes the acting user as ``by=``, checks the right to act
(``PermissionDenied``) and the input (``ValidationError`` keyed by field), locks the
row, and writes the change, its audit row and its outbox ``Event`` in one transaction.
The acts of the portal itself (a review date passing, a deadline nearing) take
``by=None``; each claims its row with a conditional UPDATE, so beat on two hosts acts
once.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import State, User
from portal import audit
from portal.countries import validate_country_code
from portal.inputs import CONTROL, Conflict, refuse_unknown
from sharing.common import identifiers, validators
from sharing.common.choices import TLP, Audience, EventKind
from sharing.common.lifecycle import Lifecycle
from sharing.common.querysets import reading_state, recipient_choices
from sharing.common.services import (
    MAX_NOTE,
    as_predicate,
    check_can_author,
    clean_choice,
    clean_date,
    clean_states,
    clean_text,
    comparable,
    record_event,
    replace_named_rows,
)
from sharing.denials import screening, workdays
from sharing.denials.choices import (
    DENIALS_IN_FORCE,
    ConsultationOutcome,
    ConsultationStatus,
    DenialReason,
    DenialStatus,
    PartyRole,
)
from sharing.denials.models import (
    Consultation,
    ConsultationMessage,
    Denial,
    DenialParty,
    review_date,
)
from sharing.denials.querysets import DenialQuerySet, screening_state

MAX_DESCRIPTION = 5000
MAX_PARTIES = 10
# A consultation is answered within this many working days of the denying state, or
# within the longer time it sets once, up to the most.
CONSULTATION_DAYS = 10
CONSULTATION_MOST_DAYS = 30
# Reminders of the review date, in days before it; of a consultation's deadline, in
# working days before it (and on the day).
REVIEW_REMINDERS = (60, 14)
EARLY_REMINDER_WORKING_DAYS = 3

DENIAL_FIELDS = (
    "national_reference",
    "decided_on",
    "control_entry",
    "catch_all",
    "item_description",
    "end_use",
    "reason_category",
    "reason",
    "parties",
    "review_on",
    "tlp",
    "audience",
    "recipient_states",
)


# --- Who may do what ------------------------------------------------------------------------


def check_can_notify(by: User) -> State:
    """Officers and admins of a subscribing state notify denials."""
    return check_can_author(by)


def check_can_change(denial: Denial, by: User) -> None:
    """Only the notifying state's officers and admins amend, revoke or renew."""
    state = check_can_author(by)
    if denial.state_id != state.pk:
        raise PermissionDenied(_("Only the notifying state's officers and admins can do this."))


def check_can_consult(denial: Denial, by: User) -> State:
    """Officers and admins of another subscribing state that reads a denial in force
    consult the denying state about it."""
    state = check_can_author(by)
    if denial.state_id == state.pk:
        raise PermissionDenied(_("A state does not consult itself about its own denial."))
    if not denial.in_force:
        raise PermissionDenied(_("Only a denial in force is consulted about."))
    if not Denial.objects.visible_to(by).filter(pk=denial.pk).exists():
        raise PermissionDenied(_("This denial is not shared with your state."))
    return state


def _side(consultation: Consultation, by: User) -> str:
    """ "consulting" or "denying": which of the two states ``by`` speaks for (their
    officers and admins only)."""
    state = reading_state(by)
    if state is None or by.role not in {Role.STATE_ADMIN, Role.OFFICER}:
        raise PermissionDenied(_("Only officers and admins speak for their state."))
    if state.pk == consultation.consulting_state_id:
        return "consulting"
    if state.pk == consultation.denial.state_id:
        return "denying"
    raise PermissionDenied(_("Only the two states of a consultation take part in it."))


def check_can_answer(consultation: Consultation, by: User) -> None:
    if _side(consultation, by) != "denying":
        raise PermissionDenied(_("Only the denying state answers."))


def check_can_record_outcome(consultation: Consultation, by: User) -> None:
    if _side(consultation, by) != "consulting":
        raise PermissionDenied(_("Only the consulting state records the outcome."))


def check_can_write_in(consultation: Consultation, by: User) -> State:
    """Returns the state ``by`` writes for (``_side`` has made sure they have one)."""
    _side(consultation, by)
    return cast(State, by.state)


def check_can_screen(by: User) -> State:
    """Officers and admins of a state that reads denials screen applications."""
    state = screening_state(by)
    if state is None:
        raise PermissionDenied(_("Officers and admins screen applications."))
    return state


can_change = as_predicate(check_can_change)
can_consult = as_predicate(check_can_consult)
can_answer = as_predicate(check_can_answer)
can_record_outcome = as_predicate(check_can_record_outcome)
can_write_in = as_predicate(check_can_write_in)
can_screen = as_predicate(check_can_screen)


# --- Checking a denial's content ------------------------------------------------------------


def _clean_control_entry(data: dict, errors: dict) -> tuple[str, bool]:
    catch_all = data.get("catch_all", False)
    if not isinstance(catch_all, bool):
        errors["catch_all"] = _("Say yes or no.")
        return "", False
    entry = data.get("control_entry") or ""
    if not isinstance(entry, str):
        errors["control_entry"] = _("Must be text.")
        return "", catch_all
    entry = entry.strip()
    if catch_all and entry:
        errors["control_entry"] = _("A non-listed (catch-all) item has no control-list entry.")
    elif not catch_all and not entry:
        errors["control_entry"] = _("Give the control-list entry, or say it is non-listed.")
    elif entry:
        entry = _clean_entry(entry, errors)
    return entry, catch_all


def _clean_entry(entry: str, errors: dict) -> str:
    """A control-list entry as every denial and transaction writes it (5A001.j); what
    is wrong goes into ``errors``, and the entry is returned as given."""
    try:
        return validators.clean_control_codes([entry])[0]
    except ValidationError as error:
        errors["control_entry"] = error.messages
        return entry


def _clean_destination(code: str, errors: dict) -> str:
    """A destination as a country code, in capitals; what is wrong goes into
    ``errors``."""
    code = code.upper()
    try:
        validate_country_code(code)
    except ValidationError as error:
        errors["destination"] = error.messages
    return code


def _clean_party(value, number: int, errors: list) -> dict | None:
    if not isinstance(value, dict):
        errors.append(
            _("party %(n)d: give it as an object with a role and a name.") % {"n": number}
        )
        return None
    problems: dict[str, Any] = {}
    role = value.get("role")
    if role not in PartyRole.values:
        problems["role"] = _("end_user or consignee")
    try:
        entity = validators.clean_entity(
            {
                "name": value.get("name"),
                "aliases": value.get("aliases") or [],
                "country": value.get("country") or "",
            }
        )
    except ValidationError as error:
        problems.update(error.message_dict)
        entity = None
    address = value.get("address") or ""
    if not isinstance(address, str) or len(address) > 1000 or CONTROL.search(address):
        problems["address"] = [_("An address is text of at most 1,000 characters.")]
    if problems or entity is None:
        details = "; ".join(
            f"{field}: {' '.join(m) if isinstance(m, list) else m}" for field, m in problems.items()
        )
        errors.append(_("party %(n)d: %(details)s") % {"n": number, "details": details})
        return None
    return {
        "role": role,
        "name": entity["name"],
        "aliases": entity["aliases"],
        "country": entity["country"],
        "address": address.strip(),
    }


def _clean_parties(values, errors: dict) -> list[dict]:
    if not isinstance(values, list | tuple) or not values:
        errors["parties"] = [_("Name the end-user (and the consignee, if another).")]
        return []
    if len(values) > MAX_PARTIES:
        errors["parties"] = [_("At most %(n)d parties.") % {"n": MAX_PARTIES}]
        return []
    problems: list = []
    cleaned = [_clean_party(value, n, problems) for n, value in enumerate(values, start=1)]
    parties = [party for party in cleaned if party is not None]
    if problems:  # a party that was refused said why here
        errors["parties"] = problems
        return []
    if not any(party["role"] == PartyRole.END_USER for party in parties):
        errors["parties"] = [_("Name the end-user.")]
    return parties


def clean(data: dict, *, state: State) -> dict:
    """Check every field of a denial and return them normalised; one ValidationError
    names every field that is wrong. The review date defaults to three years after the
    decision; the marking to AMBER; the audience to every subscribing state."""
    refuse_unknown(data, DENIAL_FIELDS)
    errors: dict = {}
    decided_on = clean_date(
        data.get("decided_on"), "decided_on", errors, required=True, not_past=False
    )
    if decided_on and decided_on > timezone.localdate():
        errors["decided_on"] = _("The decision cannot be in the future.")
    review_on = clean_date(data.get("review_on"), "review_on", errors, not_past=False)
    if review_on is None and decided_on and not {"decided_on", "review_on"} & set(errors):
        # Only from a decision in the past: three years after 9999 is no date at all.
        review_on = review_date(decided_on)
    if review_on and decided_on and review_on <= decided_on:
        errors["review_on"] = _("The review comes after the decision.")
    control_entry, catch_all = _clean_control_entry(data, errors)
    tlp = data.get("tlp") or TLP.AMBER
    audience = data.get("audience") or Audience.SUBSCRIBING
    cleaned: dict[str, Any] = {
        "national_reference": clean_text(
            data.get("national_reference"), "national_reference", 64, required=True, errors=errors
        ),
        "decided_on": decided_on,
        "review_on": review_on,
        "control_entry": control_entry,
        "catch_all": catch_all,
        "item_description": clean_text(
            data.get("item_description"),
            "item_description",
            MAX_DESCRIPTION,
            required=True,
            errors=errors,
        ),
        "end_use": clean_text(
            data.get("end_use"), "end_use", MAX_DESCRIPTION, required=False, errors=errors
        ),
        "reason_category": clean_choice(
            data.get("reason_category"), "reason_category", DenialReason, errors
        ),
        "reason": clean_text(
            data.get("reason"), "reason", MAX_DESCRIPTION, required=True, errors=errors
        ),
        "parties": _clean_parties(data.get("parties"), errors),
        "tlp": clean_choice(tlp, "tlp", TLP, errors),
        "audience": clean_choice(audience, "audience", Audience, errors),
    }
    cleaned["recipient_states"] = (
        clean_states(
            data.get("recipient_states"),
            recipient_choices(state),
            "recipient_states",
            errors,
            required=True,
        )
        if audience == Audience.SELECTED
        else []
    )
    if tlp == TLP.RED and audience != Audience.SELECTED:
        errors.setdefault("audience", _("TLP:RED can only be shared with selected states."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def content_of(denial: Denial) -> dict:
    """A denial's current content in the shape ``clean`` takes."""
    return {
        "national_reference": denial.national_reference,
        "decided_on": denial.decided_on,
        "review_on": denial.review_on,
        "control_entry": denial.control_entry,
        "catch_all": denial.catch_all,
        "item_description": denial.item_description,
        "end_use": denial.end_use,
        "reason_category": denial.reason_category,
        "reason": denial.reason,
        "parties": [party.as_dict() for party in denial.parties.all()],
        "tlp": denial.tlp,
        "audience": denial.audience,
        "recipient_states": list(denial.recipient_states.all()),
    }


def _comparable(content: dict) -> dict:
    """As a revision stores it and amendments compare it: the parties in no particular
    order (a form may list them end-user first)."""
    plain = comparable(content, relations=("recipient_states",), dates=("decided_on", "review_on"))
    plain["parties"] = sorted(plain["parties"], key=lambda party: repr(sorted(party.items())))
    return plain


def _apply(denial: Denial, cleaned: dict) -> None:
    for field, value in cleaned.items():
        if field not in {"parties", "recipient_states"}:
            setattr(denial, field, value)
    denial.save()
    denial.recipient_states.set(cleaned["recipient_states"])
    replace_named_rows(
        denial.parties, DenialParty, cleaned["parties"], ("role", "name"), denial=denial
    )


def _locked(denial: Denial) -> Denial:
    return Denial.objects.select_for_update(of=("self",)).select_related("state").get(pk=denial.pk)


def _changeable(denial: Denial, by: User, refusal: str) -> Denial:
    """The denial locked, once ``by`` may change it (403) and it is in force (else
    ``refusal``, in the words of the act): what amending, revoking and renewing check
    first."""
    denial = _locked(denial)
    check_can_change(denial, by)
    if not denial.in_force:
        raise Conflict(refusal)
    return denial


def _check_reference_free(state: State, reference: str, *, besides: Denial | None = None) -> None:
    """A state notifies each of its national references once; ``besides`` is the denial
    being amended, which may keep its own."""
    taken = Denial.objects.filter(state=state, national_reference=reference)
    if besides is not None:
        taken = taken.exclude(pk=besides.pk)
    if taken.exists():
        raise ValidationError(
            {"national_reference": _("Your state has notified a denial with this reference.")}
        )


def _required_text(value, field: str, limit: int) -> str:
    """The one text an act takes (a reason, a message, an answer), cleaned; refused with
    a ValidationError keyed by ``field``."""
    errors: dict = {}
    text = clean_text(value, field, limit, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    return text


def _record_act(
    action: audit.Action,
    kind: EventKind,
    about: Denial | Consultation,
    *,
    by: User,
    request: HttpRequest | None,
    details: dict | None = None,
    **payload: Any,
) -> None:
    """What every act of a person writes in its transaction besides the change: the
    audit row about what it acted on, and the outbox event that tells the readers. An
    event about a consultation is one of its denial, naming the consultation
    (docs/architecture.md, "Three homes for rules" and "The outbox")."""
    audit.record(action, request=request, actor=by, target=about, details=details)
    if isinstance(about, Consultation):
        record_event(kind, about.denial, by, consultation=about, **payload)
    else:
        record_event(kind, about, by, **payload)


# --- The life of a denial -------------------------------------------------------------------


class DenialLifecycle(Lifecycle):
    """The life of a denial in the lifecycle's terms, so that four eyes work for it as
    for notices (docs/architecture.md, "Four eyes"): notified (published) in force,
    amended (always materially: every change is told), revoked (retired). Under its
    state's setting for denials, each is submitted and approved by another official; a
    submission rejected or taken back is a draft, edited and submitted again or deleted.
    Denials have no files and no minor corrections."""

    model = Denial
    edit_page = "sharing:denial-edit"
    owner = "state"
    published_status = DenialStatus.ACTIVE
    relations = ("recipient_states",)
    dates = ("decided_on", "review_on")
    retired_status = DenialStatus.REVOKED
    retire_fields = ("reason",)
    actions = {
        "drafted": audit.Action.DENIAL_DRAFTED,
        "draft_updated": audit.Action.DENIAL_DRAFT_UPDATED,
        "draft_deleted": audit.Action.DENIAL_DRAFT_DELETED,
        "published": audit.Action.DENIAL_ISSUED,
        "amended": audit.Action.DENIAL_AMENDED,
        "retired": audit.Action.DENIAL_REVOKED,
    }
    events = {
        "published": EventKind.DENIAL_ISSUED,
        "amended": EventKind.DENIAL_AMENDED,
        "corrected": EventKind.DENIAL_AMENDED,
        "retired": EventKind.DENIAL_REVOKED,
    }
    refusals = {
        "edit_published": gettext_lazy("Only a draft can be edited; amend a notified denial."),
        "delete_published": gettext_lazy("A notified denial is revoked, never deleted."),
        "files_published": gettext_lazy("A denial has no files."),
        "files_kept": gettext_lazy("A denial has no files."),
        "already_published": gettext_lazy("This denial has already been notified."),
        "amend_unpublished": gettext_lazy("Only a denial in force can be amended."),
        "nothing_changed": gettext_lazy(
            "Nothing has changed; change the denial before amending it."
        ),
        "retire_unpublished": gettext_lazy("Only a denial in force can be revoked."),
    }

    def check_can_change(self, item: Denial, by: User) -> None:
        check_can_change(item, by)

    def clean(self, data: dict, owner: State) -> dict:
        return clean(data, state=owner)

    def content_of(self, item: Denial) -> dict:
        return content_of(item)

    def comparable(self, content: dict) -> dict:
        return _comparable(content)

    def snapshot(self, item: Denial) -> dict:
        return _comparable(content_of(item))

    def apply(self, item: Denial, cleaned: dict, rendered) -> None:
        _apply(item, cleaned)

    def check_changes(self, item, by, before, after):
        _check_reference_free(item.state, after["national_reference"], besides=item)

    def publishing(self, item, now):
        item.created_at = now  # notified now, whenever it was drafted

    def published_details(self, item):
        return {"tlp": item.tlp, "audience": item.audience}

    def check_amendable(self, item):
        if not item.in_force:
            raise Conflict(self.refusals["amend_unpublished"])

    def new_version(self, item, material):
        item.status = DenialStatus.AMENDED

    def check_retirable(self, item):
        if not item.in_force:
            raise Conflict(self.refusals["retire_unpublished"])

    def clean_retirement(self, details):
        return {"reason": _required_text(details.get("reason"), "reason", MAX_NOTE)}

    def retiring(self, item, details, now):
        """A revoked denial stays readable and drops out of screening."""
        item.revoked_at = now
        item.revoked_reason = details["reason"]

    def requires(self, owner: State, *markings: str) -> bool:
        return owner.approve_denials

    def policy_name(self, owner: State) -> str:
        return _("every licence denial is approved by a second official")

    def create(self, *, by: User, request: HttpRequest | None = None, attachments=(), **content):
        """A draft denial (not notified): what a submission becomes when it is rejected
        or taken back, and what a state asking for four eyes writes first."""
        state = check_can_notify(by)
        cleaned = clean(content, state=state)
        _check_reference_free(state, cleaned["national_reference"])
        return super().create(by=by, request=request, attachments=attachments, **content)


_LIFE = DenialLifecycle()
(create, update, delete, _attach, _detach, _publish_draft, _amend, revoke,
 submit, approve, reject, recall) = _LIFE.acts()  # fmt: skip
(approval_shown, rejection_shown, can_decide, can_recall,
 needs_approval, comparable_content) = _LIFE.questions()  # fmt: skip


def requires_four_eyes(state: State) -> bool:
    """Whether ``state`` asks another official to approve its licence denials."""
    return _LIFE.requires(state)


def publish(*, by: User, request: HttpRequest | None = None, **content) -> Denial:
    """Notify a denial to its audience: it is in force, screened against and announced.
    Where the state asks four eyes for denials, ``submit_new`` instead."""
    state = check_can_notify(by)
    cleaned = clean(content, state=state)
    if _LIFE.requires(state):
        raise _LIFE.policy_refusal(state)
    with transaction.atomic():
        _check_reference_free(state, cleaned["national_reference"])
        denial = Denial(state=state, created_by=by, status=DenialStatus.DRAFT)
        _apply(denial, cleaned)
        return _LIFE._publish(denial, by=by, request=request)


def submit_new(*, by: User, request: HttpRequest | None = None, **content) -> Denial:
    """A new denial submitted for another official's approval at once (a state that asks
    four eyes for denials): it awaits approval, read by the state's officers and admins
    only, and is notified when approved."""
    with transaction.atomic():
        denial = create(by=by, request=request, **content)
        submit(denial, by=by, request=request)
    return Denial.objects.get(pk=denial.pk)


def publish_draft(denial: Denial, *, by: User, request: HttpRequest | None = None) -> Denial:
    """Notify a draft (a submission that was rejected or taken back, once the state no
    longer asks four eyes for denials)."""
    return _publish_draft(denial, by=by, request=request)


def amend(
    denial: Denial, *, by: User, change_note: str, request: HttpRequest | None = None, **content
) -> Denial:
    """A new version of a denial in force, with what changed; told to its readers."""
    return _amend(denial, by=by, change_note=change_note, material=True, request=request, **content)


@transaction.atomic
def renew(
    denial: Denial,
    *,
    by: User,
    review_on=None,
    request: HttpRequest | None = None,
) -> Denial:
    """Keep a denial in force after its review: the next review three years from today
    (or the later date given, within five years)."""
    denial = _changeable(denial, by, _("Only a denial in force is renewed; notify a new one."))
    # A submitted amendment carries the review date it was written with: taken back.
    _LIFE.recall_pending(denial, by=by, request=request)
    errors: dict = {}
    today = timezone.localdate()
    chosen = clean_date(review_on, "review_on", errors, not_past=False)
    if chosen and not today < chosen <= review_date(today, 5):
        errors["review_on"] = _("A date after today and within five years.")
    if errors:
        raise ValidationError(errors)
    denial.review_on = chosen or review_date(today)
    denial.reminded_60_at = denial.reminded_14_at = None
    denial.save()
    next_review = denial.review_on.isoformat()
    _record_act(
        audit.Action.DENIAL_RENEWED,
        EventKind.DENIAL_RENEWED,
        denial,
        by=by,
        request=request,
        details={"review_on": next_review},
        review_on=next_review,
    )
    return denial


def review_denials(today: datetime.date | None = None) -> dict:
    """Beat, daily: remind the notifying states of reviews 60 and 14 days ahead, and let
    denials whose review date has passed expire (telling their readers). Each step is
    claimed row by row, so running it twice, or on two hosts, acts once."""
    today = today or timezone.localdate()
    done = {"reminded": 0, "expired": 0}
    for days, field in zip(REVIEW_REMINDERS, ("reminded_60_at", "reminded_14_at"), strict=True):
        due = Denial.objects.in_force().filter(
            review_on__gte=today,
            review_on__lte=today + datetime.timedelta(days=days),
            **{f"{field}__isnull": True},
        )
        for pk in list(due.values_list("pk", flat=True)):
            with transaction.atomic():
                claimed = Denial.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(
                    **{field: timezone.now()}
                )
                if claimed:
                    denial = Denial.objects.get(pk=pk)
                    record_event(EventKind.DENIAL_REVIEW_DUE, denial, None, days=days)
                    done["reminded"] += 1
    for pk in list(
        Denial.objects.in_force().filter(review_on__lt=today).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            claimed = Denial.objects.filter(
                pk=pk, status__in=DENIALS_IN_FORCE, review_on__lt=today
            ).update(status=DenialStatus.EXPIRED, expired_at=timezone.now())
            if claimed:
                denial = Denial.objects.get(pk=pk)
                # What awaited approval (an amendment, a revocation) cannot happen now.
                _LIFE.recall_pending(denial, by=None, request=None)
                audit.record(audit.Action.DENIAL_EXPIRED, target=denial, state=denial.state)
                record_event(EventKind.DENIAL_EXPIRED, denial, None)
                done["expired"] += 1
    return done


# --- Screening ------------------------------------------------------------------------------


SCREEN_FIELDS = (
    "end_user",
    "consignee",
    "destination",
    "control_entry",
    "item_description",
    "end_user_identifiers",
    "consignee_identifiers",
)


def clean_screening(data: dict) -> screening.Transaction:
    refuse_unknown(data, SCREEN_FIELDS)
    errors: dict = {}
    values = {
        field: clean_text(data.get(field), field, limit, required=False, errors=errors)
        for field, limit in (
            ("end_user", 200),
            ("consignee", 200),
            ("destination", 2),
            ("control_entry", 40),
            ("item_description", MAX_DESCRIPTION),
        )
    }
    if not (values["end_user"] or values["consignee"]) and not errors:
        errors["end_user"] = _("Give the end-user's or the consignee's name.")
    if values["destination"]:
        values["destination"] = _clean_destination(values["destination"], errors)
    if values["control_entry"]:
        values["control_entry"] = _clean_entry(values["control_entry"], errors)
    for field in ("end_user_identifiers", "consignee_identifiers"):
        found = identifiers.clean(data.get(field), errors, field)
        values[field] = "\n".join(identifiers.written(each) for each in found)
    if errors:
        raise ValidationError(errors)
    return screening.Transaction(**values)


def facts_of(denial: Denial) -> screening.DenialFacts:
    """What the matcher knows of ``denial`` (its parties prefetched: ``with_content``)."""
    return screening.DenialFacts(
        id=denial.pk,
        parties=tuple(
            screening.PartyFacts(
                role=p.role,
                name=p.name,
                aliases=tuple(p.aliases),
                country=p.country,
                address=p.address,
                ref=p.pk,
            )
            for p in denial.parties.all()
        ),
        control_entry=denial.control_entry,
        catch_all=denial.catch_all,
        item_description=denial.item_description,
    )


# One index of every denial in force, shared by all states in this process (each screens
# among the ids its visible_to returns); built again whenever a denial changes.
_INDEX: dict = {"stamp": None, "index": None}


def _index() -> screening.ScreeningIndex:
    in_force = Denial.objects.in_force()
    stamp = tuple(in_force.aggregate(n=Count("pk"), at=Max("updated_at")).values())
    if _INDEX["stamp"] != stamp:
        _INDEX["index"] = screening.prepare(facts_of(d) for d in in_force.with_content())
        _INDEX["stamp"] = stamp
    return _INDEX["index"]


def in_force_ids(readable: DenialQuerySet) -> frozenset:
    """The ids of the denials in force among ``readable`` (a ``visible_to`` queryset)."""
    return frozenset(readable.in_force().values_list("pk", flat=True))


def matching(
    candidate: screening.Transaction, readable: DenialQuerySet | frozenset
) -> list[tuple[Denial, screening.Match]]:
    """The denials in force among ``readable`` (a ``visible_to`` queryset, or the ids
    ``in_force_ids`` gave for one) that match ``candidate``, best first, each with its
    content and why it matched."""
    among = readable if isinstance(readable, frozenset) else in_force_ids(readable)
    matches = screening.screen(candidate, _index(), among=among)
    denials = Denial.objects.with_content().in_bulk([match.denial_id for match in matches])
    return [(denials[match.denial_id], match) for match in matches]


# --- Consultations --------------------------------------------------------------------------


CONSULTATION_FIELDS = (
    "application_reference",
    "end_user",
    "consignee",
    "destination",
    "control_entry",
    "item_description",
    "question",
)


def clean_consultation(data: dict) -> dict:
    refuse_unknown(data, CONSULTATION_FIELDS)
    errors: dict = {}
    cleaned = {
        "application_reference": clean_text(
            data.get("application_reference"), "application_reference", 64, required=True,
            errors=errors,
        ),
        "end_user": clean_text(data.get("end_user"), "end_user", 200, required=True, errors=errors),
        "consignee": clean_text(
            data.get("consignee"), "consignee", 200, required=False, errors=errors
        ),
        "destination": clean_text(
            data.get("destination"), "destination", 2, required=True, errors=errors
        ).upper(),
        "control_entry": clean_text(
            data.get("control_entry"), "control_entry", 40, required=False, errors=errors
        ),
        "item_description": clean_text(
            data.get("item_description"), "item_description", MAX_DESCRIPTION, required=True,
            errors=errors,
        ),
        "question": clean_text(
            data.get("question"), "question", MAX_DESCRIPTION, required=True, errors=errors
        ),
    }  # fmt: skip
    if cleaned["destination"] and "destination" not in errors:
        cleaned["destination"] = _clean_destination(cleaned["destination"], errors)
    if cleaned["control_entry"] and "control_entry" not in errors:
        cleaned["control_entry"] = _clean_entry(cleaned["control_entry"], errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _locked_consultation(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("denial__state", "consulting_state")
        .get(pk=consultation.pk)
    )


def _answerable(consultation: Consultation, by: User) -> Consultation:
    """The consultation locked, once ``by`` may answer it (403) and it still waits for
    the answer: what answering and extending the deadline check first."""
    consultation = _locked_consultation(consultation)
    check_can_answer(consultation, by)
    if not consultation.is_pending:
        raise Conflict(_("This consultation has been answered."))
    return consultation


@transaction.atomic
def open_consultation(
    denial: Denial, *, by: User, request: HttpRequest | None = None, **content
) -> Consultation:
    """Ask the denying state about an essentially identical transaction. The answer is
    due on the 10th working day of the denying state's calendar after today there."""
    denial = _locked(denial)
    state = check_can_consult(denial, by)
    cleaned = clean_consultation(content)
    now = timezone.now()
    consultation = Consultation.objects.create(
        denial=denial,
        consulting_state=state,
        opened_by=by,
        opened_at=now,
        working_days=CONSULTATION_DAYS,
        due_on=workdays.due_date(now, CONSULTATION_DAYS, denial.state),
        **cleaned,
    )
    _record_act(
        audit.Action.CONSULTATION_OPENED,
        EventKind.CONSULTATION_OPENED,
        consultation,
        by=by,
        request=request,
        due_on=consultation.due_on.isoformat(),
    )
    return consultation


@transaction.atomic
def write_in_consultation(
    consultation: Consultation, *, by: User, body: str, request: HttpRequest | None = None
) -> ConsultationMessage:
    """A message in the thread, from either state; the other state is told."""
    consultation = _locked_consultation(consultation)
    state = check_can_write_in(consultation, by)
    body = _required_text(body, "body", MAX_DESCRIPTION)
    message = ConsultationMessage.objects.create(
        consultation=consultation, author=by, state=state, body=body
    )
    _record_act(
        audit.Action.CONSULTATION_MESSAGE,
        EventKind.CONSULTATION_MESSAGE,
        consultation,
        by=by,
        request=request,
        details={"message": message.pk},
    )
    return message


@transaction.atomic
def extend_consultation(
    consultation: Consultation,
    *,
    by: User,
    working_days: int,
    reason: str,
    request: HttpRequest | None = None,
) -> Consultation:
    """The denying state takes longer, once: up to 30 working days from the opening."""
    consultation = _answerable(consultation, by)
    if consultation.extended_at:
        raise Conflict(_("The deadline can be extended once only."))
    errors: dict = {}
    if (
        isinstance(working_days, bool)
        or not isinstance(working_days, int)
        or not consultation.working_days < working_days <= CONSULTATION_MOST_DAYS
    ):
        errors["working_days"] = _("More than %(now)d and at most %(most)d working days.") % {
            "now": consultation.working_days,
            "most": CONSULTATION_MOST_DAYS,
        }
    reason = clean_text(reason, "reason", MAX_NOTE, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    consultation.working_days = working_days
    consultation.due_on = workdays.due_date(
        consultation.opened_at, working_days, consultation.denial.state
    )
    consultation.extended_at = timezone.now()
    consultation.extension_reason = reason
    if consultation.status == ConsultationStatus.OVERDUE and not _past(consultation):
        consultation.status = ConsultationStatus.OPEN
        consultation.overdue_at = None
    consultation.reminded_early_at = consultation.reminded_due_at = None
    consultation.save()
    _record_act(
        audit.Action.CONSULTATION_EXTENDED,
        EventKind.CONSULTATION_EXTENDED,
        consultation,
        by=by,
        request=request,
        details={"working_days": working_days},
        due_on=consultation.due_on.isoformat(),
    )
    return consultation


@transaction.atomic
def answer_consultation(
    consultation: Consultation, *, by: User, answer: str, request: HttpRequest | None = None
) -> Consultation:
    """The denying state's answer (late answers are still taken)."""
    consultation = _answerable(consultation, by)
    answer = _required_text(answer, "answer", MAX_DESCRIPTION)
    consultation.answer = answer
    consultation.answered_at = timezone.now()
    consultation.answered_by = by
    consultation.status = ConsultationStatus.ANSWERED
    consultation.save()
    _record_act(
        audit.Action.CONSULTATION_ANSWERED,
        EventKind.CONSULTATION_ANSWERED,
        consultation,
        by=by,
        request=request,
    )
    return consultation


@transaction.atomic
def record_outcome(
    consultation: Consultation,
    *,
    by: User,
    outcome: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Consultation:
    """The consulting state says how its application ended; a short summary of it goes
    to every state that reads the denial. An application may be withdrawn at any time;
    a licence is decided once the denying state answered or let the deadline pass."""
    consultation = _locked_consultation(consultation)
    check_can_record_outcome(consultation, by)
    if consultation.status == ConsultationStatus.CLOSED:
        raise Conflict(_("The outcome has been recorded already."))
    errors: dict = {}
    outcome = clean_choice(outcome, "outcome", ConsultationOutcome, errors)
    note = clean_text(note, "note", MAX_NOTE, required=False, errors=errors)
    if errors:
        raise ValidationError(errors)
    if outcome != ConsultationOutcome.WITHDRAWN and consultation.status == ConsultationStatus.OPEN:
        raise Conflict(
            {
                "outcome": _(
                    "Wait for the denying state's answer or its deadline before deciding "
                    "the licence."
                )
            }
        )
    consultation.outcome = outcome
    consultation.outcome_note = note
    consultation.outcome_at = timezone.now()
    consultation.status = ConsultationStatus.CLOSED
    consultation.save()
    _record_act(
        audit.Action.CONSULTATION_OUTCOME,
        EventKind.CONSULTATION_OUTCOME,
        consultation,
        by=by,
        request=request,
        details={"outcome": outcome},
        outcome=outcome,
    )
    return consultation


def _past(consultation: Consultation, now: datetime.datetime | None = None) -> bool:
    """Whether the day the answer was due has ended where the denying state is."""
    today = workdays.local_date(now or timezone.now(), consultation.denial.state)
    return today > consultation.due_on


def watch_consultations(now: datetime.datetime | None = None) -> dict:
    """Beat, hourly: remind the denying state 3 working days before the deadline and on
    the day, and mark an unanswered consultation overdue once its day has ended. Each is
    claimed by a conditional UPDATE, so two beats remind and mark once."""
    now = now or timezone.now()
    done = {"early": 0, "due": 0, "overdue": 0}
    pending = Consultation.objects.filter(
        status__in=[ConsultationStatus.OPEN, ConsultationStatus.OVERDUE]
    ).select_related("denial__state")
    for consultation in pending:
        state = consultation.denial.state
        today = workdays.local_date(now, state)
        left = workdays.working_days_between(today, consultation.due_on, state.code)
        steps = []
        if today > consultation.due_on:
            steps.append(("overdue", "overdue_at", EventKind.CONSULTATION_OVERDUE))
        elif today == consultation.due_on:
            steps.append(("due", "reminded_due_at", EventKind.CONSULTATION_REMINDER))
        elif left <= EARLY_REMINDER_WORKING_DAYS:
            steps.append(("early", "reminded_early_at", EventKind.CONSULTATION_REMINDER))
        for name, field, kind in steps:
            with transaction.atomic():
                changes: dict[str, Any] = {field: now}
                if name == "overdue":
                    changes["status"] = ConsultationStatus.OVERDUE
                claimed = Consultation.objects.filter(
                    pk=consultation.pk,
                    status__in=[ConsultationStatus.OPEN, ConsultationStatus.OVERDUE],
                    **{f"{field}__isnull": True},
                ).update(**changes)
                if claimed:
                    record_event(
                        kind, consultation.denial, None, consultation=consultation,
                        due_on=consultation.due_on.isoformat(), step=name,
                    )  # fmt: skip
                    done[name] += 1
    return done
