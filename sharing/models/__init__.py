"""The sharing app's models: notices, best practices, what they share (revisions,
attachments, outbox events), and notifications."""

from sharing.models.denials import (
    Consultation,
    ConsultationMessage,
    Denial,
    DenialParty,
    Screening,
    ScreeningHit,
)
from sharing.models.notices import (
    Acknowledgement,
    Comment,
    CountryOfConcern,
    Notice,
    NoticeEntity,
    ReferenceCounter,
    TechnologyCategory,
)
from sharing.models.notifications import (
    DigestSent,
    Notification,
    StateEmailDefault,
    UserEmailPreference,
    WebhookDelivery,
    WebhookEndpoint,
)
from sharing.models.practices import BestPractice, Endorsement, Topic
from sharing.models.records import (
    ONE_PARENT,
    Attachment,
    Event,
    Revision,
    _attachment_path,  # noqa: F401  (named by migrations)
    _attachment_storage,  # noqa: F401  (named by migrations)
    attachment_storage_name,
)

__all__ = [
    "ONE_PARENT",
    "Acknowledgement",
    "Attachment",
    "BestPractice",
    "Comment",
    "Consultation",
    "ConsultationMessage",
    "CountryOfConcern",
    "Denial",
    "DenialParty",
    "DigestSent",
    "Endorsement",
    "Event",
    "Notice",
    "NoticeEntity",
    "Notification",
    "ReferenceCounter",
    "Revision",
    "Screening",
    "ScreeningHit",
    "StateEmailDefault",
    "TechnologyCategory",
    "Topic",
    "UserEmailPreference",
    "WebhookDelivery",
    "WebhookEndpoint",
    "attachment_storage_name",
]
