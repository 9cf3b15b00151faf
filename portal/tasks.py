import smtplib

from celery import shared_task

from portal import mail


@shared_task(name="portal.tasks.ping", ignore_result=False)
def ping() -> str:
    """Answer "pong": /readyz?worker=1 sends it to prove a worker is consuming."""
    return "pong"


@shared_task(
    name="portal.tasks.send_email",
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=12,
)
def send_email(payload: dict) -> None:
    """Send one rendered message (see portal.mail). Retried with backoff for about a day
    while the mail server is unreachable."""
    mail.from_payload(payload).send()
