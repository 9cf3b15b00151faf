from django.db import models
from django.utils.translation import gettext_lazy as _


class StateStatus(models.TextChoices):
    SUBSCRIBING = "subscribing", _("Subscribing state")
    OBSERVER = "observer", _("Observer state")
    SUSPENDED = "suspended", _("Suspended")


class Role(models.TextChoices):
    """What a state's user may do. Platform staff have no state and no state role."""

    STATE_ADMIN = "state_admin", _("State admin")
    OFFICER = "officer", _("Officer")
    VIEWER = "viewer", _("Viewer")


class ApprovalPolicy(models.TextChoices):
    """What of a state's publishing needs a second official's approval (four eyes)."""

    NOTHING = "nothing", _("Nothing: officers publish alone")
    EVERYTHING = "everything", _("Everything published, amended materially or withdrawn")
    RESTRICTED = "restricted", _("Only what is marked TLP:AMBER or stricter")
