"""What the platform staff watch: is work flowing from the outbox to people and systems?

``report()`` gathers counts only (never a title, a text or a name of anything shared:
the operator cannot read restricted content, docs/architecture.md, "Platform staff"),
in a fixed number of database queries and one Redis round trip, for /admin/status/ and
its JSON variant.
``record_run()`` is how a periodic job (the sweeper) leaves its heartbeat.
"""

from __future__ import annotations

import datetime
import logging
import time

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q
from django.utils import timezone

from portal import beat
from portal.models import Heartbeat, OutgoingEmail
from sharing.common.models import Event
from sharing.notifications.choices import DeliveryStatus, EmailStatus
from sharing.notifications.models import Notification, WebhookDelivery

logger = logging.getLogger(__name__)

SWEEP = "sweep"
# kombu's Redis transport keeps a queue's messages of priority 3, 6 and 9 under keys of
# their own, and the messages handed to workers and not yet acknowledged in one hash.
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")
UNACKED_KEY = "unacked"
REDIS_TIMEOUT = 2
# An e-mail still waiting this long after its notification was made is stuck: the
# e-mail workers are not running, or the mail server keeps failing.
EMAILS_STUCK_AFTER = datetime.timedelta(minutes=15)


def record_run(name: str, details: dict, *, at: datetime.datetime | None = None) -> None:
    """Note that job ``name`` ran, with ``details`` (counts). One upsert: jobs running on
    several hosts at once simply overwrite each other."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, at=at or timezone.now(), details=details)],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["at", "details"],
    )


def _seconds_since(moment, now) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def _database() -> dict:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"reachable": True, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


def _events(now) -> dict:
    grace = datetime.timedelta(seconds=settings.EVENT_SWEEP_GRACE_SECONDS)
    row = Event.objects.filter(dispatched_at__isnull=True).aggregate(
        undispatched=Count("pk"),
        overdue=Count("pk", filter=Q(created_at__lte=now - grace)),
        oldest=Min("created_at"),
    )
    return {
        "undispatched": row["undispatched"],
        "overdue": row["overdue"],
        "grace_seconds": settings.EVENT_SWEEP_GRACE_SECONDS,
        "oldest_age_seconds": _seconds_since(row["oldest"], now),
    }


def _emails(now) -> dict:
    waiting = {
        row["email_status"]: row
        for row in Notification.objects.filter(
            email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING, EmailStatus.DIGEST]
        )
        .order_by()
        .values("email_status")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
    }
    sending = [waiting.get(EmailStatus.PENDING), waiting.get(EmailStatus.SENDING)]
    # Account e-mail (invitations, password resets, notices of staff acts) waits too.
    to_send = Q(status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.SENDING])
    account = OutgoingEmail.objects.aggregate(
        n=Count("pk", filter=to_send),
        oldest=Min("created_at", filter=to_send),
        failed=Count("pk", filter=Q(status=OutgoingEmail.Status.FAILED)),
    )
    oldest = min(
        (row["oldest"] for row in [*sending, account] if row and row["oldest"]), default=None
    )
    return {
        "to_send": sum(row["n"] for row in sending if row),
        "being_sent": (waiting.get(EmailStatus.SENDING) or {}).get("n", 0),
        "waiting_for_digest": (waiting.get(EmailStatus.DIGEST) or {}).get("n", 0),
        "failed": Notification.objects.filter(email_status=EmailStatus.FAILED).count(),
        "account_to_send": account["n"],
        "account_failed": account["failed"],
        "oldest_to_send_age_seconds": _seconds_since(oldest, now),
    }


def _webhooks(now) -> dict:
    row = WebhookDelivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).aggregate(
        waiting=Count("pk", filter=Q(status=DeliveryStatus.PENDING)),
        due=Count("pk", filter=Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)),
        being_sent=Count("pk", filter=Q(status=DeliveryStatus.SENDING)),
        oldest_due=Min(
            "next_attempt_at",
            filter=Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now),
        ),
    )
    return {
        "waiting": row["waiting"],
        "due": row["due"],
        "being_sent": row["being_sent"],
        "dead": WebhookDelivery.objects.filter(status=DeliveryStatus.DEAD).count(),
        "oldest_due_age_seconds": _seconds_since(row["oldest_due"], now),
    }


def _sweep(now) -> dict:
    run = Heartbeat.objects.filter(name=SWEEP).first()
    interval = float(settings.CELERY_BEAT_SCHEDULE["sweep"]["schedule"])
    return {
        "last_run": run.at.isoformat() if run else None,
        "age_seconds": _seconds_since(run.at, now) if run else None,
        "interval_seconds": int(interval),
        # Three missed runs and some slack: beat or the events workers have stopped.
        "stale_after_seconds": int(interval * 3 + 30),
        "handed_on": run.details if run else None,
    }


def _queue_names() -> list[str]:
    return [queue.name for queue in settings.CELERY_TASK_QUEUES]


def _broker() -> dict:
    """Messages waiting in each Celery queue, and those handed to workers and not yet
    acknowledged; the beat lock's holder."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"kind": "eager", "reachable": True, "queues": None, "unacked": None, "beat": None}
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return {"kind": "other", "reachable": None, "queues": None, "unacked": None, "beat": None}
    client = redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )
    names = _queue_names()
    lock_here = url == settings.BEAT_LOCK_URL
    try:
        pipe = client.pipeline(transaction=False)
        for name in names:
            for suffix in PRIORITY_SUFFIXES:
                pipe.llen(name + suffix)
        pipe.hlen(UNACKED_KEY)
        if lock_here:
            pipe.get(settings.BEAT_LOCK_KEY)
        answers = pipe.execute()
        holder = answers.pop() if lock_here else _other_lock_holder()
    except redis.RedisError as error:
        logger.warning("status: the broker cannot be reached: %s", error)
        return {"kind": "redis", "reachable": False, "queues": None, "unacked": None, "beat": None}
    finally:
        client.close()
    step = len(PRIORITY_SUFFIXES)
    queues = {name: sum(answers[i * step : (i + 1) * step]) for i, name in enumerate(names)}
    return {
        "kind": "redis",
        "reachable": True,
        "queues": queues,
        "unacked": answers[len(names) * step],
        "beat": holder.decode() if isinstance(holder, bytes) else holder,
    }


