from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    _raw_delete = delete


class AuditEntry(models.Model):
    """One security-relevant act: who did what, to what, from where and when.

    The log is append-only. The application never updates or deletes a row (the model
    and its queryset refuse to), the admin shows it read-only, and a database trigger
    refuses UPDATE and DELETE from anywhere else. Rows keep a copy of the actor's user
    name so they still read correctly if the user is renamed, and record failed logins
    for user names that do not exist.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    state = models.ForeignKey(
        "accounts.State",
        verbose_name=_("state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        who = self.actor_username or "-"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.object_repr}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")


class Heartbeat(models.Model):
    """The last run of a periodic job (the sweeper): when it ran and what it handed on,
    in counts. The status page shows it, so that a beat or a worker that stopped shows
    as a time that no longer moves."""

    name = models.CharField(_("job"), max_length=64, primary_key=True)
    at = models.DateTimeField(_("last run"))
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


class OutgoingEmail(models.Model):
    """An e-mail about someone's account (an invitation, a password reset, the notice
    of something platform staff did to the account), kept until it has left.

    The row is written in the transaction of the act it tells of, so that a rolled-back
    act sends nothing and a committed one is never lost: after commit it is handed to
    the ``email`` queue, and the sweeper hands it on again if the broker missed it or a
    worker died. Sending claims the row first (pending → sending), so two workers never
    send the same message. Notifications of what states share have their own rows
    (sharing.Notification); this is the same path for account mail."""

    class Status(models.TextChoices):
        PENDING = "pending", _("to send")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("given up")

    to = models.JSONField(_("to"))
    from_email = models.CharField(max_length=254, blank=True)
    subject = models.TextField(_("subject"))
    body = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # Whom or what the message is about, for who listens to ``portal.mail.refused``
    # (e.g. "contact:42": an industry contact's address the server refused).
    about = models.CharField(max_length=64, blank=True, default="")
    # Its Message-ID, by which a bounce or a complaint that comes back later is matched
    # to it (sharing.advisories.feedback).
    message_id = models.CharField(max_length=250, blank=True, default="", db_index=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)  # last handed to a task
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("account e-mail")
        verbose_name_plural = _("account e-mails")
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="outgoing_email_due",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}"
