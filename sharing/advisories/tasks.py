"""Celery tasks of advisories: thin, with ids in, each safe to run twice."""

from celery import shared_task

from sharing.advisories import dissemination


@shared_task(name="sharing.tasks.disseminate_advisory")
def disseminate_advisory(dissemination_id: int) -> int:
    """Write the e-mails of one advisory version to its lists' contacts."""
    return dissemination.send(dissemination_id)


@shared_task(name="sharing.tasks.sweep_disseminations")
def sweep_disseminations() -> int:
    return dissemination.sweep()
