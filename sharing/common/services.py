"""What the notice and best-practice services share: checks of who may post, of text
and choices, the staging of uploaded files, attachments, revisions and the outbox."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import django.dispatch
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import State, User
from portal import audit
from portal.inputs import CONTROL, Conflict
from portal.markdown import render_markdown, size_problem
from portal.queue import enqueue_on_commit
from sharing.common.attachments import UploadInfo, inspect_upload
from sharing.common.choices import FOUR_EYES_KINDS, RESTRICTED_TLP
from sharing.common.models import Attachment, Event, Revision, Term, attachment_storage_name
from sharing.common.querysets import authoring_state, reader_states

# Control characters have no place in shared text (tab and line breaks excepted).
_CONTROL = CONTROL

MAX_TITLE = 200
MAX_SUMMARY = 1000
MAX_BODY = 100_000
MAX_NOTE = 2000
MAX_COMMENT = 5000

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


# --- Who may post ---------------------------------------------------------------------------


def check_can_author(by: User) -> State:
    """Officers and admins of a subscribing state post and discuss; viewers, and observer
    states, only read (docs/architecture.md, "Who uses it")."""
    state = authoring_state(by)
    if state is None:
        raise PermissionDenied(_("Only officers and admins of a subscribing state can do this."))
    return state


def as_predicate(check):
    """A ``check_*`` function as a yes/no question, for pages that show or hide a button."""

    def predicate(*args) -> bool:
        try:
            check(*args)
        except PermissionDenied:
            return False
        return True

    return predicate


can_author = as_predicate(check_can_author)


# --- Checking input -------------------------------------------------------------------------


def clean_text(value, field: str, limit: int, *, required: bool, errors: dict) -> str:
    """Stripped text of at most ``limit`` characters; a problem goes into ``errors``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = _("Must be text.")
        return ""
    value = value.strip()
    if _CONTROL.search(value):
        errors[field] = _("Control characters (other than line breaks and tabs) are not allowed.")
    elif required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(n)d characters (it has %(m)d).") % {
            "n": limit,
            "m": len(value),
        }
    return value


def clean_email(value, errors: dict, field: str = "email") -> str:
    """An e-mail address, in lower case (people outside government: contacts, the
    writers of public comments)."""
    email = clean_text(value, field, 254, required=True, errors=errors).lower()
    if field not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors[field] = _("Enter a valid e-mail address.")
    return email


def signed_data(token: str, *, salt: str, days: int | None = None) -> dict | None:
    """What a link signed with ``salt`` carries (a confirmation, an unsubscribe, a
    reading), or None if it was not signed so, or is older than ``days``."""
    try:
        data = signing.loads(token, salt=salt, max_age=days * 86400 if days else None)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None


def clean_markdown(value, errors: dict, field: str = "body") -> str:
    """A Markdown body that the one renderer can render promptly."""
    text = clean_text(value, field, MAX_BODY, required=False, errors=errors)
    problem = size_problem(text)
    if problem and field not in errors:
        errors[field] = problem
    return text


@dataclass(frozen=True)
class Rendered:
    """A Markdown body rendered before the transaction (rendering a long text takes
    time that must not be spent holding a row lock)."""

    body: str | None = None
    html: str = ""

    def html_for(self, obj, body: str) -> str:
        """The HTML for ``body`` on ``obj``: the one rendered ahead when it is for this
        text, the stored one when the text did not change, else rendered now."""
        if self.body is not None and self.body == body:
            return self.html
        if body == obj.body and obj.body_html:
            return obj.body_html
        return render_markdown(body)


# The text every shared item has (sharing.common.models.SharedItem).
ITEM_TEXT = ("title", "summary", "body")


def clean_item_text(data: dict, errors: dict) -> dict:
    """An item's title and summary (both required) and its Markdown body."""
    return {
        "title": clean_text(data.get("title"), "title", MAX_TITLE, required=True, errors=errors),
        "summary": clean_text(
            data.get("summary"), "summary", MAX_SUMMARY, required=True, errors=errors
        ),
        "body": clean_markdown(data.get("body"), errors),
    }


