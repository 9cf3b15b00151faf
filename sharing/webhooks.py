"""Signed webhooks to the systems that states register, per the Standard Webhooks
specification (https://www.standardwebhooks.com/): headers ``webhook-id``,
``webhook-timestamp`` and ``webhook-signature`` = ``v1,<base64 HMAC-SHA256 of
"id.timestamp.body">``, secrets written ``whsec_<base64>``. Any receiving state can check
a delivery with an off-the-shelf library and reject replays by the timestamp.

This module knows HTTP and signatures only; which deliveries to make, and when to try
again, is the notification tasks' business.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
USER_AGENT = "ECHRI-Exchange-Webhooks/1"


def new_secret() -> str:
    """A fresh signing secret, shown once to the state admin who registers the endpoint."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, msg_id: str, body: str, *, now: float | None = None) -> dict:
    timestamp = int(now if now is not None else time.time())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


# --- Where a webhook may go -----------------------------------------------------------------


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str) -> str:
    """Refuse a webhook URL that is not https (outside DEBUG) or whose host resolves to
    a loopback, private or link-local address, unless settings.WEBHOOK_ALLOW_PRIVATE
    (tests, development). Returns the URL."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise ValidationError(_("Give a full address, starting with https://."))
    if parts.scheme != "https" and not settings.WEBHOOK_ALLOW_HTTP:
        raise ValidationError(_("Webhooks go to https:// addresses only."))
    if parts.username or parts.password:
        raise ValidationError(_("Put no user name or password in the address."))
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return url
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443)
        addresses = {info[4][0] for info in found}
    except (socket.gaierror, UnicodeError):
        raise ValidationError(_("The host name does not resolve.")) from None
    if not addresses or not all(_is_public(address) for address in addresses):
        raise ValidationError(_("Webhooks cannot go to loopback, private or link-local addresses."))
    return url


# --- Sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retryable: bool
    status_code: int | None
    error: str
    retry_after: float | None  # seconds the receiver asked us to wait


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def send(url: str, secret: str, msg_id: str, body: str) -> Outcome:
    """POST one signed delivery. Never follows a redirect; times out after
    settings.WEBHOOK_TIMEOUT seconds; says whether trying again could help."""
    try:
        check_url(url)  # again at send time: DNS may have changed since registration
    except ValidationError as error:
        return Outcome(False, False, None, " ".join(error.messages), None)
    try:
        response = requests.post(
            url,
            data=body.encode(),
            headers=signed_headers(secret, msg_id, body),
            timeout=settings.WEBHOOK_TIMEOUT,
            allow_redirects=False,
        )
    except requests.Timeout:
        return Outcome(False, True, None, "timed out", None)
    except requests.RequestException as error:
        return Outcome(False, True, None, f"connection failed: {type(error).__name__}", None)
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(True, False, code, "", None)
    retryable = code == 429 or code >= 500
    reason = "redirects are not followed" if 300 <= code < 400 else f"answered {code}"
    return Outcome(
        False, retryable, code, reason, _retry_after(response.headers.get("Retry-After"))
    )
