from django.db import models
from django.utils.translation import gettext_lazy as _


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


class ChangeKind(models.TextChoices):
    INITIAL = "initial", _("First publication")
    MATERIAL = "material", _("Material change")
    MINOR = "minor", _("Minor correction")


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
    ADVISORY_RELEASED = "advisory.released", _("Industry advisory released")
    ADVISORY_AMENDED = "advisory.amended", _("Industry advisory amended")
    ADVISORY_WITHDRAWN = "advisory.withdrawn", _("Industry advisory withdrawn")
    # Four eyes: told within the submitting state only, never to a webhook.
    APPROVAL_REQUESTED = "approval.requested", _("Submitted for your approval")
    APPROVAL_GRANTED = "approval.approved", _("Your submission was approved")
    APPROVAL_REFUSED = "approval.rejected", _("Your submission was rejected")
    # A watched application matched a denial: told within the watching state only.
    SCREENING_NEW_MATCH = "screening.new_match", _("New match for a watched application")


# Four eyes: told to officials of the submitting state only, never to a system.
FOUR_EYES_KINDS = frozenset(
    {EventKind.APPROVAL_REQUESTED, EventKind.APPROVAL_GRANTED, EventKind.APPROVAL_REFUSED}
)

# Events after which the watched applications of the states told are screened again
# (sharing.screening), once the event is dispatched.
RESCREENING_KINDS = frozenset(
    {
        EventKind.DENIAL_ISSUED,
        EventKind.DENIAL_AMENDED,
        EventKind.DENIAL_RENEWED,
        EventKind.NOTICE_PUBLISHED,
        EventKind.NOTICE_AMENDED,
    }
)

# Minor corrections and archiving are kept in the history and told to nobody. What
# becomes of an industry advisory is told outside the portal (its pages, the feed, the
# industry contacts), not in it.
SILENT_KINDS = frozenset(
    {
        EventKind.NOTICE_CORRECTED,
        EventKind.PRACTICE_CORRECTED,
        EventKind.PRACTICE_ARCHIVED,
        EventKind.ADVISORY_RELEASED,
        EventKind.ADVISORY_AMENDED,
        EventKind.ADVISORY_WITHDRAWN,
    }
)


class EntityKind(models.TextChoices):
    COMPANY = "company", _("Company")
    GOVERNMENT_BODY = "government_body", _("Government body")
    INDIVIDUAL = "individual", _("Individual")
    BROKER = "broker", _("Broker or intermediary")
    OTHER = "other", _("Other")


class Vocabulary(models.TextChoices):
    """The taxonomies whose terms tag shared items (sharing.common.models.Term)."""

    TECHNOLOGY = "technology", _("Technology categories")
    TOPIC = "topic", _("Best-practice topics")


class ApprovalAct(models.TextChoices):
    """What an officer submits for a second official's approval."""

    PUBLISH = "publish", _("Publication")
    AMEND = "amend", _("Material amendment")
    RETIRE = "retire", _("Withdrawal or archiving")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    # The item was edited, or its submitter took it back, before anyone decided.
    RECALLED = "recalled", _("Taken back")
