"""Licence denials, the screening of applications against them, and the consultations
that follow a match (the "no undercut" practice of export-control regimes)."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sharing.common.choices import RESTRICTED_TLP, TLP, Audience
from sharing.common.models import ChoiceLabels, FourEyesItem
from sharing.denials.choices import (
    DENIALS_IN_FORCE,
    UNPUBLISHED,
    ConsultationOutcome,
    ConsultationStatus,
    DenialReason,
    DenialStatus,
    PartyRole,
)
from sharing.denials.querysets import ConsultationQuerySet, DenialQuerySet

# A denial is reviewed three years after the decision unless the notifying state says
# otherwise (the practice of the EU's dual-use regime and of Wassenaar).
REVIEW_AFTER_YEARS = 3


def review_date(decided_on: datetime.date, years: int = REVIEW_AFTER_YEARS) -> datetime.date:
    """``years`` after ``decided_on`` (29 February falls back to 28 February)."""
    try:
        return decided_on.replace(year=decided_on.year + years)
    except ValueError:
        return decided_on.replace(year=decided_on.year + years, day=28)


class Denial(FourEyesItem, models.Model):
    """A state's notification that it refused an export licence: for what item, to which
    consignee and end-user, and why. The other states screen their applications against
    it and, before granting an essentially identical one, consult the denying state.

    Notified (issued) in force, amended with a note, revoked with a reason, renewed at
    its review date; one left unreviewed past that date expires and drops out of
    screening. Marked AMBER by default and shared with every subscribing state unless
    the notifying state narrows it. ``sharing.denials.services`` alone changes it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    state = models.ForeignKey(
        "accounts.State",
        verbose_name=_("notifying state"),
        on_delete=models.PROTECT,
        related_name="denials",
    )
    national_reference = models.CharField(_("national reference"), max_length=64)
    decided_on = models.DateField(_("date of decision"))
    control_entry = models.CharField(_("control-list entry"), max_length=40, blank=True)
    catch_all = models.BooleanField(
        _("non-listed (catch-all)"),
        default=False,
        help_text=_("The item is on no control list; the licence was required by catch-all."),
    )
    item_description = models.TextField(_("item description"))
    end_use = models.TextField(_("stated end-use"), blank=True)
    reason_category = models.CharField(_("reason"), max_length=24, choices=DenialReason.choices)
    reason = models.TextField(_("reason in words"))
    status = models.CharField(
        _("status"), max_length=20, choices=DenialStatus.choices, default=DenialStatus.ACTIVE
    )
    review_on = models.DateField(_("review date"))
    tlp = models.CharField(_("TLP marking"), max_length=16, choices=TLP.choices, default=TLP.AMBER)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.SUBSCRIBING
    )
    recipient_states = models.ManyToManyField(
        "accounts.State",
        verbose_name=_("recipient states"),
        related_name="denials_received",
        blank=True,
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("notified"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True, editable=False)
    # When the notifying state was reminded of the review (each once, claimed by a
    # conditional UPDATE so that two beats never remind twice).
    reminded_60_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_14_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DenialQuerySet.as_manager()

    DRAFT_STATUS = DenialStatus.DRAFT
    PENDING_STATUS = DenialStatus.PENDING
    UNPUBLISHED = UNPUBLISHED

    class Meta:
        verbose_name = _("licence denial")
        verbose_name_plural = _("licence denials")
        ordering = ["-decided_on", "-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "national_reference"],
                name="denial_reference_once_per_state",
                violation_error_message=_("Your state has notified a denial with this reference."),
            ),
            models.CheckConstraint(
                condition=~models.Q(tlp=TLP.RED) | models.Q(audience=Audience.SELECTED),
                name="denial_red_needs_selected_audience",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "review_on"], name="denial_status_review"),
            models.Index(fields=["-updated_at"], name="denial_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sharing:denial-detail", args=[self.pk])

    @property
    def title(self) -> str:
        """How the denial is named everywhere, e-mails included: by the state and its
        reference, never by the parties (a marked denial's parties stay in the portal)."""
        return gettext("Licence denial %(state)s %(reference)s") % {
            "state": self.state_id,
            "reference": self.national_reference,
        }

    @property
    def summary(self) -> str:
        entry = self.control_entry or gettext("non-listed (catch-all)")
        return f"{self.get_reason_category_display()} · {entry}"

    @property
    def author_state_id(self):
        """The notifying state, under the name notices use for theirs."""
        return self.state_id

    def audit_label(self) -> str:
        return f"denial {self.state_id} {self.national_reference}"

    @property
    def in_force(self) -> bool:
        return self.status in DENIALS_IN_FORCE

    @property
    def is_restricted(self) -> bool:
        return self.tlp in RESTRICTED_TLP


class DenialParty(ChoiceLabels, models.Model):
    """The consignee or the end-user named in a denial."""

    denial = models.ForeignKey(Denial, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    address = models.TextField(_("address"), blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["position", "id"]  # as the notifying state gave them

    def __str__(self) -> str:
        return self.name

    def as_dict(self) -> dict:
        return {
            "role": self.role,
            "name": self.name,
            "aliases": list(self.aliases),
            "address": self.address,
            "country": self.country,
        }


class Consultation(ChoiceLabels, models.Model):
    """A state considering a licence that is essentially identical to one another state
    denied, asking that state first. The denying state answers within 10 working days
    of its own calendar, or extends once, to 30 at most; the consulting state records
    the outcome, which is circulated to the denial's readers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    denial = models.ForeignKey(Denial, on_delete=models.PROTECT, related_name="consultations")
    consulting_state = models.ForeignKey(
        "accounts.State",
        verbose_name=_("consulting state"),
        on_delete=models.PROTECT,
        related_name="consultations_opened",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    # The transaction the consulting state is considering.
    application_reference = models.CharField(_("your application reference"), max_length=64)
    end_user = models.CharField(_("end-user"), max_length=200)
    consignee = models.CharField(_("consignee"), max_length=200, blank=True)
    destination = models.CharField(_("destination"), max_length=2)
    control_entry = models.CharField(_("control-list entry"), max_length=40, blank=True)
    item_description = models.TextField(_("item description"))
    question = models.TextField(_("question to the denying state"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.OPEN,
    )
    working_days = models.PositiveSmallIntegerField(_("working days to answer"), default=10)
    due_on = models.DateField(_("answer due by"))
    extended_at = models.DateTimeField(_("extended"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ConsultationOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("about the outcome"), blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    # Each reminder, and the marking overdue, happens once: claimed by a conditional
    # UPDATE of these (beat may run on several hosts).
    reminded_early_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["due_on", "-opened_at"]
        indexes = [models.Index(fields=["status", "due_on"], name="consultation_due")]

    def __str__(self) -> str:
        return f"{self.consulting_state_id} → {self.denial}"

    def get_absolute_url(self) -> str:
        return reverse("sharing:consultation-detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"consultation {self.pk} ({self.consulting_state_id} → {self.denial.audit_label()})"

    @property
    def denying_state_id(self):
        return self.denial.state_id

    @property
    def is_pending(self) -> bool:
        """Still waiting for the denying state's answer."""
        return self.status in {ConsultationStatus.OPEN, ConsultationStatus.OVERDUE}


class ConsultationMessage(models.Model):
    """One message in a consultation's thread, between the two states only."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.state_id}: {self.body[:40]}"
