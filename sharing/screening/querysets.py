"""Which watches a user may see: those of their own state, if they screen
(``screening_state``); and which of their matches: those with an item the user may
read. The one home of those rules."""

import datetime

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sharing.denials.querysets import screening_state
from sharing.screening.choices import WatchStatus


class WatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WatchQuerySet":
        state = screening_state(user)
        return self.none() if state is None else self.filter(state_id=state.pk)

    def active(self, today: datetime.date | None = None) -> "WatchQuerySet":
        """Still watched: not decided, and the decide-by date not past (a watch past it
        triggers nothing even before the sweep marks it lapsed)."""
        today = today or timezone.localdate()
        return self.filter(status=WatchStatus.ACTIVE, decide_by__gte=today)


class WatchMatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WatchMatchQuerySet":
        """The matches of the watches ``user`` may see with an item ``user`` may read now:
        a denial narrowed away from their state, or a notice they may no longer read,
        is neither shown nor counted."""
        Watch = apps.get_model("sharing", "Watch")
        Denial = apps.get_model("sharing", "Denial")
        Notice = apps.get_model("sharing", "Notice")
        return self.filter(watch__in=Watch.objects.visible_to(user)).filter(
            Q(denial__in=Denial.objects.visible_to(user))
            | Q(notice__in=Notice.objects.visible_to(user))
        )
