"""Celery beat, one at a time across every host.

Beat only enqueues, and every task it enqueues is safe to run twice (the sweeper and the
digests claim their rows), so two beats would double work, not notifications. Still,
one is enough: ``LockedScheduler`` (settings.CELERY_BEAT_SCHEDULER) sends nothing unless
it holds a lock in Redis, a key holding its name that lapses BEAT_LOCK_TTL seconds
after it was last renewed. The holder renews it at every tick, at least every third of
that time, and checks before each round of sending that it still holds it; a beat
that finds the lock held waits and tries again, and so takes over within BEAT_LOCK_TTL
seconds when the holder dies, or at once when it stops cleanly (it deletes the key).

What the lock cannot prevent: a holder frozen (swapped out, paused) between its check
and its sends for longer than the TTL could send once more after another took over.
The tasks being idempotent, that costs a duplicate message, nothing else.

The schedule is kept in memory (no celerybeat-schedule file to place and lock), and a
beat that takes the lock counts every entry from then: what the previous holder sent
is not sent again at once, and what it missed goes at its next time (the sweeper
within a minute; the digests catch up on a missed run, sharing.notifications).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

import redis
from celery.beat import Scheduler
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# Renew only what is still ours, and delete only what is still ours: a lock that lapsed
# and was taken by another beat is left alone.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"  # noqa: E501
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"  # noqa: E501


def lock_client() -> redis.Redis:
    url = settings.BEAT_LOCK_URL
    if not url:
        raise ImproperlyConfigured(
            "Celery beat's lock needs Redis: set REDIS_URL (or BEAT_LOCK_URL) to redis://..."
        )
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def lock_holder(client: redis.Redis | None = None) -> str | None:
    """The name of the beat holding the lock (``host:pid:…``), or None."""
    value = (client or lock_client()).get(settings.BEAT_LOCK_KEY)
    return value.decode() if value is not None else None


class LockedScheduler(Scheduler):
    """Celery's in-memory scheduler, sending only while it holds the beat lock."""

    def __init__(self, *args, **kwargs):
        self.lock_key = settings.BEAT_LOCK_KEY
        self.lock_ttl = settings.BEAT_LOCK_TTL
        self.lock_name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.holding = False
        self._redis = lock_client()
        self._renew = self._redis.register_script(_RENEW)
        self._release = self._redis.register_script(_RELEASE)
        self._last_holder: str | None = None
        super().__init__(*args, **kwargs)

    @property
    def renew_every(self) -> float:
        return self.lock_ttl / 3

    def tick(self, *args, **kwargs) -> float:
        """Send what is due if the lock is ours; return how long to sleep."""
        if not self.hold_lock():
            return self.renew_every
        return min(super().tick(*args, **kwargs), self.renew_every)

    def hold_lock(self) -> bool:
        """Renew the lock, or take it if it is free. False, and nothing is to be sent,
        when another beat holds it or Redis cannot tell."""
        ttl_ms = int(self.lock_ttl * 1000)
        try:
            # Renewing first also recovers a lock that is still ours after Redis failed
            # to answer for a moment.
            if self._renew(keys=[self.lock_key], args=[self.lock_name, ttl_ms]):
                self.holding = True
                return True
            if self.holding:
                self.holding = False
                logger.warning("Beat %s lost its lock (it lapsed); it waits.", self.lock_name)
            if self._redis.set(self.lock_key, self.lock_name, nx=True, px=ttl_ms):
                self.holding = True
                self._restart_schedule()
                logger.info("Beat %s holds the lock and sends the schedule.", self.lock_name)
                return True
            holder = lock_holder(self._redis)
        except redis.RedisError as error:
            self.holding = False
            logger.warning("Beat cannot reach Redis for its lock (%s); it waits.", error)
            return False
        if holder != self._last_holder:
            logger.info("Beat %s waits: %s holds the lock.", self.lock_name, holder)
            self._last_holder = holder
        return False

    def _restart_schedule(self) -> None:
        """Count every entry from now. While it waited, the entries of this beat came
        due too, but the beat that held the lock sent them: sending them again at once
        would double the work the lock is there to spare. What the holder missed just
        before it died goes at its next time (digests catch up on a missed one)."""
        now = self.app.now()
        for entry in self.schedule.values():
            entry.last_run_at = now
        self._heap = None  # rebuilt from the entries at the next tick

    def release_lock(self) -> None:
        if not self.holding:
            return
        self.holding = False
        try:
            self._release(keys=[self.lock_key], args=[self.lock_name])
        except redis.RedisError:
            logger.warning("Beat could not release its lock; it lapses by itself.")

    def close(self) -> None:
        super().close()
        self.release_lock()
