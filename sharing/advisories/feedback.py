"""Bounces and complaints that arrive by mail, after the mail server took a message:
delivery status notifications (RFC 3464: a permanent failure, status 5.x.x) and abuse
reports of mailbox providers' feedback loops (ARF, RFC 5965). Each names an address;
every contact at that address becomes undeliverable (docs/architecture.md, "Industry
contacts"). The messages reach the portal through ``manage.py process_mail_feedback``,
fed by the mailbox the portal's bounces and complaints go to."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from email.utils import parseaddr


def _addresses(value: str | None) -> list[str]:
    """The address of a field such as "rfc822; user@example.org" or "<user@x>"."""
    if not value:
        return []
    text = value.split(";", 1)[1] if ";" in value else value
    address = parseaddr(text.strip())[1].strip().lower()
    return [address] if "@" in address else []


def _bounced(part: EmailMessage) -> list[str]:
    """The recipients a delivery-status part reports as failed for good."""
    found = []
    for block in part.get_payload()[1:]:  # the first block is about the message
        action = (block.get("Action") or "").strip().lower()
        status = (block.get("Status") or "").strip()
        if action == "failed" and status.startswith("5"):
            found += _addresses(block.get("Final-Recipient") or block.get("Original-Recipient"))
    return found


def _complained(report: EmailMessage) -> list[str]:
    """The recipient an abuse report is about: its Original-Rcpt-To, or the To of the
    message it returns."""
    for part in report.walk():
        if part.get_content_type() == "message/feedback-report":
            (fields,) = part.get_payload()[:1] or [None]
            if fields is None or (fields.get("Feedback-Type") or "").strip().lower() != "abuse":
                return []
            found = _addresses(fields.get("Original-Rcpt-To"))
            if found:
                return found
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            original = payload[0] if isinstance(payload, list) and payload else None
            if original is None and isinstance(payload, str):
                original = email.message_from_string(payload, policy=email.policy.default)
            if original is not None:
                return _addresses(original.get("To"))
    return []


def addresses(raw: bytes) -> list[tuple[str, str]]:
    """(address, "bounce" or "complaint") for what one message reports; nothing for a
    message that is neither (an auto-reply, a temporary failure)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if message.get_content_type() != "multipart/report":
        return []
    report = (message.get_param("report-type") or "").lower()
    if report == "delivery-status":
        return [
            (address, "bounce")
            for part in message.walk()
            if part.get_content_type() == "message/delivery-status"
            for address in _bounced(part)
        ]
    if report == "feedback-report":
        return [(address, "complaint") for address in _complained(message)]
    return []
