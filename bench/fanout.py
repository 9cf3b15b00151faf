"""How long the fan-out of one publication takes, and how many queries it makes.

    DATABASE_URL=postgres://... .venv/bin/python bench/fanout.py [--recipients 1000 100000]

Works in a throwaway database of its own (``bench_<name>``, created and dropped here):
25 states whose users all read a notice published to every subscribing state, then
``sharing.notifications.delivery.dispatch`` of its event, with what it hands over after commit
(the e-mail batches and webhook deliveries are queued on an in-memory broker, not sent).
Each size is dispatched several times from scratch; the median time is reported with
the number of queries, which should grow with recipients / NOTIFICATION_BATCH_SIZE only.

A benchmark that reports figures; it asserts nothing about time.
"""

import argparse
import os
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.choices import Role, StateStatus  # noqa: E402
from accounts.models import State, User  # noqa: E402
from portal.celery import app as celery_app  # noqa: E402
from sharing.common.models import Event  # noqa: E402
from sharing.notices import services as notices  # noqa: E402
from sharing.notifications import delivery as notifications  # noqa: E402
from sharing.notifications.models import (  # noqa: E402
    Notification,
    WebhookDelivery,
)

STATES = 25
UNUSABLE = make_password(None)  # nobody signs in as a benchmark user


def make_states() -> list[State]:
    states = list(State.objects.filter(status=StateStatus.SUBSCRIBING).order_by("code"))
    letters = iter(f"Q{c}" for c in string.ascii_uppercase)
    while len(states) < STATES:
        code = next(letters)
        states.append(
            State.objects.get_or_create(
                code=code, defaults={"name": f"Bench {code}", "status": StateStatus.SUBSCRIBING}
            )[0]
        )
    return states[:STATES]


def make_author(states: list[State]) -> User:
    return User.objects.create(
        username="bench-author",
        email="author@bench.example",
        state=states[0],
        role=Role.OFFICER,
        password=UNUSABLE,
    )


def add_readers(states: list[State], total: int) -> None:
    """Bring the readers (users of the states other than the author's) up to ``total``."""
    readers = states[1:]
    roles = [Role.VIEWER, Role.VIEWER, Role.OFFICER, Role.STATE_ADMIN]
    start = User.objects.exclude(state=states[0]).count()
    users = [
        User(
            username=f"bench-{n}",
            email=f"bench-{n}@bench.example",
            state=readers[n % len(readers)],
            role=roles[n % len(roles)],
            password=UNUSABLE,
        )
        for n in range(start, total)
    ]
    User.objects.bulk_create(users, batch_size=5000)


def publish(author: User) -> Event:
    draft = notices.create(
        by=author,
        kind="end_user_alert",
        title="Benchmark notice",
        summary="A notice that every subscribing state reads.",
        body="",
        categories=["intrusion-software"],
        control_codes=[],
        countries_of_concern=[],
        entities=[],
        severity="high",
        tlp="green",
        audience="subscribing",
        recipient_states=[],
        valid_until=None,
    )
    notices.publish(draft, by=author)
    return Event.objects.get(notice=draft)


def reset(event: Event) -> None:
    Notification.objects.filter(event=event).delete()
    WebhookDelivery.objects.filter(event=event).delete()
    Event.objects.filter(pk=event.pk).update(dispatched_at=None)


def measure(event: Event, runs: int) -> tuple[float, int, int]:
    times, queries = [], 0
    for _ in range(runs):
        reset(event)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            notified = notifications.dispatch(event.pk)  # commits, then hands over
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return statistics.median(times), queries, notified


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    # Tasks are published to an in-memory broker: the fan-out itself is measured, not a
    # worker sending e-mail. Nothing in this process consumes them.
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://localhost/"

    original = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":  # (SQLite benchmarks in memory)
        # A name of its own, so that it never meets the test suite's database.
        connection.settings_dict["TEST"]["NAME"] = f"bench_{original}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        vendor = connection.vendor
        print(
            f"database: {vendor} {connection.settings_dict['NAME']}; "
            f"NOTIFICATION_BATCH_SIZE={settings.NOTIFICATION_BATCH_SIZE}; cpus={os.cpu_count()}"
        )
        print(f"{'recipients':>10} {'batches':>8} {'queries':>8} {'seconds':>8} {'per 1k':>8}")
        states = make_states()
        event = publish(make_author(states))
        for size in sorted(args.recipients):
            add_readers(states, size)
            seconds, queries, notified = measure(event, args.runs)
            if notified != size:
                raise SystemExit(f"notified {notified} of {size}: the benchmark is wrong")
            batches = -(-size // settings.NOTIFICATION_BATCH_SIZE)
            print(
                f"{size:>10} {batches:>8} {queries:>8} {seconds:>8.3f} "
                f"{seconds / size * 1000:>8.3f}"
            )
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
