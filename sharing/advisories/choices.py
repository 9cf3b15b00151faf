from django.db import models
from django.utils.translation import gettext_lazy as _

from sharing.common.choices import TLP


class AdvisoryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # Submitted for a second officer's approval, which an advisory always needs: read
    # like a draft, by its own state's officers and admins only.
    PENDING = "pending_approval", _("Awaiting approval")
    RELEASED = "released", _("Released")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Not released yet: a draft, or awaiting approval.
UNPUBLISHED = (AdvisoryStatus.DRAFT, AdvisoryStatus.PENDING)

# What an advisory may be marked: it leaves government, so only markings that allow
# that. CLEAR is public; GREEN goes to the releasing state's industry contacts only.
ADVISORY_TLP = (TLP.CLEAR, TLP.GREEN)


class ContactStatus(models.TextChoices):
    """Where an industry contact stands. Only an active contact is sent anything."""

    REQUESTED = "requested", _("Asked to join: awaiting the state")
    PENDING = "pending", _("Awaiting confirmation of the address")
    ACTIVE = "active", _("Active")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    UNDELIVERABLE = "undeliverable", _("Undeliverable")
