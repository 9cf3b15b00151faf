"""The only place that changes best practices and their endorsements.

As for notices: each function takes the acting user as ``by=``, checks the right to act
(``PermissionDenied``) and the input (``ValidationError`` keyed by field), locks the
best practice, and writes the change, its audit row and any outbox ``Event`` in one
transaction. The lead state's officers and admins publish, amend and archive; officers
and admins of co-authoring states may edit drafts and amend too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import State, User
from portal import audit
from portal.inputs import refuse_unknown
from sharing.common import textsearch
from sharing.common.choices import EventKind
from sharing.common.lifecycle import Lifecycle
from sharing.common.querysets import as_state, reading_state, recipient_choices
from sharing.common.services import (
    MAX_NOTE,
    Rendered,
    apply_item_text,
    as_predicate,
    check_can_author,
    clean_choice,
    clean_item_text,
    clean_states,
    clean_terms,
    clean_text,
    item_text,
    record_event,
)
from sharing.practices.choices import DocType, EndorsementKind, PracticeAudience, PracticeStatus
from sharing.practices.models import BestPractice, CommentWindow, Endorsement, Topic

PRACTICE_FIELDS = (
    "title",
    "summary",
    "body",
    "doc_type",
    "topics",
    "co_authors",
    "audience",
    "public",
)


# --- Who may do what ------------------------------------------------------------------------


def _writing_state(practice: BestPractice, by: User) -> State:
    state = check_can_author(by)
    if practice.lead_state_id != state.pk and not practice.co_authors.filter(pk=state.pk).exists():
        raise PermissionDenied(_("Only the lead and co-authoring states can do this."))
    return state


def check_can_change(practice: BestPractice, by: User) -> None:
    """Officers and admins of the lead state or a co-authoring state edit and amend."""
    _writing_state(practice, by)


def check_can_lead(practice: BestPractice, by: User) -> None:
    """Only the lead state's officers and admins publish, archive or delete a draft."""
    state = check_can_author(by)
    if practice.lead_state_id != state.pk:
        raise PermissionDenied(_("Only the lead state can do this."))


def check_can_endorse(practice: BestPractice, by: User) -> State:
    """Officers and admins of a state that reads a published best practice, other than
    its authors, say for their state that they adopted or endorse it."""
    state = reading_state(by)
    if state is None or by.role not in {Role.STATE_ADMIN, Role.OFFICER}:
        raise PermissionDenied(_("Only officers and admins speak for their state."))
    if not practice.is_published:
        raise PermissionDenied(_("Only a published best practice can be endorsed."))
    if practice.lead_state_id == state.pk or practice.co_authors.filter(pk=state.pk).exists():
        raise PermissionDenied(_("The authors of a best practice do not endorse it."))
    if not BestPractice.objects.visible_to(by).filter(pk=practice.pk).exists():
        raise PermissionDenied(_("This best practice is not shared with your state."))
    return state


can_change = as_predicate(check_can_change)
can_lead = as_predicate(check_can_lead)
can_endorse = as_predicate(check_can_endorse)


# --- Content --------------------------------------------------------------------------------


def clean(data: dict, *, lead: State) -> dict:
    """Check every content field of a best practice and return them normalised; one
    ValidationError names every field that is wrong."""
    refuse_unknown(data, PRACTICE_FIELDS)
    errors: dict = {}
    public = data.get("public", False)
    if not isinstance(public, bool):
        errors["public"] = _("Say yes or no.")
    cleaned = {
        **clean_item_text(data, errors),
        "doc_type": clean_choice(data.get("doc_type"), "doc_type", DocType, errors),
        "topics": clean_terms(data.get("topics"), Topic, "topics", errors),
        "co_authors": clean_states(
            data.get("co_authors"), recipient_choices(lead), "co_authors", errors, required=False
        ),
        "audience": clean_choice(data.get("audience"), "audience", PracticeAudience, errors),
        "public": public,
    }
    if errors:
        raise ValidationError(errors)
    return cleaned


def content_of(practice: BestPractice) -> dict:
    """A best practice's current content, in the shape ``clean`` takes."""
    return {
        **item_text(practice),
        "doc_type": practice.doc_type,
        "topics": list(practice.topics.all()),
        "co_authors": list(practice.co_authors.all()),
        "audience": practice.audience,
        "public": practice.public,
    }


