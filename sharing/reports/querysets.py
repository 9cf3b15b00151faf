"""Who may read reports and which questionnaire answers (docs/architecture.md,
"Implementation reports")."""

from django.db import models
from django.db.models import Exists, OuterRef, Q

from sharing.common.querysets import reading_state


def reads_reports(user) -> bool:
    """The reports are read by the users of a state that reads (not a suspended one)
    and by platform staff; nobody else."""
    staff = user.is_authenticated and user.is_active and user.is_platform_staff
    return reading_state(user) is not None or bool(staff)


class SubmissionQuerySet(models.QuerySet):
    def newest(self) -> "SubmissionQuerySet":
        """Each questionnaire's latest submission only: what it says now. A state that
        took sharing back with a later version has its earlier ones left out too."""
        later = self.model._default_manager.filter(
            questionnaire_id=OuterRef("questionnaire_id"), version__gt=OuterRef("version")
        )
        return self.exclude(Exists(later))

    def shared(self) -> "SubmissionQuerySet":
        """The submissions their state marked shareable: what every reader of reports
        reads (and the plenary pack holds)."""
        return self.filter(shareable=True)

    def visible_to(self, user) -> "SubmissionQuerySet":
        """Submitted answers ``user`` may read: every submission of their own state's,
        and the submissions other states marked shareable, read by the users of a state
        that reads and by platform staff. Nobody else reads answers: platform staff
        see which states submitted (``Questionnaire``), not what."""
        if not reads_reports(user):
            return self.none()
        state = reading_state(user)
        if state is None:
            return self.shared()
        return self.filter(Q(shareable=True) | Q(questionnaire__state=state))
