"""The best-practice library."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharing.common.choices import Vocabulary
from sharing.common.models import SharedItem, Term
from sharing.common.textsearch import plain_text
from sharing.practices.choices import (
    UNPUBLISHED,
    DocType,
    EndorsementKind,
    PracticeAudience,
    PracticeStatus,
)
from sharing.practices.querysets import BestPracticeQuerySet


class Topic(Term):
    """A subject of the best-practice library (licensing, end-use checks, ...): the
    vocabulary that tags best practices."""

    VOCABULARY = Vocabulary.TOPIC

    class Meta:
        proxy = True
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class BestPractice(SharedItem):
    """What a state has learned about controlling these exports, shared for others to
    use: guidance, a checklist, a case study, legislation, training material, a
    template. A lead state writes it with any co-authoring states, publishes it to the
    subscribing states or the whole community (and, if it chooses, to the public),
    amends it in numbered versions, and archives it when it is superseded. Other states
    mark it as adopted or endorsed."""

    doc_type = models.CharField(_("document type"), max_length=16, choices=DocType.choices)
    topics = models.ManyToManyField(
        Term,
        verbose_name=_("topics"),
        related_name="practices",
        limit_choices_to={"vocabulary": Vocabulary.TOPIC},
    )
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
        _("status"), max_length=20, choices=PracticeStatus.choices, default=PracticeStatus.DRAFT
    )
    DRAFT_STATUS = PracticeStatus.DRAFT
    PENDING_STATUS = PracticeStatus.PENDING
    UNPUBLISHED = UNPUBLISHED
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)

    objects = BestPracticeQuerySet.as_manager()

    class Meta(SharedItem.Meta):
        verbose_name = _("best practice")
        verbose_name_plural = _("best practices")
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

    def search_document(self) -> tuple[str, str, str]:
        """(title, middle, body): the three weights of its text for search
        (sharing.common.textsearch). The middle holds the summary, the topics and the
        states that wrote it."""
        middle = [
            self.summary,
            *(topic.name for topic in self.topics.all()),
            self.lead_state.name,
            *(state.name for state in self.co_authors.all()),
        ]
        return self.title, "\n".join(part for part in middle if part), plain_text(self.body_html)

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
