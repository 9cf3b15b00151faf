"""What notices and best practices share: the terms that tag them, revisions,
attachments and the outbox."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from sharing.common.choices import (
    TLP,
    ApprovalAct,
    ApprovalStatus,
    ChangeKind,
    EventKind,
    Vocabulary,
)
from sharing.common.querysets import ApprovalQuerySet, AttachmentQuerySet, RevisionQuerySet


def one_of(*fields: str) -> models.Q:
    """Exactly one of ``fields`` is set (a condition for a CheckConstraint)."""
    condition = models.Q()
    for field in fields:
        others = {f"{other}__isnull": True for other in fields if other != field}
        condition |= models.Q(**{f"{field}__isnull": False}, **others)
    return condition


# Attachments hang off a notice or a best practice, never both; revisions, approvals
# and events off one of those, a licence denial or an industry advisory.
ONE_PARENT = one_of("notice", "best_practice")
ONE_SUBJECT = one_of("notice", "best_practice", "denial", "advisory")


class TermManager(models.Manager):
    """A vocabulary's own terms, on the model that names it (a proxy of ``Term``)."""

    def get_queryset(self):
        terms = super().get_queryset()
        return terms.filter(vocabulary=self.model.VOCABULARY) if self.model.VOCABULARY else terms


class Term(models.Model):
    """A term of a small taxonomy that platform staff maintain in the administration
    site: the technology categories of notices (and of e-mail preferences), the topics
    of best practices. Each vocabulary is a proxy model of its own kind's package
    (``TechnologyCategory``, ``Topic``), which lists and creates its terms only."""

    VOCABULARY = ""  # set by each vocabulary's proxy

    vocabulary = models.CharField(
        _("vocabulary"), max_length=20, choices=Vocabulary.choices, editable=False
    )
    slug = models.SlugField(_("slug"))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = TermManager()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["vocabulary", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vocabulary__in=Vocabulary.values),
                name="term_vocabulary_known",
            ),
            models.UniqueConstraint(
                fields=["vocabulary", "slug"],
                name="term_slug_unique",
                violation_error_message=_("This vocabulary already has a term with this slug."),
            ),
            models.UniqueConstraint(
                fields=["vocabulary", "name"],
                name="term_name_unique",
                violation_error_message=_("This vocabulary already has a term with this name."),
            ),
        ]

    def __str__(self) -> str:
        # The seeded terms' names are in the catalogue (the seed migrations mark them,
        # in a context of their own); a term staff add reads as they typed it.
        return pgettext("taxonomy", self.name)

    def save(self, *args, **kwargs):
        self.vocabulary = self.vocabulary or self.VOCABULARY
        super().save(*args, **kwargs)

    def audit_label(self) -> str:
        return self.name

    def validate_constraints(self, exclude=None):
        # The vocabulary is on no form, yet a term's slug and name are unique within it.
        self.vocabulary = self.vocabulary or self.VOCABULARY
        super().validate_constraints(exclude=set(exclude or ()) - {"vocabulary"})


class ChoiceLabels:
    """``get_<field>_display`` in one dictionary lookup. Django's own turns the field's
    choices into a hashable tuple on every call, which evaluates every lazy label: for
    the forty-odd kinds of event, some ninety translations per line of an inbox (a third
    of the page's time), and a tenth of the notice list's. The labels stay lazy here,
    read in the language of the moment. Every item (``FourEyesItem``) and the models
    whose labels lists show have it."""

    def _get_FIELD_display(self, field):
        labels = _CHOICE_LABELS.get(field)
        if labels is None:
            labels = _CHOICE_LABELS[field] = dict(field.flatchoices)
        value = getattr(self, field.attname)
        return force_str(labels.get(value, value), strings_only=True)


_CHOICE_LABELS: dict = {}


class FourEyesItem(ChoiceLabels):
    """What an item under four eyes reads of itself (notices, best practices, denials):
    whether it is a draft or awaits approval, who published and approved its current
    version, and its submissions. Each kind sets ``DRAFT_STATUS``, ``PENDING_STATUS``
    and ``UNPUBLISHED`` (docs/architecture.md, "Four eyes")."""

    DRAFT_STATUS: str
    PENDING_STATUS: str
    UNPUBLISHED: tuple[str, ...]
    status: str
    version: int

    @property
    def is_draft(self) -> bool:
        return self.status == self.DRAFT_STATUS

    @property
    def is_unpublished(self) -> bool:
        """A draft, or awaiting approval: read by its own state's officers and admins."""
        return self.status in self.UNPUBLISHED

    @property
    def is_pending(self) -> bool:
        """Submitted for approval, not published yet."""
        return self.status != self.DRAFT_STATUS and self.status in self.UNPUBLISHED

    @cached_property
    def current_revision(self):
        """The current version's revision (None before publication): who published it,
        and who approved it. Read off the prefetch of ``approval_record`` if made."""
        signed = getattr(self, "signed_versions", None)
        if signed is None:
            current = self.revisions.filter(version=self.version)
            return current.select_related("created_by", "approved_by").first()
        return next((r for r in signed if r.version == self.version), None)

    @cached_property
    def approval_history(self) -> list:
        """Its submissions for approval not taken back, newest first. Read off the
        prefetch of ``approval_record`` if made. Whoever reads: show them only through
        ``Lifecycle.approval_shown`` and ``rejection_shown``."""
        submitted = self.approvals.exclude(status=ApprovalStatus.RECALLED)
        return list(submitted.select_related("submitted_by", "decided_by"))

    @property
    def awaiting_approval(self):
        """The act awaiting approval, if any (at most one)."""
        return next((a for a in self.approval_history if a.is_pending), None)


