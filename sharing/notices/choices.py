from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    THREAT = "threat", _("Threat observed")
    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment")
    END_USER_ALERT = "end_user_alert", _("End-user of concern")
    TECHNOLOGY_ALERT = "technology_alert", _("Technology alert")
    DIVERSION_ALERT = "diversion_alert", _("Diversion alert")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # Submitted for a second official's approval (docs/architecture.md, "Four eyes"):
    # read like a draft, by its own state's officers and admins only.
    PENDING = "pending_approval", _("Awaiting approval")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Alerts about who may misuse or divert the items: their entities of concern are screened
# against licence applications while the alert is published.
SCREENED_KINDS = (NoticeKind.END_USER_ALERT, NoticeKind.DIVERSION_ALERT)

# Not published yet: a draft, or awaiting approval; read by its own state's officers and admins.
UNPUBLISHED = (NoticeStatus.DRAFT, NoticeStatus.PENDING)


class AckLevel(models.TextChoices):
    """How far a recipient state has gone with a notice; each level includes the ones
    before it, so a state only ever moves up."""

    RECEIVED = "received", _("Received")
    ASSESSED = "assessed", _("Assessed")
    ACTION_TAKEN = "action_taken", _("Action taken")

    @classmethod
    def rank(cls, level: str) -> int:
        return cls.values.index(level)
