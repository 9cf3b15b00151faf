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
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class EndorsementKind(models.TextChoices):
    ENDORSED = "endorsed", _("Endorsed")
    ADOPTED = "adopted", _("Adopted")