def item_text(item) -> dict:
    return {field: getattr(item, field) for field in ITEM_TEXT}


def apply_item_text(item, cleaned: dict, rendered: Rendered) -> None:
    """Set the cleaned text on ``item`` (not saved), its HTML first: ``html_for``
    compares the new body with the one still stored."""
    item.body_html = rendered.html_for(item, cleaned["body"])
    for field in ITEM_TEXT:
        setattr(item, field, cleaned[field])


def replace_named_rows(existing, model, values: list[dict], key: tuple[str, ...], **parent) -> None:
    """Make ``existing`` (a related manager: a notice's entities, a denial's parties)
    hold ``values``, in their order. A row whose ``key`` fields (its role and name,
    say; case and spacing aside) are unchanged is updated in place, so that what refers
    to it (a link to the registry of entities) survives an amendment; the others are
    deleted and created afresh (docs/architecture.md, "Registry of entities")."""

    def identity(fields: dict) -> tuple:
        return tuple(" ".join(str(fields[name]).casefold().split()) for name in key)

    kept: dict = {}
    for row in existing.all():
        kept.setdefault(identity(row.__dict__), []).append(row)
    fresh = []
    for position, fields in enumerate(values):
        same = kept.get(identity(fields))
        if same:
            row = same.pop(0)
            for name, value in {**fields, "position": position}.items():
                setattr(row, name, value)
            row.save()
        else:
            fresh.append(model(position=position, **parent, **fields))
    gone = [row.pk for rows in kept.values() for row in rows]
    if gone:
        model.objects.filter(pk__in=gone).delete()
    model.objects.bulk_create(fresh)


def render_ahead(content: dict) -> Rendered:
    body = content.get("body")
    if not isinstance(body, str):
        return Rendered()
    body = body.strip()
    if size_problem(body) or _CONTROL.search(body):
        return Rendered()  # refused inside; nothing worth rendering
    return Rendered(body, render_markdown(body))


def clean_choice(value, field: str, choices, errors: dict) -> str:
    if value not in choices.values:
        errors[field] = _("Choose one of the values offered.")
    return value


def clean_date(
    value, field: str, errors: dict, *, required: bool = False, not_past: bool = True
) -> datetime.date | None:
    """An ISO date (or a date, not a date and time); empty means none. ``not_past``:
    today or later."""
    if value in (None, ""):
        if required:
            errors[field] = _("This field is required.")
        return None
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            errors[field] = _("Give a date as YYYY-MM-DD.")
            return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        errors[field] = _("Give a date as YYYY-MM-DD.")
        return None
    if not_past and value < timezone.localdate():
        errors[field] = _("The date is in the past.")
    return value


def clean_terms(
    values, vocabulary: type[Term], field: str, errors: dict, *, required: bool = True
) -> list[Term]:
    """Terms of ``vocabulary`` (``TechnologyCategory``, ``Topic``) given by slug or as
    objects; at least one when ``required``."""
    values = list(values or [])
    if not values:
        if required:
            errors[field] = _("Choose at least one.")
        return []
    slugs = [v.slug if isinstance(v, Term) else v for v in values]
    if not all(isinstance(s, str) for s in slugs):
        errors[field] = _("Give them by their short names.")
        return []
    found = list(vocabulary.objects.filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {term.slug for term in found})
    if unknown:
        errors[field] = _("Unknown: %(slugs)s.") % {"slugs": ", ".join(unknown)}
    return found


