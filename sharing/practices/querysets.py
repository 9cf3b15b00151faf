"""Who may read what: the one visibility rule (docs/architecture.md,
"The visibility rule").

Every read path (pages, the API, search, feeds, notifications, e-mails, attachment
downloads) goes through ``visible_to``; nothing filters notices by hand. What cannot
be seen does not exist for the reader: views answer 404.
"""

from django.apps import apps
from django.db import models
from django.db.models import Q

from accounts.choices import Role
from sharing.common.querysets import (
    VisibleQuerySet,
    authoring_state,
    broad_audiences,
    reading_state,
)
from sharing.practices.choices import UNPUBLISHED


class BestPracticeQuerySet(VisibleQuerySet):
    def readable(self, user) -> Q:
        """Best practices ``user`` may read. Anyone, signed in or not, reads the public
        ones. The lead and co-authoring states see their own (drafts only to officers and
        admins); other states see published and archived ones whose audience reaches
        them."""
        public = Q(public=True) & ~Q(status__in=UNPUBLISHED)
        state = reading_state(user)
        if state is None:
            return public
        CoAuthors = apps.get_model("sharing", "BestPractice").co_authors.through
        authoring = Q(lead_state_id=state.pk) | Q(  # pk IN, as in audience_reach
            pk__in=CoAuthors.objects.filter(state_id=state.pk).values("bestpractice_id")
        )
        if user.role == Role.VIEWER:
            authoring &= ~Q(status__in=UNPUBLISHED)
        reach = ~Q(status__in=UNPUBLISHED) & Q(audience__in=broad_audiences(state))
        return public | authoring | reach

    def with_content(self) -> "BestPracticeQuerySet":
        """Everything a best practice's content is made of, endorsements included, in
        a fixed number of queries however many best practices."""
        Endorsement = apps.get_model("sharing", "Endorsement")
        return self.select_related("lead_state", "created_by").prefetch_related(
            "topics",
            "co_authors",
            models.Prefetch("endorsements", queryset=Endorsement.objects.select_related("state")),
        )


class PublicCommentQuerySet(VisibleQuerySet):
    def readable(self, user) -> Q:
        """Comments from outside government ``user`` may read: confirmed ones that their
        writers allowed to be published, for anyone; every confirmed one, for the
        officers and admins of the draft's lead and co-authoring states."""
        confirmed = Q(confirmed_at__isnull=False)
        condition = confirmed & Q(publishable=True)
        state = authoring_state(user)
        if state is not None:
            CoAuthors = apps.get_model("sharing", "BestPractice").co_authors.through
            coauthored = CoAuthors.objects.filter(state_id=state.pk).values("bestpractice_id")
            authors = Q(window__best_practice__lead_state_id=state.pk) | Q(
                window__best_practice_id__in=coauthored
            )
            condition |= confirmed & authors
        return condition