class SharedItem(FourEyesItem, models.Model):
    """What a notice and a best practice both are: a titled text in Markdown, drafted
    by someone, published in numbered versions, and kept searchable (the search fields
    are written by ``sharing.common.textsearch.index``: every searchable word as plain
    text, the same folded for substring matching, and on PostgreSQL its weighted
    full-text vector). Each kind adds its status, owner, audience and the rest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("body"), blank=True)
    body_html = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True, default="")
    search_folded = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(editable=False, null=True)

    # The status a new item starts in and keeps until it is published: each kind's own
    # "draft" choice; and the statuses of an item not published yet (a draft, or one
    # awaiting approval), read by its own state's officers and admins only. Only an
    # unpublished item's files are readable without the version rule.

    class Meta:
        abstract = True
        # Drafts (not yet published) first, then the newest publications, on every database.
        ordering = [models.F("published_at").desc(nulls_first=True), "-created_at", "id"]


class Revision(models.Model):
    """What a notice, a best practice or a denial said at one published version, kept
    for ever: the history that readers diff, and that recipients of a notice
    acknowledge. Each revision also keeps whom that version reached (its audience, its
    recipient states, whether it was public) and its marking, because a reader sees a
    version only if it reached their state (docs/architecture.md, "Versions")."""

    notice = models.ForeignKey(
        "Notice", on_delete=models.CASCADE, related_name="revisions", null=True, blank=True
    )
    best_practice = models.ForeignKey(
        "BestPractice", on_delete=models.CASCADE, related_name="revisions", null=True, blank=True
    )
    denial = models.ForeignKey(
        "Denial", on_delete=models.CASCADE, related_name="revisions", null=True, blank=True
    )
    advisory = models.ForeignKey(
        "Advisory", on_delete=models.CASCADE, related_name="revisions", null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"))
    change_kind = models.CharField(_("change"), max_length=12, choices=ChangeKind.choices)
    change_note = models.TextField(_("change note"), blank=True)
    snapshot = models.JSONField(_("content"))
    # Whom this version reached when it was published: its audience as chosen, and the
    # states that read it then (its authors and those the audience reached), kept as
    # they were, whatever the item's audience or the states' statuses become later.
    audience = models.CharField(_("audience"), max_length=16)
    reached_states = models.ManyToManyField(
        "accounts.State", verbose_name=_("states reached"), related_name="+", blank=True
    )
    public = models.BooleanField(_("public"), default=False)
    tlp = models.CharField(_("TLP marking"), max_length=16, choices=TLP.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The second official who approved this version, when the state's policy asked for
    # one (created_by then submitted it).
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("published"), default=timezone.now)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="revision_of_one_subject"),
            models.UniqueConstraint(
                fields=["notice", "version"],
                condition=models.Q(notice__isnull=False),
                name="revision_once_per_notice_version",
            ),
            models.UniqueConstraint(
                fields=["best_practice", "version"],
                condition=models.Q(best_practice__isnull=False),
                name="revision_once_per_practice_version",
            ),
            models.UniqueConstraint(
                fields=["denial", "version"],
                condition=models.Q(denial__isnull=False),
                name="revision_once_per_denial_version",
            ),
            models.UniqueConstraint(
                fields=["advisory", "version"],
                condition=models.Q(advisory__isnull=False),
                name="revision_once_per_advisory_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} v{self.version}"

    @property
    def subject_id(self):
        return self.notice_id or self.best_practice_id or self.denial_id or self.advisory_id


def _attachment_storage():
    return storages["attachments"]


def attachment_storage_name(extension: str) -> str:
    """A fresh name to store a file under: random, so the original name (which is only
    ever shown) never reaches the file system."""
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def _attachment_path(instance, filename: str) -> str:
    return attachment_storage_name(instance.extension)


class Attachment(models.Model):
    """A file attached to a notice or a best practice: checked by content when uploaded,
    stored outside any public URL with its SHA-256, and downloaded only through a view
    that checks visibility and writes an audit row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notice = models.ForeignKey(
        "Notice", on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    best_practice = models.ForeignKey(
        "BestPractice",
        on_delete=models.CASCADE,
        related_name="attachments",
        null=True,
        blank=True,
    )
    file = models.FileField(storage=_attachment_storage, upload_to=_attachment_path)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    version = models.PositiveIntegerField(_("added in version"), default=1)
    # The first version without this file, when an amendment took it out: it stays with
    # the versions before, for the states those reached, and with no one else.
    removed_in = models.PositiveIntegerField(_("removed in version"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "filename"]
        constraints = [
            models.CheckConstraint(
                condition=ONE_PARENT, name="attachment_of_one_notice_or_practice"
            )
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def parent(self):
        return self.notice or self.best_practice

    def audit_label(self) -> str:
        """How the audit log names this file: not by its name, which may say too much."""
        return f"attachment {self.pk} ({self.content_type}, {self.size} bytes)"

    @property
    def download_name(self) -> str:
        """The original name, with the extension of the type found in the content (a PDF
        uploaded as report.docx is served as report.pdf)."""
        stem, dot, extension = self.filename.rpartition(".")
        if dot and f".{extension.lower()}" == self.extension:
            return self.filename
        return f"{stem if dot else self.filename}{self.extension}"


class Approval(ChoiceLabels, models.Model):
    """An act on a notice, a best practice or a licence denial submitted for a second
    official's approval, because its state's policy asks for one (docs/architecture.md,
    "Four eyes"): its
    publication, a material amendment (``proposal`` holds the amended content, the
    change note and the files to remove), or its withdrawal or archiving (``proposal``
    holds the reason). At most one is pending per item; the decided ones are kept."""

    notice = models.ForeignKey(
        "Notice", on_delete=models.CASCADE, related_name="approvals", null=True, blank=True
    )
    best_practice = models.ForeignKey(
        "BestPractice", on_delete=models.CASCADE, related_name="approvals", null=True, blank=True
    )
    denial = models.ForeignKey(
        "Denial", on_delete=models.CASCADE, related_name="approvals", null=True, blank=True
    )
    advisory = models.ForeignKey(
        "Advisory", on_delete=models.CASCADE, related_name="approvals", null=True, blank=True
    )
    act = models.CharField(_("act"), max_length=12, choices=ApprovalAct.choices)
    proposal = models.JSONField(default=dict, blank=True)
    # The version the act starts from: an amendment's diff is against it, and an
    # approval of a proposal made on an older version is refused.
    version = models.PositiveIntegerField(_("version"))
    # The marking it would leave the state under (the stricter of before and after).
    tlp = models.CharField(_("TLP marking"), max_length=16, choices=TLP.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="approval_of_one_subject"),
            models.UniqueConstraint(
                fields=["notice"],
                condition=models.Q(status=ApprovalStatus.PENDING, notice__isnull=False),
                name="approval_one_pending_per_notice",
            ),
            models.UniqueConstraint(
                fields=["best_practice"],
                condition=models.Q(status=ApprovalStatus.PENDING, best_practice__isnull=False),
                name="approval_one_pending_per_practice",
            ),
            models.UniqueConstraint(
                fields=["denial"],
                condition=models.Q(status=ApprovalStatus.PENDING, denial__isnull=False),
                name="approval_one_pending_per_denial",
            ),
            models.UniqueConstraint(
                fields=["advisory"],
                condition=models.Q(status=ApprovalStatus.PENDING, advisory__isnull=False),
                name="approval_one_pending_per_advisory",
            ),
        ]

    def __str__(self) -> str:
        item = self.notice_id or self.best_practice_id or self.denial_id or self.advisory_id
        return f"{self.act} of {item} ({self.status})"

    @property
    def item(self):
        return self.notice or self.best_practice or self.denial or self.advisory

    @property
    def is_pending(self) -> bool:
        return self.status == ApprovalStatus.PENDING


class Event(ChoiceLabels, models.Model):
    """The outbox: one row per announceable act, written in the same transaction as the
    act, so that an act is never lost nor announced without having happened. The
    notifications machinery reads these rows and marks them dispatched."""

    kind = models.CharField(max_length=32, choices=EventKind.choices)
    notice = models.ForeignKey("Notice", on_delete=models.PROTECT, null=True, related_name="+")
    best_practice = models.ForeignKey(
        "BestPractice", on_delete=models.PROTECT, null=True, related_name="+"
    )
    denial = models.ForeignKey("Denial", on_delete=models.PROTECT, null=True, related_name="+")
    advisory = models.ForeignKey("Advisory", on_delete=models.PROTECT, null=True, related_name="+")
    # A consultation's events are about its denial, and name the consultation too.
    consultation = models.ForeignKey(
        "Consultation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    # A watched application's new match is about the denial, and names the watch too.
    watch = models.ForeignKey("Watch", on_delete=models.PROTECT, null=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    state = models.ForeignKey(
        "accounts.State", on_delete=models.PROTECT, null=True, related_name="+"
    )
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(dispatched_at__isnull=True),
                name="event_undispatched",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="event_about_one_subject")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def subject(self):
        """What the event is about: a notice, a best practice, a denial or an advisory."""
        return self.notice or self.best_practice or self.denial or self.advisory