def clean_states(values, allowed, field: str, errors: dict, *, required: bool) -> list[State]:
    """States given by code or as objects, each of them in the queryset ``allowed``."""
    values = list(values or [])
    codes = [v.pk if isinstance(v, State) else v for v in values]
    if not codes:
        if required:
            errors[field] = _("Choose at least one state.")
        return []
    if not all(isinstance(c, str) for c in codes):
        errors[field] = _("Give states by their codes.")
        return []
    found = list(allowed.filter(pk__in=codes))
    wrong = sorted(set(codes) - {s.pk for s in found})
    if wrong:
        errors[field] = _(
            "These states cannot be chosen: %(codes)s (unknown, suspended, or your own state)."
        ) % {"codes": ", ".join(str(c) for c in wrong)}
    return found


# --- Files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StagedFile:
    info: UploadInfo
    name: str  # where it is stored


def storage():
    return Attachment._meta.get_field("file").storage


@contextmanager
def staged(uploads):
    """Check each upload by its content and store it, before any transaction starts (no
    slow reading or writing while a row is locked); remove what was stored again if
    anything after fails, so a refused act leaves no file behind."""
    files: list[StagedFile] = []
    try:
        for upload in uploads:
            try:
                info = inspect_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
            except ValidationError as error:
                raise ValidationError({"attachments": error.messages}) from None
            name = storage().save(attachment_storage_name(info.extension), upload)
            files.append(StagedFile(info, name))
        yield files
    except BaseException:
        for file in files:
            storage().delete(file.name)
        raise


def attach_file(parent, file: StagedFile, *, by: User, request) -> Attachment:
    """Record a staged file as an attachment of ``parent`` (a notice or a best practice)
    at its current version."""
    info = file.info
    attachment = Attachment(
        filename=info.filename,
        content_type=info.content_type,
        extension=info.extension,
        size=info.size,
        sha256=info.sha256,
        version=parent.version,
        uploaded_by=by,
        **{parent_field(parent): parent},
    )
    attachment.file.name = file.name
    attachment.save()
    audit.record(
        audit.Action.ATTACHMENT_ADDED,
        request=request,
        actor=by,
        target=attachment,
        details={
            parent_field(parent): str(parent.pk),
            "sha256": info.sha256,
            "size": info.size,
        },
    )
    return attachment


def attach_to_draft(
    parent, upload, *, by: User, request, check, lock, refusal: StrOrPromise
) -> Attachment:
    """Attach a file to a draft notice or best practice: checked by content and stored
    before the transaction, then recorded under the parent's row lock once ``check``
    still lets ``by`` write it. A published parent gets files by amendment (``refusal``
    says so)."""
    check(parent, by)
    with staged([upload]) as files, transaction.atomic():
        parent = lock(parent)
        check(parent, by)
        if not parent.is_draft:
            raise Conflict(refusal)
        return attach_file(parent, files[0], by=by, request=request)


def _audit_removal(attachment: Attachment, *, by: User, request, **details) -> None:
    parent = attachment.parent
    audit.record(
        audit.Action.ATTACHMENT_REMOVED,
        request=request,
        actor=by,
        target=attachment,
        details={parent_field(parent): str(parent.pk), **details},
    )


def detach_file(attachment: Attachment, *, by: User, request) -> None:
    """Remove an attachment from its (locked, checked) parent; the file goes after commit."""
    name = attachment.file.name
    _audit_removal(attachment, by=by, request=request)
    attachment.delete()
    transaction.on_commit(lambda: storage().delete(name))


# Sent before a draft is deleted for good: what was written about it (the inbox's rows
# of its four eyes) goes first. A signal, as ``item_opened`` below.
draft_deleting = django.dispatch.Signal()


def delete_with_files(parent) -> None:
    """Delete a draft and, once that has committed, its stored files. A draft that was
    submitted for approval has events of its four eyes (the only events an unpublished
    item has): they go with it, the audit log keeps the acts."""
    files = getattr(parent, "attachments", None)  # a denial has none
    names = [a.file.name for a in files.all()] if files is not None else []
    draft_deleting.send(sender=type(parent), item=parent)
    Event.objects.filter(kind__in=FOUR_EYES_KINDS, **{parent_field(parent): parent}).delete()
    parent.delete()
    transaction.on_commit(lambda: [storage().delete(name) for name in names])


