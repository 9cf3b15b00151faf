"""Account e-mail (invitations, password resets, notices of staff acts), and e-mail to
people outside government (industry contacts: confirmations, advisories). Messages are
rendered in the request (where language and site are known), kept as an
``OutgoingEmail`` row in the act's own transaction, and sent by the ``email`` queue once
that commits: a rolled-back act sends nothing, no request waits on an SMTP server or a
broker, and what the broker or a worker lost the sweeper sends later, once."""

import datetime
import logging
import smtplib
from email.utils import make_msgid
from types import SimpleNamespace
from urllib.parse import urlsplit

import django.dispatch
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.models import OutgoingEmail
from portal.queue import enqueue

logger = logging.getLogger(__name__)

SEND_TASK = "portal.tasks.send_email"
# A message handed to a task and not sent in this long was lost with its worker.
LOST_AFTER = datetime.timedelta(minutes=10)

# What e-mail templates call "the site" when no request is at hand (tasks, commands).
SITE = SimpleNamespace(domain=urlsplit(settings.SITE_URL).netloc, name=settings.SITE_NAME)


def render(template_prefix: str, to: list[str], context: dict) -> EmailMultiAlternatives:
    """Render ``<prefix>_subject.txt``, ``<prefix>_body.txt`` and ``<prefix>_body.html``."""
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "LANGUAGE_CODE": translation.get_language(),
        **context,
    }
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=render_to_string(f"{template_prefix}_body.txt", context),
        to=to,
    )
    message.attach_alternative(
        render_to_string(f"{template_prefix}_body.html", context), "text/html"
    )
    return message


def to_payload(message: EmailMessage) -> dict:
    """A JSON-safe description of a message (Celery task arguments are plain JSON)."""
    alternatives = getattr(message, "alternatives", [])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "html": next((content for content, mime in alternatives if mime == "text/html"), None),
        "content_subtype": message.content_subtype,
    }


def from_payload(payload: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload.get("from_email"),
        to=payload["to"],
        headers=payload.get("headers") or {},
    )
    message.content_subtype = payload.get("content_subtype") or "plain"
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    return message


# Sent when the mail server refuses a kept message's address for good (a bounce at the
# door: no such mailbox), with the row: what the message was ``about`` may want to know.
refused = django.dispatch.Signal()


def send_after_commit(message: EmailMessage, *, about: str = "") -> OutgoingEmail:
    """Keep ``message`` to be sent once the current transaction commits. ``about`` names
    whom it concerns, for the receivers of ``refused``."""
    if about and "Message-ID" not in message.extra_headers:
        # The host alone: a port is no part of a Message-ID, and readers drop it.
        message.extra_headers["Message-ID"] = make_msgid(
            domain=urlsplit(settings.SITE_URL).hostname or None
        )
    data = to_payload(message)
    row = OutgoingEmail.objects.create(
        about=about,
        message_id=message.extra_headers.get("Message-ID", ""),
        to=data["to"],
        from_email=data["from_email"] or "",
        subject=data["subject"],
        body=data["body"],
        html=data["html"] or "",
        headers=data["headers"],
    )
    transaction.on_commit(lambda: _hand_over([row.pk]), robust=True)
    return row


def _hand_over(ids: list[int]) -> None:
    """Queue these messages, noting when: one the broker did not take keeps no such
    note, and the sweeper queues it again after EVENT_SWEEP_GRACE_SECONDS."""
    for email_id in ids:
        enqueue(SEND_TASK, email_id)
        OutgoingEmail.objects.filter(pk=email_id).update(queued_at=timezone.now())


def _message(row: OutgoingEmail) -> EmailMultiAlternatives:
    return from_payload(
        {
            "subject": row.subject,
            "body": row.body,
            "from_email": row.from_email or None,
            "to": row.to,
            "headers": row.headers,
            "html": row.html,
        }
    )


def _refused(error: Exception) -> bool:
    """Whether the mail server refused the message for good (a bad address), rather
    than failing for now (down, busy, disconnected)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return (
        isinstance(error, smtplib.SMTPResponseException)
        and not isinstance(error, smtplib.SMTPSenderRefused)
        and 500 <= error.smtp_code < 600
    )


def _bad_address(error: Exception) -> bool:
    """Whether a refusal is about the address (no such mailbox, not accepted here), not
    the message (too large, its content refused): only then is the address dead."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code in {550, 551, 553}


def send(email_id: int) -> bool:
    """Send the kept message ``email_id`` if it is still to be sent; True if it left.
    Claimed first, so a message the broker delivers twice, or that two sweepers hand on
    at once, leaves once. A server that refuses the address gives the message up; one
    that fails for now leaves it for the sweeper, EMAIL_MAX_ATTEMPTS times at most."""
    claimed = OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.PENDING).update(
        status=OutgoingEmail.Status.SENDING, claimed_at=timezone.now()
    )
    if not claimed:
        return False
    row = OutgoingEmail.objects.get(pk=email_id)
    try:
        connection = get_connection()
        message = _message(row)
        message.connection = connection
        message.send()
    except (OSError, smtplib.SMTPException) as error:
        if _refused(error):
            logger.warning("The mail server refused account e-mail %s.", row.pk)
            _finish(row, OutgoingEmail.Status.FAILED, attempts=row.attempts + 1)
            if _bad_address(error):
                refused.send(sender=OutgoingEmail, email=row)
        else:
            logger.warning("Sending account e-mail %s failed; it waits.", row.pk, exc_info=True)
            _failed_for_now(row)
        return False
    except Exception:
        # The portal, not the mail server: counted too, so that a message that cannot
        # be made is given up in the end rather than tried for ever.
        logger.exception("Account e-mail %s could not be made.", row.pk)
        _failed_for_now(row)
        return False
    _finish(row, OutgoingEmail.Status.SENT, sent_at=timezone.now())
    return True


def _failed_for_now(row: OutgoingEmail) -> None:
    attempts = row.attempts + 1
    status = (
        OutgoingEmail.Status.FAILED
        if attempts >= settings.EMAIL_MAX_ATTEMPTS
        else OutgoingEmail.Status.PENDING
    )
    _finish(row, status, attempts=attempts)


def _finish(row: OutgoingEmail, status: str, **fields) -> None:
    if status != OutgoingEmail.Status.PENDING:
        # Sent or given up, the text is not kept: it may hold a live link (a password
        # reset, an invitation) that nobody reading the database should find.
        fields.update(body="", html="")
    OutgoingEmail.objects.filter(pk=row.pk, status=OutgoingEmail.Status.SENDING).update(
        status=status, **fields
    )


def sweep(now: datetime.datetime | None = None) -> int:
    """Hand to the ``email`` queue again what should have left and has not: messages
    never queued (the broker was down at commit), failed for now, or lost with a worker.
    Safe on several hosts at once (sending claims each row). Returns how many."""
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.EVENT_SWEEP_GRACE_SECONDS)
    lost = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.SENDING, claimed_at__lte=now - LOST_AFTER
    )
    lost.filter(attempts__gte=settings.EMAIL_MAX_ATTEMPTS - 1).update(
        status=OutgoingEmail.Status.FAILED, attempts=F("attempts") + 1, body="", html=""
    )
    lost.update(status=OutgoingEmail.Status.PENDING, attempts=F("attempts") + 1)
    due = list(
        OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.PENDING, created_at__lte=now - grace
        )
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=now - LOST_AFTER))
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    _hand_over(due)
    return len(due)
