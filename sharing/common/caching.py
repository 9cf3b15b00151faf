"""Counts kept in the cache (``CACHE_URL``, which every web process shares): the
best-practice library's facets here (sharing.practices.caching renews their
generation), and each person's unread notifications (sharing.notifications.caching).

A facet's counts cost tens of milliseconds at 10,000 best practices and change only
when the library does, so ``cached_rows`` keeps a queryset's rows under the query
itself: its SQL and parameters. The key therefore holds everything that decides the
answer (the reader's visibility rule as ``visible_to`` wrote it, the filters, the
search), and two readers share an entry exactly when the database would give them the
same rows; no rule is restated here.

Every entry is also keyed by the library's generation, a token renewed whenever a best
practice, its topics, co-authors or endorsements, a topic or a state is saved or
deleted: at once (so that the writer's next page is current) and again after the
transaction commits (so that a page computed meanwhile from the old rows is not kept).
Entries also lapse after ``TTL_SECONDS``, which bounds how stale a count can be where
the cache is not shared (several processes on the default in-memory cache).

The unread count is on every page (and asked again by open pages every
``NOTIFICATION_POLL_SECONDS``); it is kept that long per person, under a generation of
its own. Every dispatch of notifications renews that generation (one write, whatever
the number of recipients, and it covers those an amendment took out of the audience);
reading forgets the reader's count; both at once and after commit. A state's
suspension is what can still reach the badge up to that late; the inbox itself is never
cached.
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction

GENERATION_KEY = "library:generation"
TTL_SECONDS = 300


def generation(key: str = GENERATION_KEY) -> str:
    token = cache.get(key)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(key, token, None):  # another process was first
            token = cache.get(key, token)
    return token


def renew(key: str = GENERATION_KEY) -> None:
    """A new generation: every count cached under the old one is forgotten."""
    cache.set(key, uuid.uuid4().hex, None)


def renew_now_and_after_commit(key: str = GENERATION_KEY) -> None:
    now_and_after_commit(lambda: renew(key))


def now_and_after_commit(forget) -> None:
    """Forget at once, so that the writer's next page is current, and again after the
    commit, so that what another request cached meanwhile from the old rows goes too
    (robust: a cache failing then cannot fail a request whose work is saved; the entries
    lapse on their own)."""
    forget()
    transaction.on_commit(forget, robust=True)


def _key(token: str, queryset) -> str | None:
    """The entry of ``queryset``'s rows; None when it can have none (``.none()``)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    digest = hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()
    return f"library:{token}:{digest}"


def cached_rows(querysets: list) -> list[list]:
    """The rows of each of ``querysets`` (of values), from the cache where they are,
    with one read of the cache for all of them and one write for those it lacked."""
    token = generation()
    keys = [_key(token, queryset) for queryset in querysets]
    found = cache.get_many([key for key in keys if key])
    missing = {
        key: list(queryset)
        for key, queryset in zip(keys, querysets, strict=True)
        if key and key not in found
    }
    if missing:
        cache.set_many(missing, TTL_SECONDS)
    rows = {**found, **missing}
    return [rows[key] if key else [] for key in keys]
