"""Celery tasks of the watched applications: thin, each a call to
``sharing.screening.services``. Both are safe to run twice: a match already told is not
told again (``WatchMatch``)."""

from celery import shared_task


@shared_task(name="sharing.tasks.rescreen_watches")
def rescreen_watches(event_id: int) -> int:
    from sharing.screening import services as watches

    return watches.rescreen_event(event_id)


@shared_task(name="sharing.tasks.sweep_watches")
def sweep_watches() -> dict:
    from sharing.screening import services as watches

    return watches.rescreen_all()
