"""One Celery beat sends at a time: the others wait on a lock in a real Redis, and take
over when the holder stops or dies (portal.beat)."""

import time
import uuid

import pytest
import redis
from django.conf import settings as django_settings

from portal import beat
from portal.celery import app as celery_app
from tests.conftest import require_or_skip


@pytest.fixture
def lock_settings(settings):
    url = django_settings.CELERY_BROKER_URL
    if django_settings.CELERY_TASK_ALWAYS_EAGER or not url.startswith("redis"):
        require_or_skip("no Redis configured (set REDIS_URL)")
    settings.BEAT_LOCK_URL = url
    settings.BEAT_LOCK_KEY = f"test:beat-lock:{uuid.uuid4().hex[:8]}"
    settings.BEAT_LOCK_TTL = 3
    client = redis.Redis.from_url(url)
    yield settings, client
    client.delete(settings.BEAT_LOCK_KEY)


@pytest.fixture
def probe_queue(lock_settings):
    """Beats whose schedule is one entry due every 50 ms, sending portal.tasks.ping for
    real into a queue of the test's own, whose length counts what they sent."""
    _settings, client = lock_settings
    queue = f"test-beat-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_always_eager = False  # put back by the _celery_mode fixture
    with celery_app.connection_for_write() as connection:
        connection.SimpleQueue(queue).close()  # declared, so that messages are kept
    beats = []

    def make_beat(every: float = 0.05) -> beat.LockedScheduler:
        scheduler = beat.LockedScheduler(app=celery_app)
        scheduler.schedule.clear()
        scheduler.update_from_dict(
            {"probe": {"task": "portal.tasks.ping", "schedule": every, "options": {"queue": queue}}}
        )
        beats.append(scheduler)
        return scheduler

    def sent() -> int:
        return client.llen(queue)

    yield make_beat, sent
    for scheduler in beats:
        scheduler.release_lock()
    client.delete(queue)


def run(scheduler, seconds: float) -> None:
    """What beat's service loop does: tick, sleep what it says (here at most 50 ms)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(max(0, min(scheduler.tick(), 0.05)))  # as beat: negative means now


def test_a_second_beat_waits_while_the_first_holds_the_lock(probe_queue):
    make_beat, sent = probe_queue
    first, second = make_beat(), make_beat()
    run(first, 0.3)
    assert first.holding and sent() > 0
    before = sent()
    run(second, 0.3)
    assert not second.holding
    assert sent() == before  # the waiting beat enqueued nothing
    assert beat.lock_holder() == first.lock_name


def test_the_holder_keeps_the_lock_past_its_ttl_by_renewing_it(probe_queue, lock_settings):
    make_beat, _sent = probe_queue
    settings, _client = lock_settings
    first, second = make_beat(), make_beat()
    deadline = time.monotonic() + settings.BEAT_LOCK_TTL * 1.5
    while time.monotonic() < deadline:
        first.tick()
        second.tick()
        time.sleep(0.1)
    assert first.holding and not second.holding


def test_a_beat_that_stops_cleanly_hands_over_at_once(probe_queue):
    make_beat, _sent = probe_queue
    first, second = make_beat(), make_beat()
    run(first, 0.2)
    first.close()  # what beat does on SIGTERM
    assert beat.lock_holder() is None
    run(second, 0.2)
    assert second.holding


def test_a_beat_taking_over_does_not_send_again_what_the_holder_just_sent(probe_queue):
    make_beat, sent = probe_queue
    first, second = make_beat(every=1.0), make_beat(every=1.0)
    run(first, 1.3)  # the holder sends its entry once, after a second
    assert sent() == 1
    run(second, 0.3)  # the waiting beat's entry has come due too; it sends nothing
    assert not second.holding and sent() == 1
    first.close()
    run(second, 0.5)  # it takes over and counts from now: nothing doubled
    assert second.holding and sent() == 1
    run(second, 0.8)
    assert sent() == 2


def test_a_beat_that_dies_is_replaced_once_its_lock_lapses_and_never_sends_again(
    probe_queue, lock_settings
):
    make_beat, sent = probe_queue
    settings, _client = lock_settings
    first, second = make_beat(), make_beat()
    run(first, 0.2)
    # The first one freezes (killed, paused): it no longer renews.
    run(second, 0.5)
    assert not second.holding
    time.sleep(settings.BEAT_LOCK_TTL)
    run(second, 0.2)
    assert second.holding
    after_takeover = sent()
    # Waking up, the first finds the lock gone to another and sends nothing.
    run(first, 0.3)
    assert not first.holding
    run(second, 0.2)
    assert sent() > after_takeover
    assert beat.lock_holder() == second.lock_name


def test_a_beat_that_cannot_reach_redis_sends_nothing(probe_queue, settings):
    make_beat, sent = probe_queue
    settings.BEAT_LOCK_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    cut_off = make_beat()
    assert cut_off.tick() == cut_off.renew_every
    assert not cut_off.holding and sent() == 0


def test_beat_uses_the_locked_scheduler_by_default():
    assert celery_app.conf.beat_scheduler == "portal.beat:LockedScheduler"
