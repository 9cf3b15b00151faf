"""Who may read which questionnaire answers (docs/architecture.md, "Implementation
reports")."""

from django.db import models
from django.db.models import Q

from sharing.common.querysets import reading_state


class QuestionnaireQuerySet(models.QuerySet):
    def of_own_state(self, user) -> "QuestionnaireQuerySet":
        """The questionnaires of ``user``'s state (its working answers), for its users."""
        state = reading_state(user)
        return self.none() if state is None else self.filter(state=state)


class SubmissionQuerySet(models.QuerySet):
    def shared(self) -> "SubmissionQuerySet":
        """The submissions their state marked shareable: what every reader of reports
        reads (and the plenary pack holds)."""
        return self.filter(shareable=True)

    def visible_to(self, user) -> "SubmissionQuerySet":
        """Submitted answers ``user`` may read: every submission of their own state's,
        and the submissions other states marked shareable, read by the users of a state
        that reads and by platform staff. Nobody else reads answers: platform staff
        see which states submitted (``Questionnaire``), not what."""
        state = reading_state(user)
        staff = user.is_authenticated and user.is_active and user.is_platform_staff
        if state is None and not staff:
            return self.none()
        if state is None:
            return self.shared()
        return self.filter(Q(shareable=True) | Q(questionnaire__state=state))
