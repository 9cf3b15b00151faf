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


class TLP(models.TextChoices):
    """FIRST Traffic Light Protocol 2.0 markings, in order of increasing restriction."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber+strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


# What each marking allows, in the words of FIRST's TLP 2.0 definitions.
TLP_DEFINITIONS = {
    TLP.CLEAR: _("Recipients can spread this to the world, there is no limit on disclosure."),
    TLP.GREEN: _("Limited disclosure, recipients can spread this within their community."),
    TLP.AMBER: _(
        "Limited disclosure, recipients can only spread this on a need-to-know basis within "
        "their organization and its clients."
    ),
    TLP.AMBER_STRICT: _(
        "Limited disclosure, recipients can only spread this on a need-to-know basis within "
        "their organization only."
    ),
    TLP.RED: _("For the eyes and ears of individual recipients only, no further disclosure."),
}

# Markings whose content never leaves the portal in e-mails or webhooks, and whose
# every view is audited.
RESTRICTED_TLP = {TLP.AMBER, TLP.AMBER_STRICT, TLP.RED}


class Audience(models.TextChoices):
    SELECTED = "selected", _("Selected states")
    SUBSCRIBING = "subscribing", _("All subscribing states")
    COMMUNITY = "community", _("The community (subscribing and observer states)")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AckLevel(models.TextChoices):
    """How far a recipient state has gone with a notice; each level includes the ones
    before it, so a state only ever moves up."""

    RECEIVED = "received", _("Received")
    ASSESSED = "assessed", _("Assessed")
    ACTION_TAKEN = "action_taken", _("Action taken")

    @classmethod
    def rank(cls, level: str) -> int:
        return cls.values.index(level)


class EntityKind(models.TextChoices):
    COMPANY = "company", _("Company")
    GOVERNMENT_BODY = "government_body", _("Government body")
    INDIVIDUAL = "individual", _("Individual")
    BROKER = "broker", _("Broker or intermediary")
    OTHER = "other", _("Other")


class ChangeKind(models.TextChoices):
    INITIAL = "initial", _("First publication")
    MATERIAL = "material", _("Material change")
    MINOR = "minor", _("Minor correction")


class DocType(models.TextChoices):
    GUIDANCE = "guidance", _("Guidance")
    CHECKLIST = "checklist", _("Checklist")
    CASE_STUDY = "case_study", _("Case study")
    LEGISLATION = "legislation", _("Legislation or regulation")
    TRAINING = "training", _("Training material")
    TEMPLATE = "template", _("Template")


class PracticeAudience(models.TextChoices):
    SUBSCRIBING = "subscribing", _("All subscribing states")
    COMMUNITY = "community", _("The community (subscribing and observer states)")


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class EndorsementKind(models.TextChoices):
    ENDORSED = "endorsed", _("Endorsed")
    ADOPTED = "adopted", _("Adopted")


class EventKind(models.TextChoices):
    """What the outbox announces (the notifications issue delivers them)."""

    NOTICE_PUBLISHED = "notice.published", _("Notice published")
    NOTICE_AMENDED = "notice.amended", _("Notice amended")
    NOTICE_CORRECTED = "notice.corrected", _("Notice corrected (minor)")
    NOTICE_WITHDRAWN = "notice.withdrawn", _("Notice withdrawn")
    NOTICE_ACKNOWLEDGED = "notice.acknowledged", _("Notice acknowledged")
    NOTICE_COMMENTED = "notice.commented", _("Comment posted")
    PRACTICE_PUBLISHED = "best_practice.published", _("Best practice published")
    PRACTICE_AMENDED = "best_practice.amended", _("Best practice amended")
    PRACTICE_CORRECTED = "best_practice.corrected", _("Best practice corrected (minor)")
    PRACTICE_ARCHIVED = "best_practice.archived", _("Best practice archived")
    PRACTICE_ENDORSED = "best_practice.endorsed", _("Best practice endorsed or adopted")
    DENIAL_ISSUED = "denial.issued", _("Licence denial notified")
    DENIAL_AMENDED = "denial.amended", _("Licence denial amended")
    DENIAL_RENEWED = "denial.renewed", _("Licence denial renewed at review")
    DENIAL_REVOKED = "denial.revoked", _("Licence denial revoked")
    DENIAL_EXPIRED = "denial.expired", _("Licence denial expired unreviewed")
    DENIAL_REVIEW_DUE = "denial.review_due", _("Licence denial due for review")
    CONSULTATION_OPENED = "consultation.opened", _("Consultation opened")
    CONSULTATION_MESSAGE = "consultation.message", _("Message in a consultation")
    CONSULTATION_EXTENDED = "consultation.extended", _("Consultation deadline extended")
    CONSULTATION_ANSWERED = "consultation.answered", _("Consultation answered")
    CONSULTATION_REMINDER = "consultation.reminder", _("Consultation deadline near")
    CONSULTATION_OVERDUE = "consultation.overdue", _("Consultation overdue")
    CONSULTATION_OUTCOME = "consultation.outcome", _("Consultation outcome circulated")


# Minor corrections and archiving are kept in the history and told to nobody.
SILENT_KINDS = frozenset(
    {EventKind.NOTICE_CORRECTED, EventKind.PRACTICE_CORRECTED, EventKind.PRACTICE_ARCHIVED}
)


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


# --- Licence denials and consultations ------------------------------------------------------


class DenialStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    AMENDED = "amended", _("Amended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired (not reviewed)")


# A denial in force: what screening looks at and consultations are opened about.
DENIALS_IN_FORCE = (DenialStatus.ACTIVE, DenialStatus.AMENDED)


class DenialReason(models.TextChoices):
    HUMAN_RIGHTS = "human_rights", _("Serious human-rights risk")
    INTERNAL_REPRESSION = "internal_repression", _("Internal repression")
    DIVERSION = "diversion", _("Diversion risk")
    OTHER = "other", _("Other")


class PartyRole(models.TextChoices):
    END_USER = "end_user", _("End-user")
    CONSIGNEE = "consignee", _("Consignee")


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    OVERDUE = "overdue", _("Overdue")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Outcome recorded")


class ConsultationOutcome(models.TextChoices):
    GRANTED = "granted", _("Licence granted")
    REFUSED = "refused", _("Licence refused")
    WITHDRAWN = "withdrawn", _("Application withdrawn")
