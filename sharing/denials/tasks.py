"""Celery tasks of the denials, run by beat: thin, each a call to
``sharing.denials.services`` (the daily review of denials in force, the hourly
consultation clock).

Both are safe to run twice, or on two hosts: every step is claimed row by row (a
conditional UPDATE), so it acts once.
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
