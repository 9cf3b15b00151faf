from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, one e-mail per notification")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest (Mondays)")
    OFF = "off", _("No e-mail (the inbox only)")


class EmailStatus(models.TextChoices):
    """Where a notification's e-mail stands."""

    PENDING = "pending", _("To send")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    DIGEST = "digest", _("Waiting for the digest")
    SKIPPED = "skipped", _("Not sent")
    FAILED = "failed", _("Refused by the mail server")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Being sent")
    SUCCEEDED = "succeeded", _("Delivered")
    DEAD = "dead", _("Given up")
