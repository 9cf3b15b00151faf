"""Who may read what: the one visibility rule (docs/architecture.md,
"The visibility rule").

Every read path (pages, the API, search, feeds, notifications, e-mails, attachment
downloads) goes through ``visible_to``; nothing filters notices by hand. What cannot
be seen does not exist for the reader: views answer 404.
"""

from django.apps import apps
from django.db import models
from django.db.models import Count, Max, Q

from sharing.common.querysets import LONG_TEXT_FIELDS, under

# What a notification is about, among the kinds that have long texts (LONG_TEXT_FIELDS).
_SUBJECTS_WITH_LONG_TEXT = ("notice", "best_practice", "advisory")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NotificationQuerySet":
        """``user``'s own notifications about what they may still read (an amendment may
        have taken their state out of the audience since)."""
        if not user.is_authenticated:
            return self.none()
        Notice = apps.get_model("sharing", "Notice")
        BestPractice = apps.get_model("sharing", "BestPractice")
        Denial = apps.get_model("sharing", "Denial")
        Advisory = apps.get_model("sharing", "Advisory")
        # The rules read through the joins to what each notification is about: the
        # user's few hundred rows are checked one by one. A subquery of every visible
        # notice (100,000) made PostgreSQL build and hash that whole set, 30 ms to a
        # third of a second, for the unread count of every page.
        about = Q()
        for relation, model in (
            ("notice", Notice),
            ("best_practice", BestPractice),
            ("denial", Denial),
            ("advisory", Advisory),
        ):
            condition = model.objects.readable(user)
            if condition is not None:
                about |= under(relation, condition)
        if not about:
            return self.none()
        # A watch's new match, besides, only while the watch is the user's to see.
        Watch = apps.get_model("sharing", "Watch")
        watch = Q(watch__isnull=True) | Q(watch__in=Watch.objects.visible_to(user))
        return self.filter(user=user).filter(about).filter(watch)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def without_long_texts(self) -> "NotificationQuerySet":
        """The bodies and search fields of what the notifications are about left in the
        database: a line of the inbox, on the page or through the API, names its subject
        by title and reference, and reading those texts from TOAST and parsing them cost
        the page 1-2 ms at 100,000 notices (docs/architecture.md, "Performance")."""
        return self.defer(
            *(
                f"{subject}__{field}"
                for subject in _SUBJECTS_WITH_LONG_TEXT
                for field in LONG_TEXT_FIELDS
            )
        )


class WebhookEndpointQuerySet(models.QuerySet):
    def with_delivery_counts(self) -> "WebhookEndpointQuerySet":
        """Each endpoint with how its deliveries stand, for the list of endpoints."""
        return self.annotate(
            delivered=Count("deliveries", filter=Q(deliveries__status="succeeded")),
            waiting=Count("deliveries", filter=Q(deliveries__status__in=["pending", "sending"])),
            dead=Count("deliveries", filter=Q(deliveries__status="dead")),
            last_delivery_at=Max("deliveries__created_at"),
        )
