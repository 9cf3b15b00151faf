"""Signed webhooks to the systems that states register, per the Standard Webhooks
specification (https://www.standardwebhooks.com/): headers ``webhook-id``,
``webhook-timestamp`` and ``webhook-signature`` = ``v1,<base64 HMAC-SHA256 of
"id.timestamp.body">`` (several, space-separated, while an old secret is still honoured),
secrets written ``whsec_<base64>``. Any receiving state can check a delivery with an
off-the-shelf library and reject replays by the timestamp.

Where a webhook may go is checked when it is registered and again at every attempt,
against the addresses its host resolves to then; the request is made to the very
address that was checked (never resolved a second time), so a host cannot answer the
check with a public address and the request with an internal one.

This module knows HTTP and signatures only; which deliveries to make, and when to try
again, is the notification tasks' business.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import math
import secrets
import socket
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import SplitResult, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
USER_AGENT = "ECHRI-Exchange-Webhooks/1"


def new_secret() -> str:
    """A fresh signing secret, shown once to the state admin who registers the endpoint."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(
    signing: str | list[str], msg_id: str, body: str, *, now: float | None = None
) -> dict:
    """The Standard Webhooks headers for ``body``, signed with each of the secrets."""
    timestamp = int(now if now is not None else time.time())
    keys = [signing] if isinstance(signing, str) else signing
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(key, msg_id, timestamp, body) for key in keys),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


# --- Where a webhook may go -----------------------------------------------------------------


class Unresolved(Exception):
    """The host name did not resolve (perhaps only for now)."""


# IPv6 ranges whose last 32 bits are an IPv4 address that a packet in effect goes to,
# through the host's own network stack or a translator on the path.
_IPV4_IN_LAST_32_BITS = [
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated; :: and ::1 excepted)
    ipaddress.IPv6Network("::ffff:0:0/96"),  # IPv4-mapped
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (RFC 2765)
    ipaddress.IPv6Network("64:ff9b::/96"),  # NAT64, well-known prefix (RFC 6052)
]
# Unspecified and loopback in their own right, and judged as such.
_NOT_IPV4_COMPATIBLE = {ipaddress.IPv6Address("::"), ipaddress.IPv6Address("::1")}

# NAT64's local-use prefix (RFC 8215): a network picks its own prefix inside it, of 48,
# 56, 64 or 96 bits, and which one it picked cannot be seen from outside. RFC 6052
# (section 2.2) puts the IPv4 address after the prefix, skipping bits 64-71 (the "u"
# octet): for each prefix length, the bit ranges (first bit, bits) that hold it.
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")
_RFC6052_LAYOUTS = [
    [(48, 16), (72, 16)],  # /48
    [(56, 8), (72, 24)],  # /56
    [(72, 32)],  # /64
    [(96, 32)],  # /96
]


def _bits(ip: ipaddress.IPv6Address, first: int, count: int) -> int:
    return (int(ip) >> (128 - first - count)) & ((1 << count) - 1)


def _rfc6052_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    carried = []
    for layout in _RFC6052_LAYOUTS:
        value = 0
        for first, count in layout:
            value = (value << count) | _bits(ip, first, count)
        carried.append(ipaddress.IPv4Address(value))
    return carried


def _isatap_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address in an ISATAP interface identifier (RFC 5214: 00-00-5E-FE and
    the address in the last 64 bits, the "u" bit set or not; the "g" bit is ignored
    here too), which the ISATAP router behind the prefix sends the packet on to."""
    if _bits(ip, 64, 32) & 0xFCFFFFFF == 0x00005EFE:
        return ipaddress.IPv4Address(_bits(ip, 96, 32))
    return None


def _ipv4_carried(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses that ``ip`` leads to, if it is a form that carries one."""
    if ip.teredo:  # the relay (server) and the far end (client) are both reached
        return list(ip.teredo)
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip in _NAT64_LOCAL_USE:
        return _rfc6052_ipv4(ip)
    if ip not in _NOT_IPV4_COMPATIBLE and any(ip in net for net in _IPV4_IN_LAST_32_BITS):
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return []


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # is_global lets through site-local IPv6 (fec0::/10), deprecated but still routed
    # inside some networks, and multicast of global scope.
    return ip.is_global and not ip.is_multicast and not (ip.version == 6 and ip.is_site_local)


