"""Bounces and complaints that arrive by mail, after the mail server took a message:
delivery status notifications (RFC 3464: a permanent failure, status 5.x.x) and abuse
reports of mailbox providers' feedback loops (ARF, RFC 5965). Each returns one of the
portal's messages, found by its Message-ID; if that message went to an industry
contact, the contact becomes undeliverable (docs/architecture.md, "Industry
contacts"). Reports reach the portal through ``manage.py process_mail_feedback``, fed by
the mailbox the portal's bounces and complaints go to."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from email.utils import collapse_rfc2231_value


def _bounced(part: EmailMessage) -> bool:
    """Whether a delivery-status part reports a recipient failed for good."""
    for block in part.get_payload()[1:]:  # the first block is about the message
        action = (block.get("Action") or "").strip().lower()
        status = (block.get("Status") or "").strip()
        if action == "failed" and status.startswith("5"):
            return True
    return False


def _complaint(part: EmailMessage) -> bool:
    fields = (part.get_payload() or [None])[0]
    return fields is not None and (fields.get("Feedback-Type") or "").strip().lower() == "abuse"


def _returned_message_id(message: EmailMessage) -> str:
    """The Message-ID of the message a report returns (whole, or its headers)."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            original = payload[0] if isinstance(payload, list) and payload else None
        elif kind == "text/rfc822-headers":
            original = email.message_from_string(part.get_content(), policy=email.policy.default)
        else:
            continue
        if original is not None and original.get("Message-ID"):
            return str(original["Message-ID"]).strip()
    return ""


def report(raw: bytes) -> tuple[str, str] | None:
    """(Message-ID of the returned message, "bounce" or "complaint") for a permanent
    delivery failure (RFC 3464) or an abuse report (ARF, RFC 5965) that returns one of
    the portal's messages; None for anything else (an auto-reply, a delay, a report
    that names no message: it cannot be told from a forgery)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if message.get_content_type() != "multipart/report":
        return None
    kind = str(collapse_rfc2231_value(message.get_param("report-type") or "")).lower()
    parts = list(message.walk())
    if kind == "delivery-status":
        failed = any(
            _bounced(part) for part in parts if part.get_content_type() == "message/delivery-status"
        )
        found = "bounce" if failed else ""
    elif kind == "feedback-report":
        abuse = any(
            _complaint(part)
            for part in parts
            if part.get_content_type() == "message/feedback-report"
        )
        found = "complaint" if abuse else ""
    else:
        found = ""
    message_id = _returned_message_id(message) if found else ""
    return (message_id, found) if message_id else None
