"""Each person's unread count, kept in the cache for ``NOTIFICATION_POLL_SECONDS`` under
a generation of its own (sharing.common.caching says why and how)."""

from django.conf import settings
from django.core.cache import cache

from sharing.common.caching import generation, now_and_after_commit, renew

INBOX_GENERATION_KEY = "unread:generation"


def _unread_key(user_id) -> str:
    return f"unread:{generation(INBOX_GENERATION_KEY)}:{user_id}"


def unread_count(user) -> int:
    """How many of ``user``'s notifications are unread, about what they may still read."""
    from sharing.notifications.models import Notification

    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.visible_to(user).unread().count()
        cache.set(key, count, settings.NOTIFICATION_POLL_SECONDS)
    return count


def forget_unread(user) -> None:
    """``user`` read some of their notifications."""
    now_and_after_commit(lambda: cache.delete(_unread_key(user.pk)))


def forget_every_unread() -> None:
    """Notifications were written: everyone's count is forgotten, in one write however
    many the recipients (and whoever an amendment took out of the audience with them)."""
    now_and_after_commit(lambda: renew(INBOX_GENERATION_KEY))
