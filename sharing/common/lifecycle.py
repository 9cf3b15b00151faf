"""The life of a shared item, written once: a draft is created, changed, given files or
deleted; it is published as version 1; it is amended in numbered versions, materially
(its readers are told) or as a minor correction (kept in the history, not announced),
taking files in and out; and it is retired by its kind's own act (a notice withdrawn, a
best practice archived). Notices and best practices each declare what differs in a
subclass (who may act, their fields, what publishing or amending also does); their
services module exposes the subclass's methods as plain functions.

Every act follows the services' rule (docs/architecture.md, "Three homes for rules"):
it checks the user may act (``PermissionDenied``), checks the input (``ValidationError``
keyed by field), locks the item, and in one transaction writes the change, its audit
row, its revision and its outbox event. Uploaded files are checked and stored before
the transaction, and removed again if it fails; long texts are rendered before it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import State, User
from portal import audit
from sharing.common.choices import ChangeKind, EventKind
from sharing.common.models import Attachment

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
            raise ValidationError(self.refusals["amend_unpublished"])

    def new_version(self, item: Item, material: bool) -> None:
        """What a new version also sets on the item, before its content is applied."""

    def amended(self, item: Item, *, by: User, request, before: dict, after: dict) -> None:
        """What else an amendment changes, once its content is applied."""

    # --- Shared machinery -----------------------------------------------------------------

    def comparable(self, content: dict) -> dict:
        return comparable(content, relations=self.relations, dates=self.dates)

    def snapshot(self, item: Item) -> dict:
        return {
            **self.comparable(self.content_of(item)),
            "attachments": attachments_snapshot(item),
        }

    def locked(self, item: Item):
        return (
            self.model.objects.select_for_update(of=("self",))
            .select_related(self.owner)
            .get(pk=item.pk)
        )

    def _owner(self, item: Item) -> State:
        return getattr(item, self.owner)

    def acts(self) -> tuple:
        """The acts a kind's services module names as its own: create, update, delete,
        attach, detach, publish, amend."""
        return (self.create, self.update, self.delete, self.attach, self.detach,
                self.publish, self.amend)  # fmt: skip

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
            if not item.is_draft:
                raise ValidationError(self.refusals["edit_published"])
            current = self.content_of(item)
            cleaned = self.clean({**current, **content}, self._owner(item))
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
            if not item.is_draft:
                raise ValidationError(self.refusals["delete_published"])
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
            lock=self.locked,
            refusal=self.refusals["files_published"],
        )

    def detach(self, attachment: Attachment, *, by: User, request: HttpRequest | None = None):
        """Remove a file from a draft. A published item's files stay with its versions
        (an amendment takes them out of the versions after it)."""
        with transaction.atomic():
            item = self.locked(attachment.parent)
            self.check_can_change(item, by)
            if not item.is_draft:
                raise ValidationError(self.refusals["files_kept"])
            detach_file(attachment, by=by, request=request)

    # --- Publishing and amending ----------------------------------------------------------

    def publish(self, item: Item, *, by: User, request: HttpRequest | None = None):
        """Publish a draft to its audience: store version 1 and announce it."""
        with transaction.atomic():
            item = self.locked(item)
            self.check_can_lead(item, by)
            if not item.is_draft:
                raise ValidationError(self.refusals["already_published"])
            # Checked again: a recipient may have been suspended since it was saved.
            self.clean(self.content_of(item), self._owner(item))
            now = timezone.now()
            self.publishing(item, now)
            item.status = self.published_status
            item.published_at = now
            item.save()
            record_revision(
                item, by=by, kind=ChangeKind.INITIAL, snapshot=self.snapshot(item), created_at=now
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
            self.check_can_change(item, by)
            self.check_amendable(item)
            errors: dict = {}
            note = clean_text(change_note, "change_note", MAX_NOTE, required=True, errors=errors)
            if not isinstance(material, bool):
                errors["material"] = _("Say whether the change is material or a minor correction.")
            removed = clean_removals(item, remove_attachments, errors)
            current = self.content_of(item)
            try:
                cleaned = self.clean({**current, **content}, self._owner(item))
            except ValidationError as error:
                errors.update(error.message_dict)
            if errors:
                raise ValidationError(errors)
            before, after = self.comparable(current), self.comparable(cleaned)
            if before == after and not files and not removed:
                raise ValidationError(self.refusals["nothing_changed"])
            self.check_changes(item, by, before, after)
            # Who may read it and how it may be passed on are never a "minor" matter:
            # new readers must be told, and a lighter marking must be announced.
            if not material and any(before[field] != after[field] for field in self.reach):
                raise ValidationError({"material": self.reach_refusal})
            item.version += 1
            self.new_version(item, material)
            self.apply(item, cleaned, rendered)
            self.amended(item, by=by, request=request, before=before, after=after)
            remove_from_version(removed, version=item.version, by=by, request=request)
            for file in files:
                attach_file(item, file, by=by, request=request)
            kind = ChangeKind.MATERIAL if material else ChangeKind.MINOR
            record_revision(item, by=by, kind=kind, note=note, snapshot=self.snapshot(item))
            audit.record(
                self.actions["amended"],
                request=request,
                actor=by,
                target=item,
                details={"version": item.version, "change": kind},
            )
            record_event(
                self.events["amended" if material else "corrected"], item, by, material=material
            )
        return item
