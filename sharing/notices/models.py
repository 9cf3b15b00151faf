"""Threat and risk notices and what hangs off them only."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.countries import country_name
from sharing.common.choices import RESTRICTED_TLP, TLP, Audience, EntityKind, Vocabulary
from sharing.common.models import ChoiceLabels, SharedItem, Term
from sharing.common.textsearch import plain_text
from sharing.notices.choices import UNPUBLISHED, AckLevel, NoticeKind, NoticeStatus, Severity
from sharing.notices.querysets import CommentQuerySet, NoticeQuerySet


class TechnologyCategory(Term):
    """A kind of technology whose export the Code of Conduct is concerned with
    (intrusion software, IP network surveillance, ...): the vocabulary that tags
    notices, and that e-mail preferences choose from."""

    VOCABULARY = Vocabulary.TECHNOLOGY

    class Meta:
        proxy = True
        verbose_name = _("technology category")
        verbose_name_plural = _("technology categories")


class Notice(SharedItem):
    """A threat or risk notice: an advisory from one state to others about the misuse,
    or risk of misuse, of cyber-surveillance and similar technologies.

    A notice is drafted by its author state's officers, published to an audience
    (selected states, all subscribing states, or the whole community), amended in
    numbered versions with a change note (every published version is kept as a
    ``Revision``), and may be withdrawn, after which it stays readable with a
    banner. Recipient states acknowledge each version that asks them to.
    ``sharing.notices.services`` is the only code that changes a notice's state.
    """

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    categories = models.ManyToManyField(
        Term,
        verbose_name=_("technology categories"),
        related_name="notices",
        limit_choices_to={"vocabulary": Vocabulary.TECHNOLOGY},
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
        _("status"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    DRAFT_STATUS = NoticeStatus.DRAFT
    PENDING_STATUS = NoticeStatus.PENDING
    UNPUBLISHED = UNPUBLISHED
    # The version recipients are asked to acknowledge: raised by a material amendment,
    # left alone by a minor correction.
    ack_version = models.PositiveIntegerField(default=1, editable=False)
    author_state = models.ForeignKey(
        "accounts.State",
        verbose_name=_("author state"),
        on_delete=models.PROTECT,
        related_name="notices_authored",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta(SharedItem.Meta):
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
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
                condition=models.Q(status__in=UNPUBLISHED) | models.Q(reference__isnull=False),
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

    def search_document(self) -> tuple[str, str, str]:
        """(title, middle, body): the three weights of its text for search
        (sharing.common.textsearch). The middle holds the summary, the named entities
        with their aliases, identifiers and countries, the control codes and the
        countries of concern, by code and by name."""
        entities = [
            " ".join([e.name, *e.aliases, *e.identifiers, e.country and country_name(e.country)])
            for e in self.entities.all()
        ]
        countries = [f"{code} {country_name(code)}" for code in self.countries_of_concern]
        middle = [self.summary, *entities, *self.control_codes, *countries]
        return self.title, "\n".join(part for part in middle if part), plain_text(self.body_html)

    @property
    def countries_of_concern(self) -> list[str]:
        """ISO codes, in the order given (kept as rows so lists can filter by country)."""
        return [row.code for row in self.concern_countries.all()]

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


class NoticeEntity(ChoiceLabels, models.Model):
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


class Acknowledgement(ChoiceLabels, models.Model):
    """A recipient state's answer to one version of a notice: received, assessed or
    action taken. One per state and version; a state may raise its level later."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="acknowledgements")
    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    level = models.CharField(_("level"), max_length=16, choices=AckLevel.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged"), default=timezone.now)
    # When the state first acknowledged this version, whatever level it raised it to
    # later (acknowledged_at moves with the level): what the implementation reports count.
    first_acknowledged_at = models.DateTimeField(
        _("first acknowledged"), default=timezone.now, editable=False
    )

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
    # The notice's version when it was written: the thread then had that version's
    # readers, and only they read the comment (CommentQuerySet.visible_to).
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.state_id}: {self.body[:40]}"


class ReferenceCounter(models.Model):
    """The last reference number a state used in a year, in a series: notices
    (DK-2026-0007 → 7, series "") and industry advisories (DK-ADV-2026-0002, "ADV")."""

    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=8, default="", blank=True)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["state", "series", "year"], name="one_counter_per_state_series_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state_id}-{self.series}{self.year}: {self.last}"
