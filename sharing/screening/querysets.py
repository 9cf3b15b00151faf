"""Which watches a user may see: those of their own state, if they screen (officers and
admins). The one home of that rule."""

import datetime

from django.db import models
from django.utils import timezone

from accounts.choices import Role
from sharing.common.querysets import reading_state
from sharing.screening.choices import WatchStatus

SCREENERS = (Role.STATE_ADMIN, Role.OFFICER)


class WatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WatchQuerySet":
        state = reading_state(user)
        if state is None or user.role not in SCREENERS:
            return self.none()
        return self.filter(state_id=state.pk)

    def active(self, today: datetime.date | None = None) -> "WatchQuerySet":
        """Still watched: not decided, and the decide-by date not past (a watch past it
        triggers nothing even before the sweep marks it lapsed)."""
        today = today or timezone.localdate()
        return self.filter(status=WatchStatus.ACTIVE, decide_by__gte=today)
