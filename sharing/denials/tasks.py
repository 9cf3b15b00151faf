"""Celery tasks of the sharing app: thin, with ids in and a call to sharing.notifications.

All are safe to run twice (see sharing.notifications): Redis may deliver a message again
after a worker dies, and the sweeper re-queues what seems stuck.
"""

from celery import shared_task


@shared_task(name="sharing.tasks.review_denials")
def review_denials() -> dict:
    from sharing.denials import services as denials

    return denials.review_denials()


@shared_task(name="sharing.tasks.watch_consultations")
def watch_consultations() -> dict:
    from sharing.denials import services as denials

    return denials.watch_consultations()
