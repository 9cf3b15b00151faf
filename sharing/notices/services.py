"""The only place that changes notices and what hangs off them.

Views, the API, management commands and tasks all call these functions. Each one takes
the acting user as ``by=``, checks that they may act (``PermissionDenied`` if they may
not, ``ValidationError`` keyed by field for bad input), locks the notice, changes it in
one transaction, and in that same transaction writes the audit row and, for acts that
others are told about, the outbox ``Event``. Nothing slow happens inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import State, User
from portal import audit
from portal.inputs import Conflict, refuse_unknown
from sharing.common import textsearch, validators
from sharing.common.choices import TLP, Audience, EventKind
from sharing.common.lifecycle import WithdrawnWithReason
from sharing.common.querysets import reading_state, recipient_choices, recipient_states
from sharing.common.services import (
    MAX_COMMENT,
    MAX_NOTE,
    Rendered,
    apply_item_text,
    as_predicate,
    check_can_author,
    clean_choice,
    clean_date,
    clean_item_text,
    clean_states,
    clean_terms,
    clean_text,
    item_text,
    next_reference,
    record_event,
    replace_named_rows,
)
from sharing.notices.choices import AckLevel, NoticeKind, NoticeStatus, Severity
from sharing.notices.models import (
    Acknowledgement,
    Comment,
    CountryOfConcern,
    Notice,
    NoticeEntity,
    TechnologyCategory,
)

# The fields a draft or an amendment sets; everything else is the services' business.
CONTENT_FIELDS = (
    "kind",
    "title",
    "summary",
    "body",
    "categories",
    "control_codes",
    "countries_of_concern",
    "entities",
    "severity",
    "tlp",
    "audience",
    "recipient_states",
    "valid_until",
)


# --- Who may do what ------------------------------------------------------------------------


def check_can_change(notice: Notice, by: User) -> None:
    """Only the author state's officers and admins change a notice."""
    state = check_can_author(by)
    if notice.author_state_id != state.pk:
        raise PermissionDenied(_("Only the author state's officers and admins can do this."))


def check_can_acknowledge(notice: Notice, by: User) -> State:
    """Any user of a state the notice is addressed to (the author state excluded)
    acknowledges a published notice for their state."""
    state = reading_state(by)
    if state is None or not notice.is_published:
        raise PermissionDenied(_("Only published notices can be acknowledged."))
    if not recipient_states(notice).filter(pk=state.pk).exists():
        raise PermissionDenied(_("Only the states the notice is addressed to acknowledge it."))
    return state


def check_can_comment(notice: Notice, by: User) -> State:
    """Officers and admins of any state that can read a published notice discuss it."""
    state = check_can_author(by)
    if not notice.is_published:
        raise PermissionDenied(_("Only published notices can be discussed."))
    return state


can_change = as_predicate(check_can_change)
can_acknowledge = as_predicate(check_can_acknowledge)
can_comment = as_predicate(check_can_comment)


def _check_visible(notice: Notice, by: User) -> None:
    # Callers fetch through visible_to already; this repeats it inside the transaction
    # (NetBox's habit), so a service called from anywhere cannot act on a notice its
    # user cannot read.
    if not Notice.objects.visible_to(by).filter(pk=notice.pk).exists():
        raise PermissionDenied(_("This notice is not shared with your state."))


# --- Validating content ---------------------------------------------------------------------


def _recipients(values, audience: str, author: State, errors: dict) -> list[State]:
    if audience != Audience.SELECTED:
        return []  # the audience is every subscribing (or community) state
    return clean_states(
        values, recipient_choices(author), "recipient_states", errors, required=True
    )


