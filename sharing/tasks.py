"""Celery tasks of the sharing app: thin, with ids in and a call to sharing.notifications.

All are safe to run twice (see sharing.notifications): Redis may deliver a message again
after a worker dies, and the sweeper re-queues what seems stuck.
"""

import smtplib

from celery import shared_task
from django.db import OperationalError

from sharing import notifications


@shared_task(
    name="sharing.tasks.dispatch_event",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=5,
)
def dispatch_event(event_id: int) -> int:
    return notifications.dispatch(event_id)


@shared_task(
    name="sharing.tasks.send_notification_emails",
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=12,
)
def send_notification_emails(notification_ids: list[int]) -> int:
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
    return notifications.sweep()
