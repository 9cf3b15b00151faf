"""The life of a shared item, written once: a draft is created, changed, given files or
deleted; it is published as version 1; it is amended in numbered versions, materially
(its readers are told) or as a minor correction (kept in the history, not announced),
taking files in and out; and it is retired by its kind's own act (a notice withdrawn, a
best practice archived). Notices and best practices each declare what differs in a
subclass (who may act, their fields, what publishing or amending also does); their
services module exposes the subclass's methods as plain functions.

Where the owning state's policy asks for four eyes (docs/architecture.md, "Four eyes"),
publishing, a material amendment and retiring are submitted instead (``submit``), and
happen when another official of the state approves them (``approve``) exactly as they
would have alone; ``reject`` sends them back with a reason.

Every act follows the services' rule (docs/architecture.md, "Three homes for rules"):
it checks the user may act (``PermissionDenied``), checks the input (``ValidationError``
keyed by field), locks the item, and in one transaction writes the change, its audit
row, its revision and its outbox event. Uploaded files are checked and stored before
the transaction, and removed again if it fails; long texts are rendered before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import ApprovalPolicy
from accounts.models import State, User
from portal import audit
from portal.inputs import Conflict, refuse_unknown
from sharing.common.choices import (
    RESTRICTED_TLP,
    TLP,
    ApprovalAct,
    ApprovalStatus,
    ChangeKind,
    EventKind,
)
from sharing.common.models import Approval, Attachment

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from sharing.common.services import (
    MAX_NOTE,
    Rendered,
    attach_file,
    attach_to_draft,
    attachments_snapshot,
    check_can_author,
    clean_removals,
    clean_text,
    comparable,
    delete_with_files,
    detach_file,
    item_retired,
    parent_field,
    record_event,
    record_revision,
    remove_from_version,
    render_ahead,
    staged,
)

# Each kind's lifecycle, by its model: what code common to every kind (removing a
# file, say) asks to act on an item of any kind.
_BY_MODEL: dict[type[models.Model], Lifecycle] = {}

# An item of any kind: what the lifecycle reads of it (status, is_draft, is_published,
# published_at, version) every kind's model has.
Item = Any


def lifecycle_of(item: models.Model) -> Lifecycle:
    return _BY_MODEL[type(item)]


def policy_requires(state: State, *markings: str) -> bool:
    """Whether ``state``'s approval policy asks a second official to approve an act that
    leaves the state under any of ``markings`` (an amendment's before and after): the
    one home of the policy's rule."""
    if state.approval_policy == ApprovalPolicy.EVERYTHING:
        return True
    if state.approval_policy == ApprovalPolicy.RESTRICTED:
        return any(marking in RESTRICTED_TLP for marking in markings)
    return False


class Lifecycle:
    """What every kind of item does the same way; a subclass declares the rest."""

    model: type[Any]
    # The page where a draft is edited (a URL name taking its pk).
    edit_page: str
    # The item's owning state (the author of a notice, the lead of a best practice).
    owner: str
    published_status: str
    # For comparing content and keeping it in a revision: related objects by key, dates
    # as ISO strings.
    relations: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    # Fields whose change is always material, and what a minor correction touching one
    # is told.
    reach: tuple[str, ...] = ()
    reach_refusal: StrOrPromise = ""
    # Audit actions and event kinds, by act.
    actions: dict[str, audit.Action]
    events: dict[str, EventKind]
    # What the refusals say, in the kind's own words.
    refusals: dict[str, StrOrPromise]
    # Retiring a published item (withdrawing a notice, archiving a best practice): its
    # status, the fields of the act (a reason, or none), its audit action and event.
    retired_status: str
    retire_fields: tuple[str, ...] = ()

    def __init__(self):
        _BY_MODEL[self.model] = self

    # --- What a kind declares -------------------------------------------------------------

    def check_can_change(self, item: Item, by: User) -> None:
        raise NotImplementedError

    def check_can_lead(self, item: Item, by: User) -> None:
        """Publish and delete a draft; by default whoever may change it."""
        self.check_can_change(item, by)

    def clean(self, data: dict, owner: State) -> dict:
        raise NotImplementedError

    def content_of(self, item: Item) -> dict:
        raise NotImplementedError

    def apply(self, item: Item, cleaned: dict, rendered: Rendered) -> None:
        """Write cleaned content onto the item (saved) and its relations."""
        raise NotImplementedError

    def check_changes(self, item: Item, by: User, before: dict, after: dict) -> None:
        """Refuse changes ``by`` may not make (e.g. only a lead state widens a reach)."""

    def publishing(self, item: Item, now) -> None:
        """What publishing also sets on the item, before it is saved."""

    def published_details(self, item: Item) -> dict:
        return {}

    def check_amendable(self, item: Item) -> None:
        if not item.is_published:
            raise Conflict(self.refusals["amend_unpublished"])

    def new_version(self, item: Item, material: bool) -> None:
        """What a new version also sets on the item, before its content is applied."""

    def check_retirable(self, item: Item) -> None:
        if not item.is_published:
            raise Conflict(self.refusals["retire_unpublished"])

    def clean_retirement(self, details: dict) -> dict:
        """The retiring act's own fields, checked (a withdrawal's reason)."""
        return {}

    def retiring(self, item: Item, details: dict, now) -> None:
        """What retiring sets on the item, besides its status."""

    def marking(self, content: dict) -> str:
        """The marking content leaves the state under ("" for a kind with none)."""
        return content.get("tlp", "")

    def requires(self, owner: State, *markings: str) -> bool:
        """Whether ``owner``'s policy asks four eyes for an act leaving under
        ``markings``: the approval policy (``policy_requires``); licence denials have a
        setting of their own."""
        return policy_requires(owner, *markings)

    def requires_act(self, act: str, owner: State, *markings: str) -> bool:
        """Whether ``act`` (publish, amend, retire) needs four eyes: by default the rule
        of ``requires`` for every act. An industry advisory is released and amended
        only with a second officer, whatever the policy, and withdrawn at once."""
        return self.requires(owner, *markings)

    def check_leaving(self, item: Item, content: dict) -> None:
        """A last check of ``content`` (cleaned) about to leave the state, when it is
        published, amended, submitted or approved; a ValidationError refuses it (an
        advisory's copy guard)."""

    def policy_name(self, owner: State) -> str:
        """The policy's words, for the pages and refusals that name it."""
        return owner.get_approval_policy_display()

    def policy_refusal(self, owner: State) -> Conflict:
        return Conflict(
            _(
                "Your state's policy (%(policy)s) asks for another official's approval: "
                "submit it for approval instead."
            )
            % {"policy": self.policy_name(owner)}
        )

    def amended(self, item: Item, *, by: User, request, before: dict, after: dict) -> None:
        """What else an amendment changes, once its content is applied."""

    # --- Shared machinery -----------------------------------------------------------------

    def comparable(self, content: dict) -> dict:
        return comparable(content, relations=self.relations, dates=self.dates)

    def comparable_content(self, item: Item) -> dict:
        """The item's content as plain JSON (what an amendment awaiting approval holds)."""
        return self.comparable(self.content_of(item))

    def snapshot(self, item: Item) -> dict:
        return {**self.comparable_content(item), "attachments": attachments_snapshot(item)}

    def locked(self, item: Item):
        return (
            self.model.objects.select_for_update(of=("self",))
            .select_related(self.owner)
            .get(pk=item.pk)
        )

    def owner_of(self, item: Item) -> State:
        """The state whose officials act on the item and whose policy applies."""
        return getattr(item, self.owner)

    def questions(self) -> tuple:
        """What pages ask of four eyes (no change): approval_shown, rejection_shown,
        can_decide, can_recall, needs_approval, comparable_content."""
        return (self.approval_shown, self.rejection_shown, self.can_decide, self.can_recall,
                self.needs_approval, self.comparable_content)  # fmt: skip

    def acts(self) -> tuple:
        """The acts a kind's services module names as its own: create, update, delete,
        attach, detach, publish, amend, retire, and the four eyes' submit, approve,
        reject, recall."""
        return (self.create, self.update, self.delete, self.attach, self.detach,
                self.publish, self.amend, self.retire,
                self.submit, self.approve, self.reject, self.recall)  # fmt: skip

    def _locked_draft(self, item: Item, *, by: User, request: HttpRequest | None):
        """The item locked; one awaiting approval is taken back to a draft first, as
        any change to it means what was submitted is no longer what would be sent."""
        item = self.locked(item)
        if item.is_pending:
            self.recall_pending(item, by=by, request=request)
        return item

    # --- Drafts ---------------------------------------------------------------------------

    def create(self, *, by: User, request: HttpRequest | None = None, attachments=(), **content):
        """A new draft of ``by``'s state, seen only by its officers and admins (and a
        best practice's co-authoring states')."""
        state = check_can_author(by)
        cleaned = self.clean(content, state)
        rendered = render_ahead(content)
        with staged(attachments) as files, transaction.atomic():
            item = self.model(**{self.owner: state}, created_by=by, status=self.model.DRAFT_STATUS)
            self.apply(item, cleaned, rendered)
            for file in files:
                attach_file(item, file, by=by, request=request)
            audit.record(self.actions["drafted"], request=request, actor=by, target=item)
        return item

    def update(
        self, item: Item, *, by: User, request: HttpRequest | None = None, attachments=(), **content
    ):
        """Change a draft; fields not given keep their value."""
        self.check_can_change(item, by)
        rendered = render_ahead(content)
        with staged(attachments) as files, transaction.atomic():
            item = self.locked(item)
            self.check_can_change(item, by)
            if item.is_pending:  # editing what awaits approval takes it back
                self.recall_pending(item, by=by, request=request)
            if not item.is_draft:
                raise Conflict(self.refusals["edit_published"])
            current = self.content_of(item)
            cleaned = self.clean({**current, **content}, self.owner_of(item))
            self.check_changes(item, by, self.comparable(current), self.comparable(cleaned))
            self.apply(item, cleaned, rendered)
            for file in files:
                attach_file(item, file, by=by, request=request)
            audit.record(self.actions["draft_updated"], request=request, actor=by, target=item)
        return item

    def delete(self, item: Item, *, by: User, request: HttpRequest | None = None) -> None:
        with transaction.atomic():
            item = self.locked(item)
            self.check_can_lead(item, by)
            if item.is_pending:
                self.recall_pending(item, by=by, request=request)
            if not item.is_draft:
                raise Conflict(self.refusals["delete_published"])
            audit.record(self.actions["draft_deleted"], request=request, actor=by, target=item)
            delete_with_files(item)

    def attach(
        self, item: Item, upload, *, by: User, request: HttpRequest | None = None
    ) -> Attachment:
        """Attach a file to a draft (amendments attach through ``amend``)."""
        return attach_to_draft(
            item,
            upload,
            by=by,
            request=request,
            check=self.check_can_change,
            lock=lambda item: self._locked_draft(item, by=by, request=request),
            refusal=self.refusals["files_published"],
        )

    def detach(self, attachment: Attachment, *, by: User, request: HttpRequest | None = None):
        """Remove a file from a draft. A published item's files stay with its versions
        (an amendment takes them out of the versions after it)."""
        with transaction.atomic():
            item = self.locked(attachment.parent)
            self.check_can_change(item, by)
            if item.is_pending:
                self.recall_pending(item, by=by, request=request)
            if not item.is_draft:
                raise Conflict(self.refusals["files_kept"])
            detach_file(attachment, by=by, request=request)

    # --- Publishing, amending, retiring ---------------------------------------------------

    def publish(self, item: Item, *, by: User, request: HttpRequest | None = None):
        """Publish a draft to its audience: store version 1 and announce it."""
        with transaction.atomic():
            item = self._publishable(item, by)
            marking = self.marking(self.content_of(item))
            if self.requires_act(ApprovalAct.PUBLISH, self.owner_of(item), marking):
                raise self.policy_refusal(self.owner_of(item))
            return self._publish(item, by=by, request=request)

    def _publishable(self, item: Item, by: User) -> Item:
        item = self.locked(item)
        self.check_can_lead(item, by)
        if item.is_pending:
            raise Conflict(_("It is already awaiting approval; take it back to change it."))
        if not item.is_draft:
            raise Conflict(self.refusals["already_published"])
        # Checked again: a recipient may have been suspended since it was saved.
        self.check_leaving(item, self.clean(self.content_of(item), self.owner_of(item)))
        return item

    def _publish(
        self, item: Item, *, by: User, request, author: User | None = None, approved_by=None
    ):
        """Publish the locked, checked item. Under four eyes ``by`` is the approver,
        ``author`` the official who submitted it."""
        now = timezone.now()
        self.publishing(item, now)
        item.status = self.published_status
        item.published_at = now
        item.save()
        record_revision(
            item,
            by=author or by,
            approved_by=approved_by,
            kind=ChangeKind.INITIAL,
            snapshot=self.snapshot(item),
            created_at=now,
        )
        audit.record(
            self.actions["published"],
            request=request,
            actor=by,
            target=item,
            details=self.published_details(item),
        )
        record_event(self.events["published"], item, by)
        return item

    def amend(
        self,
        item,
        *,
        by: User,
        change_note: str,
        material: bool,
        request: HttpRequest | None = None,
        attachments=(),
        remove_attachments=(),
        **content,
    ):
        """Publish a new version. A material change is announced (and, for a notice,
        asks its recipients to acknowledge again); a minor correction is only kept in the
        history. Both keep their change note. ``remove_attachments`` takes files of the
        current version out of the new one: redact, then share wider."""
        self.check_can_change(item, by)
        rendered = render_ahead(content)
        with staged(attachments) as files, transaction.atomic():
            item = self.locked(item)
            change = self._amendment(
                item, by, change_note, material, remove_attachments, content, bool(files)
            )
            markings = self.marking(change.before), self.marking(change.after)
            if material and self.requires_act(ApprovalAct.AMEND, self.owner_of(item), *markings):
                raise self.policy_refusal(self.owner_of(item))
            # A submitted amendment was written against the version this one replaces.
            self.recall_pending(item, by=by, request=request)
            self._amend(item, change, by=by, request=request, rendered=rendered, files=files)
        return item

    def _amendment(
        self, item, by, change_note, material, remove_attachments, content, with_files: bool
    ) -> Amendment:
        """An amendment of the locked item, checked: everything it changes, or the
        ValidationError naming every mistake."""
        self.check_can_change(item, by)
        self.check_amendable(item)
        errors: dict = {}
        note = clean_text(change_note, "change_note", MAX_NOTE, required=True, errors=errors)
        if not isinstance(material, bool):
            errors["material"] = _("Say whether the change is material or a minor correction.")
        removed = clean_removals(item, remove_attachments, errors)
        current = self.content_of(item)
        cleaned: dict = {}
        try:
            cleaned = self.clean({**current, **content}, self.owner_of(item))
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        before, after = self.comparable(current), self.comparable(cleaned)
        if before == after and not with_files and not removed:
            raise Conflict(self.refusals["nothing_changed"])
        self.check_changes(item, by, before, after)
        self.check_leaving(item, cleaned)
        # Who may read it and how it may be passed on are never a "minor" matter:
        # new readers must be told, and a lighter marking must be announced.
        if not material and any(before[field] != after[field] for field in self.reach):
            raise ValidationError({"material": self.reach_refusal})
        return Amendment(note, material, removed, cleaned, before, after)

    def _amend(
        self,
        item,
        change: Amendment,
        *,
        by: User,
        request,
        rendered: Rendered,
        files=(),
        author: User | None = None,
        approved_by: User | None = None,
    ):
        item.version += 1
        self.new_version(item, change.material)
        self.apply(item, change.cleaned, rendered)
        self.amended(item, by=by, request=request, before=change.before, after=change.after)
        remove_from_version(change.removed, version=item.version, by=by, request=request)
        for file in files:
            attach_file(item, file, by=by, request=request)
        kind = ChangeKind.MATERIAL if change.material else ChangeKind.MINOR
        record_revision(
            item,
            by=author or by,
            approved_by=approved_by,
            kind=kind,
            note=change.note,
            snapshot=self.snapshot(item),
        )
        audit.record(
            self.actions["amended"],
            request=request,
            actor=by,
            target=item,
            details={"version": item.version, "change": kind},
        )
        record_event(
            self.events["amended" if change.material else "corrected"],
            item,
            by,
            material=change.material,
        )

    def retire(self, item: Item, *, by: User, request: HttpRequest | None = None, **details):
        """Withdraw a notice, archive a best practice: it stays readable, marked so."""
        with transaction.atomic():
            item = self.locked(item)
            cleaned = self._retirement(item, by, details)
            marking = self.marking(self.content_of(item))
            if self.requires_act(ApprovalAct.RETIRE, self.owner_of(item), marking):
                raise self.policy_refusal(self.owner_of(item))
            # What awaited approval (an amendment) is moot once the item is retired.
            self.recall_pending(item, by=by, request=request)
            return self._retire(item, cleaned, by=by, request=request)

    def _retirement(self, item: Item, by: User, details: dict) -> dict:
        self.check_can_lead(item, by)
        self.check_retirable(item)
        refuse_unknown(details, self.retire_fields)
        return self.clean_retirement(details)

    def _retire(self, item: Item, details: dict, *, by: User, request, **approval):
        item.status = self.retired_status
        self.retiring(item, details, timezone.now())
        item.save()
        audit.record(
            self.actions["retired"],
            request=request,
            actor=by,
            target=item,
            details={key: str(value.username) for key, value in approval.items() if value},
        )
        record_event(self.events["retired"], item, by)
        item_retired.send(sender=type(item), item=item, by=by, request=request)
        return item

    # --- Four eyes ------------------------------------------------------------------------

    def _pending(self, item: Item):
        """The act of ``item`` awaiting approval, as a query (at most one row)."""
        return Approval.objects.filter(status=ApprovalStatus.PENDING, **{parent_field(item): item})

    def _check_official(self, item: Item, by: User) -> None:
        """An officer or admin of the owning state (not platform staff, not a viewer, not
        a co-authoring state): who deals with its four eyes."""
        check_can_author(by)
        if by.state_id != self.owner_of(item).pk:
            raise PermissionDenied(_("Only officials of the state that submitted it decide."))

    def _sees_four_eyes(self, item: Item, user: User, approval: Approval | None) -> bool:
        if approval is not None and approval.submitted_by_id == user.pk:
            return True  # a co-author who submitted an amendment follows it
        try:
            self._check_official(item, user)
        except PermissionDenied:
            return False
        return True

    def approval_shown(self, item: Item, user: User) -> Approval | None:
        """What awaits approval on ``item``, for the owning state's officers and admins
        and its submitter; nobody else learns that anything does."""
        if not user.is_authenticated:
            return None  # a visitor of a public best practice: not even a query
        approval = item.awaiting_approval
        if approval is None:
            return None
        return approval if self._sees_four_eyes(item, user, approval) else None

    def rejection_shown(self, item: Item, user: User) -> Approval | None:
        """The last submission's rejection, while nothing newer awaits approval: shown
        to the owning state's officers and admins and to its submitter, who reads the
        reason there."""
        if not user.is_authenticated:
            return None
        history = item.approval_history  # newest first
        last = history[0] if history else None
        if last is None or last.status != ApprovalStatus.REJECTED:
            return None
        if not self._sees_four_eyes(item, user, last):
            return None
        # Until the item moves on: published since, or a newer version.
        if last.act == ApprovalAct.PUBLISH:
            return last if item.is_draft else None
        return last if item.is_published and item.version == last.version else None

    def can_decide(self, item: Item, user: User) -> bool:
        """Whether ``user`` may approve or reject what awaits approval on ``item``
        (for pages, which show the buttons): the rule of ``_decidable``."""
        approval = self.approval_shown(item, user)
        if approval is None or approval.submitted_by_id == user.pk:
            return False
        try:
            self._check_decider(item, approval, user)
        except PermissionDenied:
            return False
        return True

    def can_recall(self, item: Item, user: User) -> bool:
        approval = self.approval_shown(item, user)
        if approval is None:
            return False
        try:
            self._check_recaller(item, approval, user)
        except PermissionDenied:
            return False
        return True

    def needs_approval(self, item: Item, act: str, content: dict | None = None) -> bool:
        """Whether ``act`` on ``item`` (with ``content``, for an amendment) must be
        submitted under its state's policy: what pages ask to offer Submit or Publish."""
        markings = [self.marking(self.content_of(item))]
        if content is not None:
            markings.append(self.marking(content))
        return self.requires_act(act, self.owner_of(item), *markings)

    def submit(
        self,
        item: Item,
        *,
        by: User,
        act: str = ApprovalAct.PUBLISH,
        request: HttpRequest | None = None,
        attachments=(),
        **proposal,
    ) -> Approval:
        """Submit publishing (a draft), a material amendment (with ``change_note``,
        ``remove_attachments`` and the changed content) or retiring (with the act's
        fields) for another official's approval. Checked now as the act itself would be;
        nothing leaves the state until it is approved."""
        if act not in ApprovalAct.values:
            raise ValidationError({"act": _("Choose publish, amend or retire.")})
        if attachments:
            raise ValidationError(
                {
                    "attachments": _(
                        "Files cannot be added while awaiting approval: add them to "
                        "the draft, or amend again once this is approved."
                    )
                }
            )
        with transaction.atomic():
            item = self.locked(item)
            if act == ApprovalAct.PUBLISH:
                refuse_unknown(proposal, ())
                item = self._publishable(item, by)
                markings = [self.marking(self.content_of(item))]
                stored: dict = {}
            elif act == ApprovalAct.AMEND:
                proposal.setdefault("material", True)
                if proposal["material"] is not True:
                    raise ValidationError(
                        {"material": _("A minor correction needs no approval; publish it.")}
                    )
                change = self._amendment(
                    item,
                    by,
                    proposal.pop("change_note", None),
                    True,
                    proposal.pop("remove_attachments", ()),
                    {key: value for key, value in proposal.items() if key != "material"},
                    False,
                )
                markings = [self.marking(change.before), self.marking(change.after)]
                stored = {
                    "content": change.after,
                    "change_note": change.note,
                    "remove_attachments": [str(a.pk) for a in change.removed],
                }
            else:
                stored = self._retirement(item, by, proposal)
                markings = [self.marking(self.content_of(item))]
            owner = self.owner_of(item)
            if not self.requires_act(act, owner, *markings):
                raise Conflict(_("Your state's policy asks for no approval here: do it directly."))
            if self._pending(item).exists():
                raise Conflict(_("Something is already awaiting approval here; decide it first."))
            tlp = max(markings, key=lambda m: TLP.values.index(m) if m in TLP.values else -1)
            approval = Approval.objects.create(
                act=act,
                proposal=stored,
                version=item.version,
                tlp=tlp,
                submitted_by=by,
                **{parent_field(item): item},
            )
            if act == ApprovalAct.PUBLISH:
                item.status = self.model.PENDING_STATUS
                item.save(update_fields=["status", "updated_at"])
            audit.record(
                audit.Action.APPROVAL_SUBMITTED,
                request=request,
                actor=by,
                target=item,
                details={"act": act, "approval": approval.pk},
            )
            record_event(EventKind.APPROVAL_REQUESTED, item, by, approval=approval.pk, act=act)
        return approval

    def _decidable(self, item: Item, by: User, expected) -> tuple[Item, Approval]:
        """The locked item and its pending approval, once ``by`` may decide it: an
        officer or admin of the owning state who may do the act, never its submitter.
        Who may is checked before anything is looked up, so that nobody else learns
        whether anything awaits approval. ``expected``: the approval the decider saw
        (its id), if they say; another one pending instead is refused."""
        item = self.locked(item)
        self._check_official(item, by)
        approval = self._pending(item).select_for_update().first()
        if approval is None or (expected is not None and str(expected) != str(approval.pk)):
            raise Conflict(_("Nothing here is awaiting approval."))
        if approval.submitted_by_id == by.pk:
            raise PermissionDenied(_("Another official must approve what you submitted."))
        self._check_decider(item, approval, by)
        return item, approval

    def _check_decider(self, item: Item, approval: Approval, by: User) -> None:
        """An officer or admin of the owning state (not platform staff, not a
        co-authoring state) who may do the act."""
        self._check_official(item, by)
        if approval.act == ApprovalAct.AMEND:
            self.check_can_change(item, by)
        else:
            self.check_can_lead(item, by)

    def _check_recaller(self, item: Item, approval: Approval, by: User) -> None:
        """Its submitter, or an official of the owning state who may do the act."""
        if approval.submitted_by_id != by.pk:
            self._check_decider(item, approval, by)

    def approve(
        self, item: Item, *, by: User, request: HttpRequest | None = None, approval=None
    ) -> Item:
        """Approve what awaits approval: the act then happens exactly as it would have
        without the policy (reference, version, event, notifications), ``by`` recorded
        as its approver. Two approvers at once: the second finds nothing pending."""
        waiting = self._pending(item).first()
        content = waiting.proposal.get("content", {}) if waiting is not None else {}
        rendered = render_ahead(content)
        expected = approval
        with transaction.atomic():
            item, approval = self._decidable(item, by, expected)
            if approval.version != item.version:
                raise Conflict(
                    _("It has changed since it was submitted: its submitter must submit it again.")
                )
            author = approval.submitted_by
            if approval.act == ApprovalAct.PUBLISH:
                cleaned = self.clean(self.content_of(item), self.owner_of(item))
                self.check_leaving(item, cleaned)
                self._publish(item, by=by, request=request, author=author, approved_by=by)
            elif approval.act == ApprovalAct.AMEND:
                proposal = approval.proposal
                change = self._amendment(
                    item,
                    by,
                    proposal["change_note"],
                    True,
                    proposal["remove_attachments"],
                    proposal["content"],
                    False,
                )
                self._amend(
                    item,
                    change,
                    by=by,
                    request=request,
                    rendered=rendered,
                    author=author,
                    approved_by=by,
                )
            else:
                details = self._retirement(item, by, approval.proposal)
                self._retire(
                    item, details, by=by, request=request, submitted_by=author, approved_by=by
                )
            self._close(item, approval, ApprovalStatus.APPROVED, by=by, request=request)
        return item

    def reject(
        self,
        item: Item,
        *,
        by: User,
        reason: str,
        request: HttpRequest | None = None,
        approval=None,
    ) -> Item:
        """Send what awaits approval back to its submitter with ``reason``: a draft to
        be changed, or an amendment or retirement that does not happen."""
        errors: dict = {}
        reason = clean_text(reason, "reason", MAX_NOTE, required=True, errors=errors)
        if errors:
            raise ValidationError(errors)
        expected = approval
        with transaction.atomic():
            item, approval = self._decidable(item, by, expected)
            self._close(
                item, approval, ApprovalStatus.REJECTED, by=by, request=request, reason=reason
            )
        return item

    def recall(self, item: Item, *, by: User, request: HttpRequest | None = None) -> Item:
        """Take back what awaits approval (its submitter, or an official of the owning
        state who may do the act): a pending draft is a draft again."""
        with transaction.atomic():
            item = self.locked(item)
            approval = self._pending(item).select_for_update().first()
            if approval is None or approval.submitted_by_id != by.pk:
                self._check_official(item, by)  # before saying whether anything awaits
            if approval is None:
                raise Conflict(_("Nothing here is awaiting approval."))
            self._check_recaller(item, approval, by)
            self.recall_pending(item, by=by, request=request)
        return item

    def recall_pending(self, item: Item, *, by: User | None, request) -> bool:
        """Take back the locked item's pending act, if any; whether there was one.
        ``by`` None: the portal itself (a denial expired at its review date)."""
        approval = self._pending(item).first()
        if approval is None:
            return False
        self._close(item, approval, ApprovalStatus.RECALLED, by=by, request=request)
        return True

    # How each end of an approval is audited, and told to its submitter (a taking back
    # is told to nobody: the submitter, or a colleague who edited, did it).
    ENDINGS: dict[str, tuple[audit.Action, EventKind | None]] = {
        ApprovalStatus.APPROVED: (audit.Action.APPROVAL_GRANTED, EventKind.APPROVAL_GRANTED),
        ApprovalStatus.REJECTED: (audit.Action.APPROVAL_REFUSED, EventKind.APPROVAL_REFUSED),
        ApprovalStatus.RECALLED: (audit.Action.APPROVAL_RECALLED, None),
    }

    def _close(
        self,
        item: Item,
        approval: Approval,
        status: str,
        *,
        by: User | None,
        request,
        reason: str = "",
    ):
        """End the locked item's pending approval: a submitted draft that was not
        approved is a draft again."""
        if status != ApprovalStatus.APPROVED and item.is_pending:
            item.status = self.model.DRAFT_STATUS
            item.save(update_fields=["status", "updated_at"])
        approval.status, approval.reason = status, reason
        approval.decided_by, approval.decided_at = by, timezone.now()
        approval.save()
        action, event = self.ENDINGS[status]
        details = {"act": approval.act, "approval": approval.pk}
        audit.record(action, request=request, actor=by, target=item, details=details)
        if event is not None:
            record_event(event, item, by, **details, submitter=approval.submitted_by_id)


class WithdrawnWithReason(Lifecycle):
    """A kind retired by a withdrawal with a reason (notices, advisories): it stays
    readable under a banner giving the reason (its ``withdrawn_at`` and
    ``withdrawn_reason``)."""

    retire_fields = ("reason",)

    def clean_retirement(self, details):
        errors: dict = {}
        reason = clean_text(details.get("reason"), "reason", MAX_NOTE, required=True, errors=errors)
        if errors:
            raise ValidationError(errors)
        return {"reason": reason}

    def retiring(self, item, details, now):
        item.withdrawn_at = now
        item.withdrawn_reason = details["reason"]


@dataclass
class Amendment:
    """An amendment, checked: its note, whether it is material, the files it takes out,
    the cleaned content, and the content before and after as plain JSON."""

    note: str
    material: bool
    removed: list
    cleaned: dict
    before: dict
    after: dict