# Who reads and who writes a best practice is the lead state's decision alone.
LEAD_ONLY = ("audience", "public", "co_authors")


def _check_lead_only(practice: BestPractice, by: User, before: dict, after: dict) -> None:
    if can_lead(practice, by):
        return
    changed = [field for field in LEAD_ONLY if before[field] != after[field]]
    if changed:
        raise ValidationError(
            {field: _("Only the lead state changes who reads or writes it.") for field in changed}
        )


def endorsements_shown(practice: BestPractice, user) -> list[Endorsement]:
    """Every endorsement of ``practice``, with the notes only for signed-in readers: the
    public sees which states endorse it, not what their officials wrote."""
    endorsements = list(practice.endorsements.all())
    if not user.is_authenticated:
        for endorsement in endorsements:
            endorsement.note = ""
    return endorsements


def _drop_disallowed_endorsements(practice: BestPractice, *, by: User, request) -> None:
    """After who reads or writes the best practice changed: endorsements the rules no
    longer allow go, each with an audit row (the state could not withdraw it itself):
    those of states that became co-authors (authors do not endorse their own work) and
    of states the audience no longer reaches."""
    authors = {practice.lead_state_id, *practice.co_authors.values_list("pk", flat=True)}
    for endorsement in practice.endorsements.select_related("state"):
        readable = BestPractice.objects.visible_to(as_state(endorsement.state))
        if endorsement.state_id in authors:
            reason = "became a co-author"
        elif not readable.filter(pk=practice.pk).exists():
            reason = "audience narrowed"
        else:
            continue
        endorsement.delete()
        audit.record(
            audit.Action.PRACTICE_ENDORSEMENT_WITHDRAWN,
            request=request,
            actor=by,
            state=endorsement.state,
            target=practice,
            details={"reason": reason},
        )


def _apply(practice: BestPractice, cleaned: dict, rendered: Rendered) -> None:

    apply_item_text(practice, cleaned, rendered)
    for field in ("doc_type", "audience", "public"):
        setattr(practice, field, cleaned[field])
    practice.save()
    practice.topics.set(cleaned["topics"])
    practice.co_authors.set(cleaned["co_authors"])
    textsearch.index(practice)


class PracticeLifecycle(Lifecycle):
    """What is particular to the life of a best practice: the lead and co-authoring
    states' officers and admins change it, the lead state alone publishes it, deletes
    its draft and decides who reads or writes it; a change of audience or of being
    public is always material; endorsements the new audience no longer allows go; it is
    retired by being archived."""

    model = BestPractice
    edit_page = "sharing:practice-edit"
    owner = "lead_state"
    published_status = PracticeStatus.PUBLISHED
    relations = ("topics", "co_authors")
    reach = ("audience", "public")
    reach_refusal = gettext_lazy("A change of audience is a material change.")
    actions = {
        "drafted": audit.Action.PRACTICE_DRAFTED,
        "draft_updated": audit.Action.PRACTICE_DRAFT_UPDATED,
        "draft_deleted": audit.Action.PRACTICE_DRAFT_DELETED,
        "published": audit.Action.PRACTICE_PUBLISHED,
        "amended": audit.Action.PRACTICE_AMENDED,
        "retired": audit.Action.PRACTICE_ARCHIVED,
    }
    events = {
        "published": EventKind.PRACTICE_PUBLISHED,
        "amended": EventKind.PRACTICE_AMENDED,
        "corrected": EventKind.PRACTICE_CORRECTED,
        "retired": EventKind.PRACTICE_ARCHIVED,
    }
    retired_status = PracticeStatus.ARCHIVED
    refusals = {
        "edit_published": gettext_lazy("Only a draft can be edited; amend a published one."),
        "delete_published": gettext_lazy("A published best practice is archived, not deleted."),
        "files_published": gettext_lazy(
            "Files are added to a published best practice by amending it."
        ),
        "files_kept": gettext_lazy(
            "Files of a published best practice are kept with its versions."
        ),
        "already_published": gettext_lazy("This best practice has already been published."),
        "amend_unpublished": gettext_lazy("Only a published best practice can be amended."),
        "nothing_changed": gettext_lazy("Nothing has changed; change it before amending it."),
        "retire_unpublished": gettext_lazy("Only a published best practice can be archived."),
    }

    def check_can_change(self, item: BestPractice, by: User) -> None:
        check_can_change(item, by)

    def check_can_lead(self, item: BestPractice, by: User) -> None:
        check_can_lead(item, by)

    def clean(self, data: dict, owner: State) -> dict:
        return clean(data, lead=owner)

    def content_of(self, item: BestPractice) -> dict:
        return content_of(item)

    def apply(self, item: BestPractice, cleaned: dict, rendered: Rendered) -> None:
        _apply(item, cleaned, rendered)

    def check_changes(self, item, by, before, after):
        _check_lead_only(item, by, before, after)

    def check_leaving(self, item, content):
        """A draft that was open for public comment is published (or submitted) only
        with what changed after consultation (``comment_windows``), whichever way."""
        if not item.is_unpublished:
            return
        window = CommentWindow.objects.filter(best_practice=item).first()
        if window is not None and not window.outcome:
            raise ValidationError(
                _(
                    "Its draft was open for public comment: publish it from its page, "
                    "saying what changed after consultation."
                )
            )

    def publishing(self, item, now):
        """Publishing closes its public comment window, if it had one."""
        CommentWindow.objects.filter(best_practice=item, closed_at__isnull=True).update(
            closed_at=now
        )

    def published_details(self, item):
        return {"audience": item.audience, "public": item.public}

    def amended(self, item, *, by, request, before, after):
        if any(before[field] != after[field] for field in LEAD_ONLY):
            _drop_disallowed_endorsements(item, by=by, request=request)

    def retiring(self, item, details, now):
        """An archived best practice stays readable, marked as archived, and can no
        longer be amended or endorsed."""
        item.archived_at = now