# Sent when a published item is retired (a notice withdrawn, a best practice archived,
# an advisory withdrawn, a denial revoked), inside the act's transaction: what was made
# from it follows (a notice's industry advisories are withdrawn with it).
item_retired = django.dispatch.Signal()


# --- Readings ------------------------------------------------------------------------------

# Sent when someone opens an item's page (a notice, a best practice, a denial, a
# consultation): what keeps unread things about items (the inbox) marks them read. A
# signal, so that the kinds of items need not know the inbox, which knows them.
item_opened = django.dispatch.Signal()


def opened(item, *, by) -> None:
    """``by`` opened ``item``'s page."""
    if by.is_authenticated:
        item_opened.send(sender=type(item), item=item, by=by)


# --- Readings of restricted content ---------------------------------------------------------

# How the audit log names a reading of each kind of item.
READ_ACTIONS = {
    "notice": audit.Action.NOTICE_VIEWED,
    "denial": audit.Action.DENIAL_VIEWED,
    "consultation": audit.Action.CONSULTATION_VIEWED,
}


def _marking(item) -> str:
    """An item's TLP marking ("" for a best practice, which has none); a consultation is
    as restricted as the denial it is about."""
    if item._meta.model_name == "consultation":
        return item.denial.tlp
    return getattr(item, "tlp", "")


def _what_was_read(item) -> dict:
    if item._meta.model_name == "consultation":
        return {"tlp": _marking(item), "denial": item.denial.audit_label()}
    return {"tlp": item.tlp, "version": item.version}


def record_reading(items, *, by, request, history=()) -> None:
    """Audit what a request showed of AMBER, AMBER+STRICT or RED content, among
    ``items`` (notices, denials or consultations, of one kind) and the ``history`` of
    one item (the revisions its page showed, which may be stricter than the item is
    now), in one row: a single item is the row's target; several (a list, a page of the
    API) are named in its details. Nothing is written when nothing restricted was shown."""
    items = list(items)
    shown = [item for item in items if _marking(item) in RESTRICTED_TLP]
    current = {item.version for item in items if hasattr(item, "version")}
    versions = [  # earlier versions shown that were restricted
        {"version": r.version, "tlp": r.tlp}
        for r in sorted(history, key=lambda r: r.version)
        if r.tlp in RESTRICTED_TLP and r.version not in current
    ]
    if versions and not shown:
        shown = items[:1]
    if not shown:
        return
    action = READ_ACTIONS[shown[0]._meta.model_name]
    if len(shown) == 1:
        details = _what_was_read(shown[0])
        if versions:
            details["versions"] = versions
        audit.record(action, request=request, actor=by, target=shown[0], details=details)
        return
    listed = [
        {"object": item.audit_label(), "id": str(item.pk), **_what_was_read(item)} for item in shown
    ]
    audit.record(action, request=request, actor=by, details={"shown": listed})


def record_download(attachment: Attachment, *, by, request) -> None:
    audit.record(
        audit.Action.ATTACHMENT_DOWNLOADED,
        request=request,
        actor=by if by is not None and by.is_authenticated else None,
        target=attachment,
        details={"notice": str(attachment.notice_id)}
        if attachment.notice_id
        else {"best_practice": str(attachment.best_practice_id)},
    )


# --- Revisions and the outbox ---------------------------------------------------------------


def parent_field(parent) -> str:
    """The field that points at ``parent`` from a revision, an attachment or an event."""
    name = parent._meta.model_name
    return "best_practice" if name == "bestpractice" else name


def comparable(content: dict, *, relations: tuple[str, ...], dates: tuple[str, ...]) -> dict:
    """Content as plain JSON: what a revision stores and what amendments compare.
    Related objects become their keys (slugs or codes), dates ISO strings."""
    plain = dict(content)
    for field in relations:
        plain[field] = sorted(getattr(o, "slug", None) or o.pk for o in content[field])
    for field in dates:
        plain[field] = content[field].isoformat() if content[field] else None
    return plain


