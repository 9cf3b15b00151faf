"""Who is told of what, and how: the in-app inbox, e-mail preferences and digests, and
the webhooks that states register."""

import datetime
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import crypto
from sharing.common.choices import EventKind, Vocabulary
from sharing.common.models import ChoiceLabels
from sharing.notices.choices import Severity
from sharing.notifications.choices import DeliveryStatus, EmailMode, EmailStatus
from sharing.notifications.querysets import NotificationQuerySet, WebhookEndpointQuerySet


class Notification(ChoiceLabels, models.Model):
    """One person told of one event: a line in their inbox, and perhaps an e-mail. One
    per event and person, whatever happens, so dispatching an event twice adds nothing."""

    event = models.ForeignKey("sharing.Event", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("what happened"), max_length=32, choices=EventKind.choices)
    notice = models.ForeignKey(
        "sharing.Notice", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    best_practice = models.ForeignKey(
        "sharing.BestPractice", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    denial = models.ForeignKey(
        "sharing.Denial", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    advisory = models.ForeignKey(
        "sharing.Advisory", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    consultation = models.ForeignKey(
        "sharing.Consultation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    watch = models.ForeignKey(
        "sharing.Watch", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail"), max_length=12, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    # When the e-mail was last handed to a task, and how often sending it failed.
    email_queued_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="notification_once_per_user")
        ]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["email_status", "created_at"],
                condition=models.Q(email_status__in=["pending", "sending", "digest"]),
                name="notification_email_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"

    def get_absolute_url(self) -> str:
        """The item, at the part of its page the notification is about."""
        anchor = {
            EventKind.NOTICE_COMMENTED: "#discussion",
            EventKind.NOTICE_ACKNOWLEDGED: "#acknowledgement",
            EventKind.PRACTICE_ENDORSED: "#endorsements",
            EventKind.CONSULTATION_OUTCOME: "#outcomes",
            EventKind.APPROVAL_REQUESTED: "#approval",
            EventKind.APPROVAL_GRANTED: "#approval",
            EventKind.APPROVAL_REFUSED: "#approval",
        }.get(self.kind, "")
        if self.watch_id:
            return self.watch.get_absolute_url()
        if self.consultation_id and self.kind != EventKind.CONSULTATION_OUTCOME:
            # The two states' own page (the outcome alone goes to the denial's readers).
            return self.consultation.get_absolute_url()
        return self.subject.get_absolute_url() + anchor

    @property
    def subject(self):
        return self.notice or self.best_practice or self.denial or self.advisory


class EmailPreference(models.Model):
    """How someone wants to be e-mailed; the filters apply to notices only, and to e-mail
    only (the inbox always gets everything)."""

    mode = models.CharField(
        _("e-mail"), max_length=12, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    min_severity = models.CharField(
        _("only notices of at least this severity"),
        max_length=12,
        choices=Severity.choices,
        blank=True,
    )
    categories = models.ManyToManyField(
        "sharing.Term",
        verbose_name=_("only notices in these technology categories"),
        limit_choices_to={"vocabulary": Vocabulary.TECHNOLOGY},
        blank=True,
        related_name="+",
    )
    countries = models.JSONField(_("only notices about these countries"), default=list, blank=True)

    class Meta:
        abstract = True


class UserEmailPreference(EmailPreference):
    """A person's own choice; without one, their state's defaults apply."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.mode}"


class StateEmailDefault(EmailPreference):
    """What a state's admins chose for its users who have not chosen for themselves."""

    state = models.OneToOneField(
        "accounts.State", on_delete=models.CASCADE, related_name="email_default"
    )

    class Meta:
        verbose_name = _("state e-mail default")
        verbose_name_plural = _("state e-mail defaults")

    def __str__(self) -> str:
        return f"{self.state_id}: {self.mode}"


class DigestSent(models.Model):
    """A digest e-mailed to a person for one day or week: there is never a second one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=8, choices=[("daily", "daily"), ("weekly", "weekly")])
    period = models.DateField()  # the local day, or the Monday of the week
    notifications = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period"], name="digest_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.frequency} {self.period}"


class WebhookEndpoint(models.Model):
    """A system of a state's that wants to be told of events by signed HTTP POSTs. The
    signing secret is shown once, when it is made, and kept encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    state = models.ForeignKey(
        "accounts.State", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_kinds = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    encrypted_secret = models.TextField(editable=False)
    # After a rotation, deliveries are signed with the old secret too for a while, so
    # that the receiving system can switch over without rejecting anything.
    encrypted_previous_secret = models.TextField(editable=False, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("sharing:webhook-detail", args=[self.pk])

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    def audit_label(self) -> str:
        """The log names the host only: a receiver's address may carry a token."""
        return f"webhook {self.host} ({self.pk})"

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.encrypted_secret, purpose="webhook")

    @secret.setter
    def secret(self, value: str) -> None:
        self.encrypted_secret = crypto.encrypt(value, purpose="webhook")

    def rotate_secret(self, new: str, *, overlap: datetime.timedelta) -> None:
        """Sign with ``new`` from now on, and with the current secret too for ``overlap``."""
        self.encrypted_previous_secret = self.encrypted_secret
        self.previous_secret_expires_at = timezone.now() + overlap
        self.secret = new

    def signing_secrets(self) -> list[str]:
        """The secrets a delivery is signed with now: the current one, and the previous
        one while its overlap lasts."""
        secrets = [self.secret]
        expires = self.previous_secret_expires_at
        if self.encrypted_previous_secret and expires and expires > timezone.now():
            secrets.append(crypto.decrypt(self.encrypted_previous_secret, purpose="webhook"))
        return secrets


class WebhookDelivery(models.Model):
    """One event to one endpoint: tried, and tried again with growing waits, until it is
    delivered or given up (``dead``), when a state admin can try it again by hand."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey("sharing.Event", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)  # last handed to a task
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_once_per_event")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}: {self.status}"

    @property
    def message_id(self) -> str:
        """The ``webhook-id``: the same on every attempt, so a receiver can drop repeats."""
        return f"msg_{self.pk}"