def _allowed(address: str) -> bool:
    """Whether ``address`` is on the public internet: the one test at registration and
    at every delivery. An IPv6 form that carries an IPv4 address for a translator is
    judged by that IPv4 address alone (every one it may carry): what the wrapper is
    called says nothing of where the packet ends up (and Python versions disagree on
    it). An ISATAP address is judged by both: the packet crosses the IPv6 network to the
    router, and the router sends it on to the IPv4 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return _public(ip)
    judged = _ipv4_carried(ip) or [ip]
    isatap = _isatap_ipv4(ip)
    if isatap is not None:
        judged = [*judged, ip, isatap]
    return all(_public(each) for each in judged)


def _parts(url: str) -> SplitResult:
    """The URL's parts, or a ValidationError saying what is wrong with it."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number in range)
    except ValueError:
        raise ValidationError(_("Give a full address, starting with https://.")) from None
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise ValidationError(_("Give a full address, starting with https://."))
    # urlsplit takes 0 for a port, but it is none to connect to (the socket layer reads
    # it as "any"), and it must not quietly turn into the default port either.
    if parts.port == 0:
        raise ValidationError(_("Give a port from 1 to 65535, or none for the usual one."))
    if parts.scheme != "https" and not settings.WEBHOOK_ALLOW_HTTP:
        raise ValidationError(_("Webhooks go to https:// addresses only."))
    if parts.username or parts.password:
        raise ValidationError(_("Put no user name or password in the address."))
    return parts


def _port(parts: SplitResult) -> int:
    # "is None", not "or": a port 0 (refused above) must never become the default port.
    return parts.port if parts.port is not None else (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` has now. Raises Unresolved."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Unresolved(host) from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise Unresolved(host)
    return addresses


def _permitted(addresses: list[str]) -> bool:
    return settings.WEBHOOK_ALLOW_PRIVATE or all(_allowed(a) for a in addresses)


def check_url(url: str) -> str:
    """Refuse a webhook URL that is malformed, not https (outside development), or whose
    host resolves to a loopback, private, link-local or otherwise non-public address
    (unless settings.WEBHOOK_ALLOW_PRIVATE, for tests and development). Returns it."""
    parts = _parts(url)
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return url
    try:
        addresses = resolve(parts.hostname, _port(parts))
    except Unresolved:
        raise ValidationError(_("The host name does not resolve.")) from None
    if not _permitted(addresses):
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
    """The receiver's Retry-After in seconds (a number or an HTTP date), if sensible."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


class _PinnedAdapter(HTTPAdapter):
    """Connects to the address given in the URL while speaking to ``hostname``: the
    TLS server name and certificate check are for the host, not the address."""

    def __init__(self, hostname: str):
        self.hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        pool_kwargs["server_hostname"] = self.hostname
        pool_kwargs["assert_hostname"] = self.hostname
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)


def _pinned(parts: SplitResult, address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return parts._replace(netloc=f"{host}:{_port(parts)}").geturl()


def send(url: str, signing: list[str], msg_id: str, body: str) -> Outcome:
    """POST one signed delivery to the address checked just before. Follows no
    redirect, reads no answer body, gives each connect and read WEBHOOK_TIMEOUT
    seconds, and says whether trying again could help."""
    try:
        parts = _parts(url)
    except ValidationError as error:
        return Outcome(False, False, None, " ".join(error.messages), None)
    try:
        addresses = resolve(parts.hostname, _port(parts))
    except Unresolved:
        return Outcome(False, True, None, "the host name did not resolve", None)
    if not _permitted(addresses):
        return Outcome(
            False, False, None, "refused: a loopback, private or link-local address", None
        )
    headers = {**signed_headers(signing, msg_id, body), "host": parts.netloc}
    with requests.Session() as session:
        session.trust_env = False  # no proxy or .netrc from the environment
        session.mount(f"{parts.scheme}://", _PinnedAdapter(parts.hostname))
        try:
            response = session.post(
                _pinned(parts, addresses[0]),
                data=body.encode(),
                headers=headers,
                timeout=settings.WEBHOOK_TIMEOUT,
                allow_redirects=False,
                stream=True,  # the answer's body is not wanted
                verify=settings.WEBHOOK_CA_BUNDLE or True,
            )
        except requests.Timeout:
            return Outcome(False, True, None, "timed out", None)
        except requests.RequestException as error:
            return Outcome(False, True, None, f"connection failed: {type(error).__name__}", None)
        response.close()
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(True, False, code, "", None)
    retryable = code == 429 or code >= 500
    # The status code speaks for itself, but for a redirect: say why it was not taken.
    reason = "redirect not followed" if 300 <= code < 400 else ""
    return Outcome(
        False, retryable, code, reason, _retry_after(response.headers.get("Retry-After"))
    )
