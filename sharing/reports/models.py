"""The yearly questionnaire on the Code's commitments: a state's working answers, and
each submission kept as it was sent (docs/architecture.md, "Implementation reports")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sharing.reports.querysets import SubmissionQuerySet


class Questionnaire(models.Model):
    """A state's answers for a year, as its officials are writing them. What others may
    read is its submissions, never this working copy."""

    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["state", "year"], name="questionnaire_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.state_id} {self.year}"


class Submission(models.Model):
    """A questionnaire as the state's admin submitted it, numbered; a later change is
    submitted again as the next version, and the earlier ones stay."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="submissions"
    )
    version = models.PositiveIntegerField(_("version"))
    answers = models.JSONField(_("answers"))
    shareable = models.BooleanField(
        _("shared with the other states and the secretariat"), default=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire submission")
        verbose_name_plural = _("questionnaire submissions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "version"], name="submission_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.version}"
