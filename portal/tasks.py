"""Celery tasks of the portal itself: thin, with ids in. Each is safe to run twice."""

from celery import shared_task

from portal import mail


@shared_task(name="portal.tasks.ping", ignore_result=False)
def ping() -> str:
    """Answer "pong": /readyz?worker=1 sends it to prove a worker is consuming."""
    return "pong"


@shared_task(name="portal.tasks.send_email")
def send_email(email_id) -> bool:
    """Send one kept account e-mail (portal.mail.send). A mail server that fails leaves
    it pending for the sweeper: no countdown waits in the broker meanwhile."""
    if isinstance(email_id, dict):
        # A message queued by the release before kept e-mail rows: send it as it is.
        mail.from_payload(email_id).send()
        return True
    return mail.send(email_id)


@shared_task(name="portal.tasks.sweep_mail")
def sweep_mail() -> int:
    return mail.sweep()