def attachments_snapshot(parent) -> list[dict]:
    """The files of ``parent``'s current version, as its revision records them."""
    return [
        {"id": str(a.pk), "filename": a.filename, "sha256": a.sha256, "version": a.version}
        for a in parent.attachments.current()
    ]


def clean_removals(parent, values, errors: dict) -> list[Attachment]:
    """The files of ``parent``'s current version that an amendment takes out, given as
    attachments or their ids; anything else is a mistake named in ``errors``."""
    if not values:
        return []  # nothing asked (and a denial has no files to ask about)
    current = {str(a.pk): a for a in parent.attachments.current()}
    chosen = [str(v.pk if isinstance(v, Attachment) else v) for v in values or ()]
    if any(key not in current for key in chosen):
        errors["remove_attachments"] = _("Only files of the current version can be removed.")
        return []
    return [current[key] for key in dict.fromkeys(chosen)]


def remove_from_version(files: list[Attachment], *, version: int, by: User, request) -> None:
    """Take ``files`` out of ``version`` and every version after it. The file is kept
    (stored and audited) for the versions it was part of, so the states those reached
    can still download it, and no state that only a later version reached ever can."""
    for attachment in files:
        attachment.removed_in = version
        attachment.save(update_fields=["removed_in"])
        _audit_removal(attachment, by=by, request=request, version=version)


def record_revision(
    parent,
    *,
    by: User,
    kind: str,
    snapshot: dict,
    note: str = "",
    created_at=None,
    approved_by: User | None = None,
) -> Revision:
    """Keep ``parent``'s current version with whom it reaches now: its audience, the
    states that read it now (its authors and those its audience reaches), whether it is
    public, and its marking. These, not the item's later audience or the states' later
    statuses, decide who may read this version (RevisionQuerySet.readable)."""
    revision = Revision.objects.create(
        version=parent.version,
        change_kind=kind,
        change_note=note,
        snapshot=snapshot,
        audience=parent.audience,
        public=getattr(parent, "public", False),
        tlp=getattr(parent, "tlp", ""),
        created_by=by,
        approved_by=approved_by,
        created_at=created_at or timezone.now(),
        **{parent_field(parent): parent},
    )
    revision.reached_states.set(reader_states(parent))
    return revision


def next_reference(state: State, year: int, series: str = "") -> str:
    """The state's next reference for ``year`` in ``series``: DK-2026-0007 for a
    notice, DK-ADV-2026-0002 for an industry advisory.

    One upsert on the (state, series, year) counter row: the row stays locked until the
    publishing transaction ends, so concurrent publications in one state queue up and
    get consecutive numbers, and a rolled-back publication gives its number back.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sharing_referencecounter (state_id, series, year, last) "
            "VALUES (%s, %s, %s, 1) ON CONFLICT (state_id, series, year) DO UPDATE "
            "SET last = sharing_referencecounter.last + 1 RETURNING last",
            [state.pk, series, year],
        )
        number = cursor.fetchone()[0]
    return "-".join([state.pk, *([series] if series else []), str(year), f"{number:04d}"])


def record_event(
    kind: str, parent, by: User | None, *, consultation=None, watch=None, **payload
) -> Event:
    """The outbox row announcing ``kind`` about ``parent``, written in the caller's
    transaction; once that commits, the event is queued for dispatch. If the broker
    cannot take it then, the act still stands and the sweeper dispatches it later. The
    payload carries ids and flags only, never shared text."""
    event = Event.objects.create(
        kind=kind,
        actor=by,  # None: the portal itself (a review date passed, a deadline near)
        state=by.state if by is not None else None,
        payload={"version": parent.version, **payload},
        consultation=consultation,
        watch=watch,
        **{parent_field(parent): parent},
    )
    enqueue_on_commit("sharing.tasks.dispatch_event", event.pk)
    return event
