"""The best-practice library."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharing.practices.choices import DocType, EndorsementKind, PracticeAudience, PracticeStatus
from sharing.practices.querysets import BestPracticeQuerySet


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
    search_folded = models.TextField(editable=False, blank=True, default="")
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
