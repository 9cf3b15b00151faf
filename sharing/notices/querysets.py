"""Who may read what: the one visibility rule (docs/architecture.md,
"The visibility rule").

Every read path (pages, the API, search, feeds, notifications, e-mails, attachment
downloads) goes through ``visible_to``; nothing filters notices by hand. What cannot
be seen does not exist for the reader: views answer 404.
"""

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q

from accounts.choices import Role
from sharing.common.querysets import (
    LONG_TEXT_FIELDS,
    VisibleQuerySet,
    audience_reach,
    reading_state,
)
from sharing.notices.choices import SCREENED_KINDS, UNPUBLISHED, NoticeStatus


def audience_filter(state) -> Q:
    """Published notices whose audience reaches ``state`` (other than as author)."""
    return ~Q(status__in=UNPUBLISHED) & audience_reach("Notice", state)


class NoticeQuerySet(VisibleQuerySet):
    def readable(self, user) -> Q | None:
        """Notices ``user`` may read. The author state sees its own notices (drafts only
        to its officers and admins); other states see published and withdrawn notices
        whose audience reaches them. A notice awaiting approval is read like a draft."""
        state = reading_state(user)
        if state is None:
            return None
        own = Q(author_state_id=state.pk)
        if user.role == Role.VIEWER:
            own &= ~Q(status__in=UNPUBLISHED)
        return own | audience_filter(state)

    def awaiting_acknowledgement(self, state) -> "NoticeQuerySet":
        """Published notices from other states that ``state`` has not acknowledged at
        the version they ask about. Combine with visible_to(user): what a state can
        see of others' published notices is exactly what it is asked to acknowledge."""
        Acknowledgement = apps.get_model("sharing", "Acknowledgement")
        answered = Acknowledgement.objects.filter(
            notice_id=OuterRef("pk"), state_id=state.pk, version__gte=OuterRef("ack_version")
        )
        return (
            self.filter(status=NoticeStatus.PUBLISHED)
            .exclude(author_state_id=state.pk)
            .exclude(Exists(answered))
        )

    def screened(self) -> "NoticeQuerySet":
        """The alerts whose entities of concern are screened: end-user and diversion
        alerts while published (a withdrawn one no longer is)."""
        return self.filter(status=NoticeStatus.PUBLISHED, kind__in=SCREENED_KINDS)

    def for_list(self) -> "NoticeQuerySet":
        """What a list of notices shows, fetched in a fixed number of queries, without
        the long texts a list never shows (read from TOAST, they were most of its
        bytes at 100,000 notices)."""
        return (
            self.select_related("author_state")
            .prefetch_related("categories")
            .defer(*LONG_TEXT_FIELDS)
        )

    def with_content(self) -> "NoticeQuerySet":
        """Everything a notice's content is made of (what a detail page or the API
        shows), fetched in a fixed number of queries however many notices."""
        return self.select_related("author_state", "created_by").prefetch_related(
            "categories", "recipient_states", "entities", "concern_countries"
        )


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CommentQuerySet":
        """Comments ``user`` may read: on a notice they may read, written under a
        version they may read (a comment made while only Norway read the notice stays
        Norway's when the notice is later shared wider)."""
        Revision = apps.get_model("sharing", "Revision")
        readable = Revision.objects.visible_to(user, of="notice").filter(
            notice_id=OuterRef("notice_id"), version=OuterRef("version")
        )
        Notice = apps.get_model("sharing", "Notice")
        return self.filter(notice__in=Notice.objects.visible_to(user).values("pk")).filter(
            Exists(readable)
        )
