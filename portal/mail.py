"""Outgoing e-mail. Messages are rendered in the request (where language and site are
known) and handed to the ``email`` Celery queue once the transaction commits, so that a
rolled-back act sends nothing and no request waits on an SMTP server."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

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


def send_after_commit(message: EmailMessage) -> None:
    from portal.tasks import send_email

    send_email.delay_on_commit(to_payload(message))
