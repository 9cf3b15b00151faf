import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharing.choices import (
    RESTRICTED_TLP,
    TLP,
    AckLevel,
    Audience,
    ChangeKind,
    DocType,
    EndorsementKind,
    EntityKind,
    EventKind,
    NoticeKind,
    NoticeStatus,
    PracticeAudience,
    PracticeStatus,
    Severity,
)
from sharing.querysets import AttachmentQuerySet, BestPracticeQuerySet, NoticeQuerySet

# Revisions, attachments and events hang off a notice or a best practice, never both.
ONE_PARENT = models.Q(notice__isnull=False, best_practice__isnull=True) | models.Q(
    notice__isnull=True, best_practice__isnull=False
)


class TechnologyCategory(models.Model):
    """A kind of technology whose export the Code of Conduct is concerned with
    (intrusion software, IP network surveillance, ...). A small taxonomy that platform
    staff maintain in the administration site; notices are tagged with it."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("technology category")
        verbose_name_plural = _("technology categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Notice(models.Model):
    """A threat or risk notice: an advisory from one state to others about the misuse,
    or risk of misuse, of cyber-surveillance and similar technologies.

    A notice is drafted by its author state's officers, published to an audience
    (selected states, all subscribing states, or the whole community), amended in
    numbered versions with a change note (every published version is kept as a
    ``Revision``), and may be withdrawn, after which it stays readable with a
    banner. Recipient states acknowledge each version that asks them to.
    ``sharing.services`` is the only code that changes a notice's state.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("body"), blank=True)
    body_html = models.TextField(editable=False, blank=True)
    categories = models.ManyToManyField(
        TechnologyCategory, verbose_name=_("technology categories"), related_name="notices"
    )
    control_codes = models.JSONField(_("control-list codes"), default=list, blank=True)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    tlp = models.CharField(_("TLP marking"), max_length=16, choices=TLP.choices)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    recipient_states = models.ManyToManyField(
        "accounts.State",
        verbose_name=_("recipient states"),
        related_name="notices_received",
        blank=True,
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # The version recipients are asked to acknowledge: raised by a material amendment,
    # left alone by a minor correction.
    ack_version = models.PositiveIntegerField(default=1, editable=False)
    author_state = models.ForeignKey(
        "accounts.State",
        verbose_name=_("author state"),
        on_delete=models.PROTECT,
        related_name="notices_authored",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    # Kept up to date by sharing.search.index (see there): every searchable word as
    # plain text, and on PostgreSQL its weighted full-text vector.
    search_text = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(editable=False, null=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        # Drafts (not yet published) first, then the newest publications, on every database.
        ordering = [models.F("published_at").desc(nulls_first=True), "-created_at", "id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="notice_status_published"),
            models.Index(fields=["author_state", "status"], name="notice_author_status"),
            models.Index(fields=["-updated_at"], name="notice_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(tlp=TLP.RED) | models.Q(audience=Audience.SELECTED),
                name="notice_red_needs_selected_audience",
                violation_error_message=_("TLP:RED can only be shared with selected states."),
            ),
            models.CheckConstraint(
                condition=models.Q(status=NoticeStatus.DRAFT) | models.Q(reference__isnull=False),
                name="notice_published_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or _('Draft')}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("sharing:notice-detail", args=[self.pk])

    def audit_label(self) -> str:
        """How the audit log names this notice: by reference, never by its title."""
        return f"notice {self.reference or f'draft {self.pk}'}"

    @property
    def countries_of_concern(self) -> list[str]:
        """ISO codes, in the order given (kept as rows so lists can filter by country)."""
        return [row.code for row in self.concern_countries.all()]

    @property
    def is_draft(self) -> bool:
        return self.status == NoticeStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == NoticeStatus.PUBLISHED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == NoticeStatus.WITHDRAWN

    @property
    def is_restricted(self) -> bool:
        """AMBER, AMBER+STRICT or RED: views are audited, bodies never leave the portal."""
        return self.tlp in RESTRICTED_TLP


class CountryOfConcern(models.Model):
    """A country a notice is about (where the misuse happens or the end-user sits)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="concern_countries")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("country"), max_length=2, db_index=True)

    class Meta:
        verbose_name = _("country of concern")
        verbose_name_plural = _("countries of concern")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "code"], name="country_once_per_notice")
        ]

    def __str__(self) -> str:
        return self.code


class NoticeEntity(models.Model):
    """A named entity of concern in a notice: a company, agency, person or broker that
    officials should watch for in licence applications."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="entities")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=EntityKind.choices, default=EntityKind.COMPANY
    )
    identifiers = models.JSONField(_("identifiers"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("entity of concern")
        verbose_name_plural = _("entities of concern")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "country": self.country,
            "kind": self.kind,
            "identifiers": list(self.identifiers),
            "notes": self.notes,
        }


class Revision(models.Model):
    """What a notice or a best practice said at one published version, kept for ever:
    the history that readers diff, and that recipients of a notice acknowledge."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="revisions", null=True, blank=True
    )
    best_practice = models.ForeignKey(
        "BestPractice", on_delete=models.CASCADE, related_name="revisions", null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"))
    change_kind = models.CharField(_("change"), max_length=12, choices=ChangeKind.choices)
    change_note = models.TextField(_("change note"), blank=True)
    snapshot = models.JSONField(_("content"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(condition=ONE_PARENT, name="revision_of_one_notice_or_practice"),
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
        ]

    def __str__(self) -> str:
        return f"{self.notice_id or self.best_practice_id} v{self.version}"


class Acknowledgement(models.Model):
    """A recipient state's answer to one version of a notice: received, assessed or
    action taken. One per state and version; a state may raise its level later."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="acknowledgements")
    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    level = models.CharField(_("level"), max_length=16, choices=AckLevel.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged"), default=timezone.now)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["state__name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "state", "version"], name="ack_once_per_state_and_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state_id} v{self.version} {self.level}"


class Comment(models.Model):
    """One message in a notice's discussion thread, written by an officer or admin of a
    state that can see the notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.state_id}: {self.body[:40]}"


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
        Notice, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
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


class Topic(models.Model):
    """A subject of the best-practice library (licensing, end-use checks, ...): a small
    taxonomy that platform staff maintain in the administration site."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class BestPractice(models.Model):
    """What a state has learned about controlling these exports, shared for others to
    use: guidance, a checklist, a case study, legislation, training material, a
    template. A lead state writes it with any co-authoring states, publishes it to the
    subscribing states or the whole community (and, if it chooses, to the public),
    amends it in numbered versions, and archives it when it is superseded. Other states
    mark it as adopted or endorsed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("body"), blank=True)
    body_html = models.TextField(editable=False, blank=True)
    doc_type = models.CharField(_("document type"), max_length=16, choices=DocType.choices)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="practices")
    lead_state = models.ForeignKey(
        "accounts.State",
        verbose_name=_("lead state"),
        on_delete=models.PROTECT,
        related_name="practices_led",
    )
    co_authors = models.ManyToManyField(
        "accounts.State",
        verbose_name=_("co-authoring states"),
        related_name="practices_coauthored",
        blank=True,
    )
    audience = models.CharField(_("audience"), max_length=16, choices=PracticeAudience.choices)
    public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Also readable without signing in, to help states build capacity."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PracticeStatus.choices, default=PracticeStatus.DRAFT
    )
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
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(editable=False, null=True)

    objects = BestPracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("best practice")
        verbose_name_plural = _("best practices")
        ordering = [models.F("published_at").desc(nulls_first=True), "-created_at", "id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="practice_status_published"),
            models.Index(fields=["public", "status"], name="practice_public"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sharing:practice-detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"best practice {self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == PracticeStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == PracticeStatus.PUBLISHED

    @property
    def is_archived(self) -> bool:
        return self.status == PracticeStatus.ARCHIVED


class Endorsement(models.Model):
    """A state's word that it has adopted, or endorses, a best practice: one per state,
    changeable and withdrawable by the state's officers and admins."""

    best_practice = models.ForeignKey(
        BestPractice, on_delete=models.CASCADE, related_name="endorsements"
    )
    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=EndorsementKind.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("since"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["state__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["best_practice", "state"], name="endorsement_once_per_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state_id}: {self.kind}"


class ReferenceCounter(models.Model):
    """The last reference number a state used in a year (DK-2026-0007 → 7)."""

    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["state", "year"], name="one_counter_per_state_year")
        ]

    def __str__(self) -> str:
        return f"{self.state_id}-{self.year}: {self.last}"


class Event(models.Model):
    """The outbox: one row per announceable act, written in the same transaction as the
    act, so that an act is never lost nor announced without having happened. The
    notifications machinery reads these rows and marks them dispatched."""

    kind = models.CharField(max_length=32, choices=EventKind.choices)
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, null=True, related_name="+")
    best_practice = models.ForeignKey(
        "BestPractice", on_delete=models.PROTECT, null=True, related_name="+"
    )
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
            models.CheckConstraint(condition=ONE_PARENT, name="event_about_one_notice_or_practice")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
