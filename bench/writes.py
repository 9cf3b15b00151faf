"""What publishing costs the person who publishes, and what the fan-out writes per second.

    DATABASE_URL=postgres://... .venv/bin/python bench/writes.py [--fanout 20000] [--json out]

In a database of its own (``bench_writes``, dropped at the end):

- publish: the publish request (POST /notices/<id>/publish/, through the whole Django
  stack) for a notice whose audience has 10 people, then 10,000. The request records
  the event; the fan-out is the worker's job (tasks go to an in-memory broker that
  nothing reads), so the two should take the same time. Median of alternating runs.
- fan-out: rows per second written by ``sharing.notifications.delivery.dispatch`` (what the
  dispatch_event task runs: recipients, Notification rows in batches, webhook rows, then
  the hand-over of e-mail batches to the broker) against a plain ``bulk_create`` of the
  same number of Notification rows (every column, the same batch size) for another
  event: the ceiling of the ORM's way of writing. For the discussion of a COPY-based
  writer it also times psycopg COPY of the same rows through a temporary table and
  ``INSERT ... ON CONFLICT DO NOTHING`` (what dispatch would need to stay idempotent).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import lib, portal_side

# ruff: noqa: S608 -- SQL of its own, from the model's column names

DATABASE = "bench_writes"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--fanout", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    url = lib.create_database(DATABASE)
    try:
        lib.manage("migrate", "--noinput", "-v0", env=lib.portal_env(url))
        portal_side.setup(url)
        result = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        lib.drop_database(DATABASE)
    text = json.dumps(result, indent=2, default=str)
    if args.json:
        args.json.write_text(text)
    print(text)


def run(args) -> dict:
    from portal.celery import app as celery_app

    # What the request hands over goes to a broker nobody reads: the request is timed,
    # not a worker (the fan-out part below times that).
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://localhost/"
    people = make_people(args)
    return {
        "publish": publish_latency(people, args.runs),
        "fanout": fanout(people, args.fanout, max(3, args.runs // 5)),
    }


def make_people(args) -> dict:
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.hashers import make_password

    from accounts.choices import Role
    from accounts.models import User

    unusable = make_password(None)
    author = User.objects.create(
        username="bench-author", email="author@bench.example", state_id="DK", role=Role.OFFICER
    )
    # Production asks officers for MFA: the author has an authenticator, as there.
    Authenticator.objects.create(user=author, type="totp", data={"secret": "unused"})
    sizes = {"NO": args.small, "FI": args.large, "DE": args.fanout}
    for state, n in sizes.items():
        User.objects.bulk_create(
            [
                User(
                    username=f"bench-{state.lower()}-{i}",
                    email=f"{state.lower()}-{i}@bench.example",
                    state_id=state,
                    password=unusable,
                )
                for i in range(n)
            ],
            batch_size=5000,
        )
    return {"author": author, "sizes": sizes}


def draft(author, recipients: list[str]):
    from sharing.notices import services as notices  # once Django is set up

    return notices.create(
        by=author,
        kind="end_user_alert",
        title="Benchmark notice",
        summary="A notice for the benchmark.",
        body="## What we saw\n\nA reseller of **intrusion software** applied again.",
        categories=["intrusion-software"],
        control_codes=["4A005"],
        countries_of_concern=["AE"],
        entities=[{"name": "Nimbus Intercept FZE", "country": "AE"}],
        severity="high",
        tlp="amber",
        audience="selected",
        recipient_states=recipients,
        valid_until=None,
    )


def publish_latency(people: dict, runs: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sharing.notifications.models import Notification

    author = people["author"]
    client = Client()
    client.force_login(author)
    audiences = {"small": ["NO"], "large": ["FI"]}
    warmup = 3
    drafts = {k: [draft(author, v) for _ in range(runs + warmup)] for k, v in audiences.items()}
    times = {"small": [], "large": []}
    queries = {}
    for n in range(runs + warmup):
        for key in ("small", "large"):
            notice = drafts[key][n]
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(f"/notices/{notice.pk}/publish/")
                elapsed = time.perf_counter() - started
            if response.status_code != 302:
                raise SystemExit(f"publishing answered {response.status_code}: the bench is wrong")
            if n >= warmup:
                times[key].append(elapsed * 1000)
                queries[key] = len(captured)
    if Notification.objects.exists():
        raise SystemExit("the publish request notified people itself: it must leave that to a task")
    sizes = people["sizes"]
    return {
        "recipients": {"small": sizes["NO"], "large": sizes["FI"]},
        "ms_p50": {k: statistics.median(v) for k, v in times.items()},
        "ms_p95": {k: lib.percentile(v, 95) for k, v in times.items()},
        "queries": queries,
        "runs": runs,
    }


def fanout(people: dict, size: int, runs: int) -> dict:
    from django.conf import settings
    from django.db import transaction

    from sharing.common.models import Event
    from sharing.notices import services as notices
    from sharing.notifications import delivery as notifications
    from sharing.notifications.models import Notification, WebhookDelivery

    author = people["author"]
    published = [notices.publish(draft(author, ["DE"]), by=author) for _ in range(3)]
    events = [Event.objects.get(notice=notice) for notice in published]
    dispatched, hand_over, plain, copied = [], [], [], []
    for _ in range(runs):
        for event in events:
            Notification.objects.filter(event=event).delete()
            WebhookDelivery.objects.filter(event=event).delete()
        Event.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=None)

        started = time.perf_counter()
        notified = notifications.dispatch(events[0].pk)
        dispatched.append(time.perf_counter() - started)
        if notified != size:
            raise SystemExit(f"dispatch notified {notified} of {size}: the bench is wrong")
        # The hand-over alone (again, on the same rows: the same work), to show its share.
        started = time.perf_counter()
        notifications.hand_over(events[0].pk)
        hand_over.append(time.perf_counter() - started)

        rows = rows_for(events[1], people)
        started = time.perf_counter()
        with transaction.atomic():
            Notification.objects.bulk_create(rows, batch_size=settings.NOTIFICATION_BATCH_SIZE)
        plain.append(time.perf_counter() - started)

        started = time.perf_counter()
        copy_rows(events[2], people)
        copied.append(time.perf_counter() - started)
    for event in events[1:]:
        if Notification.objects.filter(event=event).count() != size:
            raise SystemExit("the ceiling wrote another number of rows: the bench is wrong")
    seconds = {
        "dispatch": statistics.median(dispatched),
        "hand_over": statistics.median(hand_over),
        "bulk_create": statistics.median(plain),
        "copy": statistics.median(copied),
    }
    return {
        "rows": size,
        "batch_size": settings.NOTIFICATION_BATCH_SIZE,
        "email_batch_size": settings.EMAIL_BATCH_SIZE,
        "runs": runs,
        "seconds": seconds,
        "rows_per_second": {k: size / v for k, v in seconds.items()},
    }


def _recipients(event, people):
    from accounts.models import User

    return list(
        User.objects.filter(state_id="DE", is_active=True)
        .exclude(pk=event.actor_id)
        .values_list("pk", flat=True)
    )


def rows_for(event, people) -> list:
    from sharing.notifications.models import Notification

    return [
        Notification(
            event=event,
            user_id=user_id,
            kind=event.kind,
            notice_id=event.notice_id,
            best_practice_id=event.best_practice_id,
            created_at=event.created_at,
            email_status="pending",
        )
        for user_id in _recipients(event, people)
    ]


def copy_rows(event, people) -> None:
    """The same rows by COPY into a temporary table, then INSERT ... ON CONFLICT DO
    NOTHING: the writer a COPY-based dispatch would use (a plain COPY has no way to skip
    the rows an earlier, interrupted run wrote)."""
    from django.db import connection, transaction

    from sharing.notifications.models import Notification

    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f.column for f in fields)
    rows = rows_for(event, people)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_incoming ON COMMIT DROP AS "
            f"SELECT {columns} FROM sharing_notification WITH NO DATA"
        )
        raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
        with raw.copy(f"COPY bench_incoming ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
                )
        cursor.execute(
            f"INSERT INTO sharing_notification ({columns}) SELECT {columns} FROM bench_incoming "
            "ON CONFLICT (event_id, user_id) DO NOTHING"
        )


if __name__ == "__main__":
    main()