def _other_lock_holder() -> str | None:
    if not settings.BEAT_LOCK_URL:
        return None
    try:
        return beat.lock_holder()
    except redis.RedisError:
        return None


def _problems(report: dict) -> list[str]:
    """What needs someone: codes the page and monitoring systems both understand."""
    problems = []
    if not report["database"]["reachable"]:
        problems.append("database")
    if report["broker"]["reachable"] is False:
        problems.append("broker")
    events, sweep, emails = report["events"], report["sweep"], report["emails"]
    if events and events["overdue"]:
        problems.append("events_overdue")
    # The embedded mode has no beat and needs none: tasks run at once.
    if (
        sweep
        and report["broker"]["kind"] != "eager"
        and (sweep["age_seconds"] is None or sweep["age_seconds"] > sweep["stale_after_seconds"])
    ):
        problems.append("sweep_stale")
    stuck = EMAILS_STUCK_AFTER.total_seconds()
    if emails and (emails["oldest_to_send_age_seconds"] or 0) > stuck:
        problems.append("emails_stuck")
    return problems


def report(now: datetime.datetime | None = None) -> dict:
    """The whole picture, as plain JSON-ready data. Seven queries when the database
    answers (one when it does not), whatever the numbers."""
    now = now or timezone.now()
    result = {"checked_at": now.isoformat()}
    try:
        result["database"] = _database()
    except DatabaseError as error:
        logger.warning("status: the database cannot be reached: %s", error)
        result["database"] = {"reachable": False, "latency_ms": None}
    sections = {"events": _events, "emails": _emails, "webhooks": _webhooks, "sweep": _sweep}
    for name, gather in sections.items():
        result[name] = None
        if result["database"]["reachable"]:
            try:
                result[name] = gather(now)
            except DatabaseError as error:
                logger.warning("status: counting %s failed: %s", name, error)
                result["database"]["reachable"] = False
    result["broker"] = _broker()
    result["problems"] = _problems(result)
    result["status"] = "attention" if result["problems"] else "ok"
    return result
