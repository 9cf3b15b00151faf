from django.db import models
from django.utils.translation import gettext_lazy as _


class DenialStatus(models.TextChoices):
    # Four eyes (docs/architecture.md): not notified yet; read by its own state's
    # officers and admins only, never screened, never consulted about.
    DRAFT = "draft", _("Draft (not notified)")
    PENDING = "pending_approval", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    AMENDED = "amended", _("Amended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired (not reviewed)")


# A denial in force: what screening looks at and consultations are opened about.
DENIALS_IN_FORCE = (DenialStatus.ACTIVE, DenialStatus.AMENDED)
# Not notified yet: a draft (a submission rejected or taken back), or awaiting approval.
UNPUBLISHED = (DenialStatus.DRAFT, DenialStatus.PENDING)


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