_LIFE = PracticeLifecycle()
_locked = _LIFE.locked
(create, update, delete, attach, detach, publish, amend, archive,
 submit, approve, reject, recall) = _LIFE.acts()  # fmt: skip
(approval_shown, rejection_shown, can_decide, can_recall,
 needs_approval, comparable_content) = _LIFE.questions()  # fmt: skip


# --- Endorsements ---------------------------------------------------------------------------


@dataclass
class EndorseResult:
    endorsement: Endorsement
    created: bool


@transaction.atomic
def endorse(
    practice: BestPractice,
    *,
    by: User,
    kind: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> EndorseResult:
    """Mark the best practice as adopted or endorsed for ``by``'s state, or change how."""
    practice = _locked(practice)
    state = check_can_endorse(practice, by)
    errors: dict = {}
    kind = clean_choice(kind, "kind", EndorsementKind, errors)
    note = clean_text(note, "note", MAX_NOTE, required=False, errors=errors)
    if errors:
        raise ValidationError(errors)
    existing = Endorsement.objects.filter(best_practice=practice, state=state).first()
    if existing is not None and (existing.kind, existing.note) == (kind, note):
        return EndorseResult(existing, created=False)  # nothing new to record or announce
    endorsement, created = Endorsement.objects.update_or_create(
        best_practice=practice,
        state=state,
        defaults={"kind": kind, "note": note, "by": by},
    )
    audit.record(
        audit.Action.PRACTICE_ENDORSED,
        request=request,
        actor=by,
        target=practice,
        details={"kind": kind},
    )
    # Announced (to the authors) when a state adopts or endorses, or changes which; a
    # withdrawal is recorded in the audit log only.
    if existing is None or existing.kind != kind:
        record_event(EventKind.PRACTICE_ENDORSED, practice, by, endorsement=kind)
    return EndorseResult(endorsement, created)


@transaction.atomic
def withdraw_endorsement(
    practice: BestPractice, *, by: User, request: HttpRequest | None = None
) -> bool:
    """Take back ``by``'s state's endorsement; returns whether there was one."""
    practice = _locked(practice)
    state = reading_state(by)
    if state is None or by.role not in {Role.STATE_ADMIN, Role.OFFICER}:
        raise PermissionDenied(_("Only officers and admins speak for their state."))
    deleted, _rows = Endorsement.objects.filter(best_practice=practice, state=state).delete()
    if deleted:
        audit.record(
            audit.Action.PRACTICE_ENDORSEMENT_WITHDRAWN,
            request=request,
            actor=by,
            target=practice,
        )
    return bool(deleted)
