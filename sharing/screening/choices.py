from django.db import models
from django.utils.translation import gettext_lazy as _


class WatchStatus(models.TextChoices):
    ACTIVE = "active", _("Watched")
    GRANTED = "granted", _("Licence granted")
    REFUSED = "refused", _("Licence refused")
    WITHDRAWN = "withdrawn", _("Application withdrawn")
    LAPSED = "lapsed", _("Decide-by date passed")


class Decision(models.TextChoices):
    """What the officer records when the application is decided: the watch ends."""

    GRANTED = WatchStatus.GRANTED.value, WatchStatus.GRANTED.label
    REFUSED = WatchStatus.REFUSED.value, WatchStatus.REFUSED.label
    WITHDRAWN = WatchStatus.WITHDRAWN.value, WatchStatus.WITHDRAWN.label
