from django.db import models
from django.utils.translation import gettext_lazy as _


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
    # Submitted for a second official's approval (docs/architecture.md, "Four eyes"):
    # read like a draft, by its own state's officers and admins only.
    PENDING = "pending_approval", _("Awaiting approval")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


# Not published yet: a draft, or awaiting approval; read by its authors' officers and admins.
UNPUBLISHED = (PracticeStatus.DRAFT, PracticeStatus.PENDING)


class EndorsementKind(models.TextChoices):
    ENDORSED = "endorsed", _("Endorsed")
    ADOPTED = "adopted", _("Adopted")


class CommenterKind(models.TextChoices):
    """Who comments in a public comment window, as they say themselves."""

    INDUSTRY = "industry", _("Industry")
    ACADEMIA = "academia", _("Academia or research")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    OTHER = "other", _("Other")
