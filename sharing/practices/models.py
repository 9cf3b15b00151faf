"""The best-practice library."""

import uuid

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
    CommenterKind,
    DocType,
    EndorsementKind,
    PracticeAudience,
    PracticeStatus,
)
from sharing.practices.querysets import BestPracticeQuerySet, PublicCommentQuerySet


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


class CommentWindow(models.Model):
    """A public comment window on a draft best practice, opened by its lead state: while
    it is open, the draft's text is public at this window's address and anyone may
    comment (after confirming an e-mail address). The lead and co-authoring states read
    every comment and may reply publicly; publishing the best practice closes the window
    with a short account of what changed after consultation (docs/architecture.md,
    "Public comment windows")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    best_practice = models.OneToOneField(
        BestPractice, on_delete=models.CASCADE, related_name="comment_window"
    )
    intro = models.TextField(_("introduction"))
    closes_on = models.DateField(_("comments until"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.TextField(_("what changed after consultation"), blank=True)

    class Meta:
        verbose_name = _("comment window")
        verbose_name_plural = _("comment windows")

    def __str__(self) -> str:
        return f"comment window {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("sharing:comment-window", args=[self.pk])

    def audit_label(self) -> str:
        return f"comment window {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and timezone.localdate() <= self.closes_on

    @property
    def shows_draft(self) -> bool:
        """Whether its page shows the draft's text to anyone: while it is open, on a
        draft (the one exception to a draft's readers, made by the lead state)."""
        return self.is_open and self.best_practice.is_unpublished

    @property
    def shows_title(self) -> bool:
        """Whether its page names the best practice: while the draft is shown, or once
        it is published as public. A closed window's draft may have been retitled since
        (and never been public under that title)."""
        practice = self.best_practice
        return self.shows_draft or (practice.public and not practice.is_unpublished)


class PublicComment(models.Model):
    """A comment from outside government in a comment window: kept unconfirmed until
    its writer confirms their address; shown publicly only if they allowed it."""

    window = models.ForeignKey(CommentWindow, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("who you are"), max_length=16, choices=CommenterKind.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"))
    body = models.TextField(_("comment"))
    publishable = models.BooleanField(_("may be published"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        "accounts.State", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    objects = PublicCommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("public comment")
        verbose_name_plural = _("public comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment {self.pk}"

    def audit_label(self) -> str:
        return f"public comment {self.pk}"