def clean(data: dict, *, author: State) -> dict:
    """Check every content field of a notice and return them normalised.

    Raises one ValidationError naming every field that is wrong, so a form can show all
    the mistakes at once. Unknown keys are refused rather than ignored.
    """
    refuse_unknown(data, CONTENT_FIELDS)
    errors: dict = {}
    cleaned: dict[str, Any] = {
        "kind": clean_choice(data.get("kind"), "kind", NoticeKind, errors),
        **clean_item_text(data, errors),
        "severity": clean_choice(data.get("severity"), "severity", Severity, errors),
        "tlp": clean_choice(data.get("tlp"), "tlp", TLP, errors),
        "audience": clean_choice(data.get("audience"), "audience", Audience, errors),
        "categories": clean_terms(data.get("categories"), TechnologyCategory, "categories", errors),
        "valid_until": clean_date(data.get("valid_until"), "valid_until", errors),
    }
    for field, clean in (
        ("control_codes", validators.clean_control_codes),
        ("countries_of_concern", validators.clean_countries),
        ("entities", validators.clean_entities),
    ):
        try:
            cleaned[field] = clean(data.get(field) or [])
        except ValidationError as error:
            errors[field] = error.messages
    cleaned["recipient_states"] = _recipients(
        data.get("recipient_states"), cleaned["audience"], author, errors
    )
    if cleaned["tlp"] == TLP.RED and cleaned["audience"] != Audience.SELECTED:
        errors.setdefault("audience", _("TLP:RED can only be shared with selected states."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def content_of(notice: Notice) -> dict:
    """A notice's current content in the shape ``clean`` takes and returns."""
    return {
        "kind": notice.kind,
        **item_text(notice),
        "categories": list(notice.categories.all()),
        "control_codes": list(notice.control_codes),
        "countries_of_concern": list(notice.countries_of_concern),
        "entities": [entity.as_dict() for entity in notice.entities.all()],
        "severity": notice.severity,
        "tlp": notice.tlp,
        "audience": notice.audience,
        "recipient_states": list(notice.recipient_states.all()),
        "valid_until": notice.valid_until,
    }


def _apply(notice: Notice, cleaned: dict, rendered: Rendered) -> None:
    """Write cleaned content onto a saved notice, its entities and its relations."""
    apply_item_text(notice, cleaned, rendered)
    for field in ("kind", "control_codes", "severity", "tlp", "audience", "valid_until"):
        setattr(notice, field, cleaned[field])
    notice.save()
    notice.concern_countries.all().delete()
    CountryOfConcern.objects.bulk_create(
        CountryOfConcern(notice=notice, position=position, code=code)
        for position, code in enumerate(cleaned["countries_of_concern"])
    )
    notice.categories.set(cleaned["categories"])
    notice.recipient_states.set(cleaned["recipient_states"])
    replace_named_rows(notice.entities, NoticeEntity, cleaned["entities"], ("name",), notice=notice)
    textsearch.index(notice)


class NoticeLifecycle(WithdrawnWithReason):
    """What is particular to the life of a notice: its author state's officers and
    admins act on it; publishing gives it its reference; a material amendment asks the
    recipient states to acknowledge again; a change of audience, recipients or marking
    is always material; it is retired by being withdrawn."""

    model = Notice
    edit_page = "sharing:notice-edit"
    owner = "author_state"
    published_status = NoticeStatus.PUBLISHED
    relations = ("categories", "recipient_states")
    dates = ("valid_until",)
    reach = ("audience", "recipient_states", "tlp")
    reach_refusal = gettext_lazy(
        "A change of audience, recipients or marking is a material change."
    )
    actions = {
        "drafted": audit.Action.NOTICE_DRAFTED,
        "draft_updated": audit.Action.NOTICE_DRAFT_UPDATED,
        "draft_deleted": audit.Action.NOTICE_DRAFT_DELETED,
        "published": audit.Action.NOTICE_PUBLISHED,
        "amended": audit.Action.NOTICE_AMENDED,
        "retired": audit.Action.NOTICE_WITHDRAWN,
    }
    events = {
        "published": EventKind.NOTICE_PUBLISHED,
        "amended": EventKind.NOTICE_AMENDED,
        "corrected": EventKind.NOTICE_CORRECTED,
        "retired": EventKind.NOTICE_WITHDRAWN,
    }
    retired_status = NoticeStatus.WITHDRAWN
    refusals = {
        "edit_published": gettext_lazy("Only a draft can be edited; amend a published notice."),
        "delete_published": gettext_lazy(
            "A published notice is never deleted; withdraw it instead."
        ),
        "files_published": gettext_lazy("Files are added to a published notice by amending it."),
        "files_kept": gettext_lazy("Files of a published notice are kept with its versions."),
        "already_published": gettext_lazy("This notice has already been published."),
        "amend_unpublished": gettext_lazy(
            "Only a published notice can be amended; edit the draft."
        ),
        "nothing_changed": gettext_lazy(
            "Nothing has changed; change the notice before amending it."
        ),
        "retire_unpublished": gettext_lazy("Only a published notice can be withdrawn."),
    }

    def check_can_change(self, item: Notice, by: User) -> None:
        check_can_change(item, by)

    def clean(self, data: dict, owner: State) -> dict:
        return clean(data, author=owner)

    def content_of(self, item: Notice) -> dict:
        return content_of(item)

    def apply(self, item: Notice, cleaned: dict, rendered: Rendered) -> None:
        _apply(item, cleaned, rendered)

    def publishing(self, item, now):
        item.reference = next_reference(item.author_state, now.year)
        item.ack_version = item.version

    def published_details(self, item):
        return {"reference": item.reference, "tlp": item.tlp, "audience": item.audience}

    def check_amendable(self, item):
        if item.is_withdrawn:
            raise Conflict(_("A withdrawn notice cannot be amended."))
        super().check_amendable(item)

    def new_version(self, item, material):
        if material:  # the recipients are asked to acknowledge the new version
            item.ack_version = item.version


_LIFE = NoticeLifecycle()
_locked = _LIFE.locked
(create, update, delete, attach, detach, publish, amend, withdraw,
 submit, approve, reject, recall) = _LIFE.acts()  # fmt: skip
(approval_shown, rejection_shown, can_decide, can_recall,
 needs_approval, comparable_content) = _LIFE.questions()  # fmt: skip


@dataclass
class AckResult:
    acknowledgement: Acknowledgement
    created: bool
    changed: bool


@transaction.atomic
def acknowledge(
    notice: Notice,
    *,
    by: User,
    level: str = AckLevel.RECEIVED,
    note: str = "",
    request: HttpRequest | None = None,
) -> AckResult:
    """Acknowledge the notice's current version for ``by``'s state.

    One acknowledgement per state and version: a repeat changes nothing, a higher level
    replaces a lower one, a lower level than the state already reached is refused.
    """
    notice = _locked(notice)
    _check_visible(notice, by)
    state = check_can_acknowledge(notice, by)
    errors: dict = {}
    if level not in AckLevel.values:
        errors["level"] = _("Choose received, assessed or action taken.")
    note = clean_text(note, "note", MAX_NOTE, required=False, errors=errors)
    if errors:
        raise ValidationError(errors)
    # What the state has already said about the versions it is asked about (a minor
    # correction since then does not ask again, so an answer on an earlier version counts).
    standing = (
        Acknowledgement.objects.filter(notice=notice, state=state, version__gte=notice.ack_version)
        .order_by("-version")
        .first()
    )
    if standing is not None:
        if AckLevel.rank(level) < AckLevel.rank(standing.level):
            raise ValidationError(
                {
                    "level": _("Your state has already acknowledged this version as “%(level)s”.")
                    % {"level": standing.get_level_display()}
                }
            )
        if AckLevel.rank(level) == AckLevel.rank(standing.level) and not note:
            return AckResult(standing, created=False, changed=False)
    if standing is not None and standing.version == notice.version:
        standing.level, standing.by, standing.acknowledged_at = level, by, timezone.now()
        standing.note = note or standing.note
        standing.save()
        ack, created = standing, False
    else:
        ack = Acknowledgement.objects.create(
            notice=notice, state=state, version=notice.version, level=level, note=note, by=by
        )
        created = standing is None
    audit.record(
        audit.Action.NOTICE_ACKNOWLEDGED,
        request=request,
        actor=by,
        target=notice,
        details={"version": notice.version, "level": level},
    )
    record_event(EventKind.NOTICE_ACKNOWLEDGED, notice, by, level=level)
    return AckResult(ack, created=created, changed=True)


@transaction.atomic
def comment(notice: Notice, *, by: User, body: str, request: HttpRequest | None = None) -> Comment:
    notice = _locked(notice)
    _check_visible(notice, by)
    state = check_can_comment(notice, by)
    errors: dict = {}
    body = clean_text(body, "body", MAX_COMMENT, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    comment = Comment.objects.create(
        notice=notice, author=by, state=state, body=body, version=notice.version
    )
    audit.record(
        audit.Action.NOTICE_COMMENTED,
        request=request,
        actor=by,
        target=notice,
        details={"comment": comment.pk},
    )
    record_event(EventKind.NOTICE_COMMENTED, notice, by, comment=comment.pk)
    return comment


# --- Reading helpers (no state change) ------------------------------------------------------


@dataclass
class AckRow:
    state: State
    acknowledgement: Acknowledgement | None  # the state's latest, on any version
    current: bool  # it covers the version recipients were last asked to acknowledge


def acknowledgement_overview(notice: Notice) -> list[AckRow]:
    """For each state asked to acknowledge ``notice``: its latest acknowledgement and
    whether that covers the version it was last asked about. Uses the notice's
    prefetched acknowledgements when there are."""
    latest: dict[str, Acknowledgement] = {}
    for given in sorted(notice.acknowledgements.all(), key=lambda a: -a.version):
        latest.setdefault(given.state_id, given)
    rows = []
    for state in recipient_states(notice).order_by("name"):
        ack = latest.get(state.pk)
        current = ack is not None and ack.version >= notice.ack_version
        rows.append(AckRow(state, ack, current))
    return rows


@dataclass
class AckPanel:
    """What a reader is shown of a notice's acknowledgements. The author state follows
    every recipient; a recipient sees its own state's answer only (the others' are the
    author's business)."""

    rows: list[AckRow]
    own: AckRow | None
    pending: list[State]
    can_acknowledge: bool


def acknowledgement_panel(notice: Notice, user: User) -> AckPanel:
    if notice.is_unpublished:
        return AckPanel([], None, [], False)
    rows = acknowledgement_overview(notice)
    own = next((row for row in rows if row.state.pk == user.state_id), None)
    if notice.author_state_id == user.state_id:
        return AckPanel(rows, None, [row.state for row in rows if not row.current], False)
    # ``own`` exists exactly when the reader's state is among recipient_states(notice),
    # which is what check_can_acknowledge asks.
    return AckPanel([], own, [], own is not None and notice.is_published)


def acknowledgements_shown(notice: Notice, user: User) -> tuple[list[Acknowledgement], list[State]]:
    """What ``user`` may see of ``notice``'s acknowledgements, by the rule of the
    panel above: the author state sees every state's answers (every version) and the
    states yet to answer; a recipient sees its own state's answers, and its own state
    among those yet to answer if it owes one."""
    panel = acknowledgement_panel(notice, user)
    answers = sorted(notice.acknowledgements.all(), key=lambda a: (a.state_id, -a.version))
    if notice.author_state_id == user.state_id:
        return answers, panel.pending
    if panel.own is None:
        return [], []
    own = [ack for ack in answers if ack.state_id == user.state_id]
    return own, [] if panel.own.current else [panel.own.state]
