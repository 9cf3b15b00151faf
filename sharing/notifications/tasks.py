"""Celery tasks of the sharing app: thin, with ids in and a call to sharing.notifications.

All are safe to run twice (see sharing.notifications): Redis may deliver a message again
after a worker dies, and the sweeper re-queues what seems stuck.
"""

from celery import shared_task
from django.db import OperationalError

from portal import status
from sharing.notifications import delivery as notifications


@shared_task(
    name="sharing.tasks.dispatch_event",
    autoretry_for=(OperationalError,),  # the database was briefly unreachable
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def dispatch_event(event_id: int) -> int:
    return notifications.dispatch(event_id)


@shared_task(name="sharing.tasks.send_notification_emails")
def send_notification_emails(notification_ids: list[int]) -> int:
    # A mail server that fails leaves the e-mails pending, for the sweeper to queue
    # again a few minutes later; no countdown sits in the broker meanwhile.
    return notifications.send_emails(notification_ids)


@shared_task(name="sharing.tasks.send_digests")
def send_digests() -> int:
    return notifications.send_digests()


@shared_task(name="sharing.tasks.deliver_webhook")
def deliver_webhook(delivery_id: int) -> str | None:
    # Retries are the sweeper's job (delivery rows carry their next attempt time), not
    # Celery's countdowns, which Redis would redeliver after its visibility timeout.
    return notifications.deliver(delivery_id)


@shared_task(name="sharing.tasks.sweep")
def sweep() -> dict:
    handed_on = notifications.sweep()
    status.record_run(status.SWEEP, handed_on)  # the status page shows when it last ran
    return handed_on
