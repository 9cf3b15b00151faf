"""The sharing app's models, for Django: each lives in its domain package (notices,
practices, denials, advisories, notifications, screening, the registry, and what they
share in common); importing them here registers them with the app. Code imports them
from their own package."""

from sharing.advisories.models import (  # noqa: F401
    Advisory,
    AdvisoryEntity,
    Contact,
    Dissemination,
    DisseminationList,
    PublicListEntry,
    PublicListVersion,
    Sending,
)
from sharing.common.models import (  # noqa: F401
    Attachment,
    Event,
    Revision,
    _attachment_path,  # named by migrations
    _attachment_storage,  # named by migrations
)
from sharing.denials.models import (  # noqa: F401
    Consultation,
    ConsultationMessage,
    Denial,
    DenialParty,
)
from sharing.notices.models import (  # noqa: F401
    Acknowledgement,
    Comment,
    CountryOfConcern,
    Notice,
    NoticeEntity,
    ReferenceCounter,
    TechnologyCategory,
)
from sharing.notifications.models import (  # noqa: F401
    DigestSent,
    Notification,
    StateEmailDefault,
    UserEmailPreference,
    WebhookDelivery,
    WebhookEndpoint,
)
from sharing.practices.models import (  # noqa: F401
    BestPractice,
    CommentWindow,
    Endorsement,
    PublicComment,
    Topic,
)
from sharing.registry.models import Entity, EntityLink, Relation  # noqa: F401
from sharing.reports.models import Questionnaire, Submission  # noqa: F401
from sharing.screening.models import (  # noqa: F401
    NoticeHit,
    Screening,
    ScreeningHit,
    Watch,
    WatchMatch,
)
