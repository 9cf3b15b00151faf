"""Signed webhooks to a real HTTP receiver on 127.0.0.1, checked with the independent
``standardwebhooks`` package, as a receiving state would."""

import datetime
import json
import socket
import threading
import time
from collections import defaultdict
from types import SimpleNamespace

import pytest
import requests
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from accounts.choices import Role
from portal import crypto
from portal.models import AuditEntry
from sharing.common.choices import EventKind
from sharing.notices import services as notices
from sharing.notifications import delivery as dispatch
from sharing.notifications import services as notifications
from sharing.notifications import webhooks
from sharing.notifications.choices import DeliveryStatus
from sharing.notifications.models import WebhookDelivery, WebhookEndpoint
from sharing.practices import services as practices
from tests.factories import UserFactory
from tests.personas import persona
from tests.receiver import Answer, Receiver
from tests.sharing.conftest import notice_content, practice_content

pytestmark = pytest.mark.django_db

PUBLISHED = [EventKind.NOTICE_PUBLISHED.value]


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_TIMEOUT = 1
    settings.WEBHOOK_RETRY_DELAYS = [60, 120, 240]


@pytest.fixture
def publish(django_capture_on_commit_callbacks, dk_officer):
    """Denmark publishes to Norway and Finland; the dispatch and first delivery attempt
    run as after a real request."""

    def run(**overrides):
        content = notice_content(
            **{"audience": "selected", "recipient_states": ["NO", "FI"], **overrides}
        )
        with django_capture_on_commit_callbacks(execute=True):
            draft = notices.create(by=dk_officer, **content)
            return notices.publish(draft, by=dk_officer)

    return run


def register(admin, url, kinds=PUBLISHED, **extra):
    return notifications.create_webhook(by=admin, url=url, event_kinds=kinds, **extra)


def time_passes(django_capture_on_commit_callbacks):
    """Every waiting delivery becomes due, and the sweeper hands it to the task."""
    WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).update(
        next_attempt_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.sweep()


def test_500_then_timeout_then_200_is_one_verified_delivery(
    publish, no_admin, no_viewer, django_capture_on_commit_callbacks
):
    script = [Answer(500), Answer(200, delay=3), Answer(200)]
    with Receiver(script) as receiver:
        _endpoint, secret = register(no_admin, receiver.url)
        notice = publish(tlp="amber")

        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            DeliveryStatus.PENDING,
            1,
            500,
        )
        wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
        assert 50 < wait <= 60 * 1.2  # the first wait, with jitter

        time_passes(django_capture_on_commit_callbacks)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == (
            DeliveryStatus.PENDING,
            2,
            "timed out",
        )
        assert (delivery.next_attempt_at - timezone.now()).total_seconds() > 100

        time_passes(django_capture_on_commit_callbacks)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 3)
        time_passes(django_capture_on_commit_callbacks)  # nothing more is due

        posts = receiver.wait_for(3)
    assert len(posts) == 3
    assert receiver.answered.count(200) == 1 and receiver.answered[0] == 500
    assert {post.headers["webhook-id"] for post in posts} == {delivery.message_id}

    last = posts[-1]
    payload = Webhook(secret).verify(last.body, last.headers)
    assert payload["type"] == "notice.published"
    assert payload["id"] == f"evt_{delivery.event_id}"
    assert payload["data"]["reference"] == notice.reference
    assert payload["data"]["tlp"] == "amber"
    assert "body" not in payload["data"] and "summary" not in payload["data"]
    assert notice.body not in last.body and notice.summary not in last.body


def test_the_payload_carries_the_text_up_to_tlp_green(publish, no_admin):
    with Receiver() as receiver:
        _endpoint, secret = register(no_admin, receiver.url)
        notice = publish(tlp="green")
        (post,) = receiver.wait_for(1)
    data = Webhook(secret).verify(post.body, post.headers)["data"]
    assert data["summary"] == notice.summary
    assert data["body"] == notice.body


def test_a_wrong_secret_or_an_old_timestamp_is_rejected_by_the_verifier(publish, no_admin):
    with Receiver() as receiver:
        _endpoint, secret = register(no_admin, receiver.url)
        publish()
        (post,) = receiver.wait_for(1)

    assert Webhook(secret).verify(post.body, post.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(post.body, post.headers)
    tampered = post.body.replace("amber", "clear")
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, post.headers)
    # Replayed an hour later: the timestamp gives it away.
    an_hour_later = time_machine.travel(timezone.now() + datetime.timedelta(hours=1))
    with an_hour_later, pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(post.body, post.headers)
    # Signed correctly, but an hour ago.
    old = webhooks.signed_headers(
        secret, post.headers["webhook-id"], post.body, now=time.time() - 3600
    )
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(post.body, old)


def test_an_endpoint_that_always_fails_ends_dead_and_can_be_retried(
    publish, no_admin, client, django_capture_on_commit_callbacks
):
    with Receiver(default=Answer(503)) as receiver:
        endpoint, _secret = register(no_admin, receiver.url)
        publish()
        for _ in range(3):
            time_passes(django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            DeliveryStatus.DEAD,
            4,
            503,
        )
        time_passes(django_capture_on_commit_callbacks)
        assert len(receiver.received) == 4  # given up: no more attempts

        client.force_login(no_admin)
        page = client.get(endpoint.get_absolute_url())
        assert "Given up" in page.text and "Retry now" in page.text

        receiver.default = Answer(200)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{endpoint.get_absolute_url()}deliveries/{delivery.pk}/retry/")
        assert response.status_code == 302
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SUCCEEDED
        assert len(receiver.received) == 5
    assert AuditEntry.objects.filter(action="webhook.delivery_retried").count() == 1


@pytest.mark.parametrize(
    ("retry_after", "low", "high"),
    [
        ("200", 195, 200),  # honoured: longer than the first wait (60 s)
        ("1e400", 55, 72),  # not a number we can use: the usual wait
        ("99999999999", 235, 240),  # far too long: no longer than the longest wait
        ("Wed, 21 Oct 2099 07:28:00 GMT", 235, 240),
    ],
)
def test_retry_after_is_honoured_within_reason(publish, no_admin, retry_after, low, high):
    with Receiver([Answer(429, headers={"Retry-After": retry_after})]) as receiver:
        register(no_admin, receiver.url)
        publish()
        receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 429)
    assert low < (delivery.next_attempt_at - timezone.now()).total_seconds() <= high


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (Answer(400), ""),
        (Answer(302, headers={"Location": "http://169.254.169.254/"}), "redirect not followed"),
    ],
)
def test_a_refusal_or_a_redirect_is_not_retried(publish, no_admin, answer, error):
    with Receiver([answer]) as receiver:
        register(no_admin, receiver.url)
        publish()
        receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert (delivery.last_status_code, delivery.last_error) == (answer.status, error)
    assert len(receiver.received) == 1


def test_only_the_states_told_get_deliveries_and_only_the_kinds_they_chose(
    publish, no_admin, jp_admin, django_capture_on_commit_callbacks, no_viewer
):
    with Receiver() as receiver:
        register(no_admin, receiver.url + "/no")
        register(no_admin, receiver.url + "/no-comments", kinds=["notice.commented"])
        register(jp_admin, receiver.url + "/jp")  # Japan is not in the audience
        paused, _ = register(no_admin, receiver.url + "/paused", active=False)
        publish()
        (post,) = receiver.wait_for(1)
    assert post.path.endswith("/no")
    assert WebhookDelivery.objects.count() == 1
    assert paused.deliveries.count() == 0


def test_a_slow_endpoint_does_not_hold_back_another(publish, no_admin, settings):
    settings.WEBHOOK_TIMEOUT = 2
    with Receiver(default=Answer(200, delay=5)) as slow, Receiver() as fast:
        register(no_admin, slow.url)
        register(no_admin, fast.url)
        started = time.monotonic()
        publish()
        fast.wait_for(1)
    # Eagerly, in one process, they run one after the other; the slow one is cut off at
    # its timeout rather than holding the rest for as long as it likes.
    assert time.monotonic() - started < 2 + 3
    statuses = sorted(WebhookDelivery.objects.values_list("status", flat=True))
    assert statuses == [DeliveryStatus.PENDING, DeliveryStatus.SUCCEEDED]


# --- Where webhooks may go ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_production_refuses_loopback_private_and_link_local_addresses(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(ValidationError, match="loopback, private or link-local"):
        webhooks.check_url(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://93.184.216.34/hook", "https:// addresses only"),
        ("https://user:pw@93.184.216.34/hook", "no user name"),
        ("ftp://93.184.216.34/", "starting with https://"),
        ("not a url", "starting with https://"),
    ],
)
def test_production_refuses_plain_http_and_odd_addresses(settings, url, message):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(ValidationError, match=message):
        webhooks.check_url(url)
    assert webhooks.check_url("https://93.184.216.34/hook") == "https://93.184.216.34/hook"


def test_an_address_that_turned_private_since_registration_is_not_posted_to(
    publish, no_admin, settings
):
    with Receiver() as receiver:
        register(no_admin, receiver.url)  # allowed in development
        settings.WEBHOOK_ALLOW_PRIVATE = False  # now production rules apply at send time
        publish()
        time.sleep(0.2)
        assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert "private" in delivery.last_error


# --- Managing endpoints -------------------------------------------------------------------


def test_the_secret_is_shown_once_and_kept_encrypted(no_admin):
    _endpoint, secret = register(no_admin, "https://hooks.example.org/echri")
    assert secret.startswith("whsec_")
    stored = WebhookEndpoint.objects.get()
    assert secret not in stored.encrypted_secret
    assert crypto.decrypt(stored.encrypted_secret, purpose="webhook") == secret

    new = notifications.rotate_webhook_secret(stored, by=no_admin)
    stored.refresh_from_db()
    assert new != secret and stored.secret == new
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "details"))
    assert actions[-2][0] == "webhook.created"
    assert actions[-2][1]["host"] == "hooks.example.org"
    assert actions[-1][0] == "webhook.secret_rotated"
    assert secret not in json.dumps(actions) and new not in json.dumps(actions)


def test_only_a_states_admins_manage_its_webhooks(no_admin, no_officer, dk_admin):
    with pytest.raises(PermissionDenied):
        register(no_officer, "https://hooks.example.org/echri")
    endpoint, _ = register(no_admin, "https://hooks.example.org/echri")
    for attempt in (
        lambda: notifications.update_webhook(
            endpoint, by=dk_admin, url="https://x.example.org/", event_kinds=PUBLISHED
        ),
        lambda: notifications.rotate_webhook_secret(endpoint, by=dk_admin),
        lambda: notifications.delete_webhook(endpoint, by=dk_admin),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert WebhookEndpoint.objects.get().url == "https://hooks.example.org/echri"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"url": "", "event_kinds": PUBLISHED}, "url"),
        ({"url": "https://ok.example.org/", "event_kinds": []}, "event_kinds"),
        ({"url": "https://ok.example.org/", "event_kinds": ["notice.corrected"]}, "event_kinds"),
        ({"url": "https://ok.example.org/", "event_kinds": ["nope"]}, "event_kinds"),
        ({"url": "https://ok.example.org/\x00", "event_kinds": PUBLISHED}, "url"),
        ({"url": "https://ok.example.org/", "event_kinds": PUBLISHED, "active": "yes"}, "active"),
    ],
)
def test_bad_endpoint_settings_are_refused_and_change_nothing(no_admin, data, field):
    with pytest.raises(ValidationError) as refused:
        notifications.create_webhook(by=no_admin, **data)
    assert field in refused.value.message_dict
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEntry.objects.filter(action="webhook.created").exists()


# --- What the review of the first version found -------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://100.64.0.1/hook",  # carrier-grade NAT
        "https://100.100.100.200/latest/meta-data",  # a cloud metadata address in it
        "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
        "https://[2002:7f00:1::]/hook",  # 6to4 wrapping 127.0.0.1
        "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hook",  # Teredo wrapping 10.0.0.1
        "https://198.18.0.1/hook",  # benchmarking network
        "https://224.0.0.1/hook",  # multicast
    ],
)
def test_addresses_hidden_inside_other_forms_are_refused_too(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError):
        webhooks.check_url(url)


# An IPv6 address can carry an IPv4 address that the request then in effect goes to, by
# way of the host's own network stack or a translator on the path (NAT64, 6to4, Teredo).
CARRYING_A_NON_PUBLIC_IPV4 = [
    "::7f00:1",  # IPv4-compatible: 127.0.0.1
    "::ffff:0:7f00:1",  # IPv4-translated (RFC 2765): 127.0.0.1
    "::ffff:0:a9fe:a9fe",  # IPv4-translated: 169.254.169.254, the cloud metadata address
    "64:ff9b::7f00:1",  # NAT64 well-known prefix (RFC 6052): 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 well-known prefix: 169.254.169.254
    "64:ff9b::e000:1",  # NAT64 well-known prefix: 224.0.0.1, multicast
    "64:ff9b:1::a00:1",  # NAT64 local-use prefix (RFC 8215): 10.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4: 169.254.169.254
    "2001:0:a00:1:8000:63bf:f7f7:f7f7",  # Teredo: server 10.0.0.1, client 8.8.8.8
    "2001:0:808:808:8000:63bf:f5ff:fffe",  # Teredo: server 8.8.8.8, client 10.0.0.1
    # ISATAP (RFC 5214): the last 64 bits are 0000:5efe or 0200:5efe and an IPv4
    # address, which the ISATAP router that the prefix leads to sends the packet on to.
    "2a00:1450:4001:81c::5efe:a00:1",  # 10.0.0.1
    "2a00:1450:4001:81c:200:5efe:a9fe:a9fe",  # 169.254.169.254
    # The NAT64 local-use prefix is a /48 within which a network chooses its own prefix
    # of 48, 56, 64 or 96 bits, and with it where the IPv4 address sits (RFC 6052,
    # section 2.2). Each of these carries 8.8.8.8 if the prefix is a /96, but a
    # non-public address if it is as long as noted.
    "64:ff9b:1:a00:0:100:808:808",  # as a /48: 10.0.0.1 (as a /56: 0.0.1.0)
    "64:ff9b:1:ac10:8:808:808:808",  # as a /48: 172.16.8.8 (the others 16.8.8.8, 8.8.8.8)
    "64:ff9b:1:8c0:a8:101:808:808",  # as a /56: 192.168.1.1
    "64:ff9b:1:808:a:0:108:808",  # as a /64: 10.0.0.1
]
NON_PUBLIC_IPV6 = [
    "::",  # unspecified
    "fd00::1",  # unique local
    "fec0::1",  # site-local: deprecated, but still routed inside some networks
    "ff0e::1",  # multicast, even of global scope
    # An ISATAP identifier with a public IPv4 address does not make a prefix public:
    # the ISATAP router is reached through the prefix.
    "fd00::5efe:808:808",
    "fe80::200:5efe:808:808",
]
PUBLIC = [
    "64:ff9b::808:808",  # NAT64 well-known prefix: 8.8.8.8
    "64:ff9b:1:808:8:808:808:808",  # NAT64 local-use prefix: 8.8.8.8 in every layout
    "2a00:1450:4001:81c:0:5efe:808:808",  # ISATAP: 8.8.8.8 behind a public prefix
    "2606:4700:4700::1111",
    "93.184.216.34",
]


def _literal(address: str) -> str:
    return f"https://[{address}]/hook" if ":" in address else f"https://{address}/hook"


@pytest.fixture
def network(settings, monkeypatch):
    """Production rules, and a stand-in for the network: "hooks.example.org" resolves
    (through the real ``resolve``) to ``network.address``, and a request is recorded in
    ``network.posted`` rather than made."""
    settings.WEBHOOK_ALLOW_PRIVATE = False
    fake = SimpleNamespace(address="93.184.216.34", posted=[])
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "hooks.example.org":
            return real_getaddrinfo(host, port, *args, **kwargs)
        if ":" in fake.address:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (fake.address, port, 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (fake.address, port))]

    def post(session, url, **kwargs):
        fake.posted.append(url)
        return SimpleNamespace(status_code=204, headers={}, close=lambda: None)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(requests.Session, "post", post)
    return fake


def _send(url: str) -> webhooks.Outcome:
    return webhooks.send(url, [webhooks.new_secret()], "msg_test", "{}")


@pytest.mark.parametrize("address", CARRYING_A_NON_PUBLIC_IPV4 + NON_PUBLIC_IPV6)
def test_ipv6_forms_of_non_public_addresses_are_refused_at_registration(settings, address):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError, match="loopback, private or link-local"):
        webhooks.check_url(_literal(address))


@pytest.mark.parametrize("address", CARRYING_A_NON_PUBLIC_IPV4 + NON_PUBLIC_IPV6)
def test_a_name_resolving_to_an_ipv6_form_of_a_non_public_address_is_refused_at_delivery(
    network, address
):
    network.address = address
    with pytest.raises(ValidationError, match="loopback, private or link-local"):
        webhooks.check_url("https://hooks.example.org/echri")
    for url in ("https://hooks.example.org/echri", _literal(address)):
        outcome = _send(url)
        assert (outcome.delivered, outcome.retryable, outcome.error) == (
            False,
            False,
            "refused: a loopback, private or link-local address",
        )
    assert network.posted == []


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_stay_allowed_in_whatever_form(network, address):
    network.address = address
    for url in ("https://hooks.example.org/echri", _literal(address)):
        assert webhooks.check_url(url) == url
        assert _send(url).delivered
    pinned = f"[{address}]:443" if ":" in address else f"{address}:443"
    assert network.posted == [f"https://{pinned}/echri", f"https://{pinned}/hook"]


@pytest.mark.parametrize("allow_private", [True, False])
def test_port_0_is_refused_with_a_message_at_registration_and_at_delivery(
    network, settings, client, no_admin, allow_private
):
    settings.WEBHOOK_ALLOW_PRIVATE = allow_private
    url = "https://hooks.example.org:0/echri"
    with pytest.raises(ValidationError, match="port from 1 to 65535"):
        webhooks.check_url(url)
    outcome = _send(url)
    assert (outcome.delivered, outcome.retryable) == (False, False)
    assert "port from 1 to 65535" in outcome.error
    assert network.posted == []

    client.force_login(no_admin)
    response = client.post("/accounts/state/webhooks/new/", {"url": url, "event_kinds": PUBLISHED})
    assert response.status_code == 400
    assert "port from 1 to 65535" in response.text
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url", ["https://[::1", "https://example.org:abc/", "https://example.org:99999/", "https://"]
)
@pytest.mark.parametrize("allow_private", [True, False])
def test_malformed_addresses_are_refused_with_a_message_not_an_error(
    client, no_admin, settings, url, allow_private
):
    settings.WEBHOOK_ALLOW_PRIVATE = allow_private
    client.force_login(no_admin)
    response = client.post("/accounts/state/webhooks/new/", {"url": url, "event_kinds": PUBLISHED})
    assert response.status_code == 400
    assert "Give a full address" in response.text
    assert not WebhookEndpoint.objects.exists()


def test_the_request_goes_to_the_address_that_was_checked(publish, no_admin, monkeypatch):
    """The host name is resolved once per attempt, checked, and that very address is
    connected to: "hooks.test" exists for the portal's resolver only, so a second
    resolution (by the HTTP library) would fail."""
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        monkeypatch.setattr(
            webhooks, "resolve", lambda host, port: ["127.0.0.1"] if host == "hooks.test" else []
        )
        _endpoint, secret = register(no_admin, f"http://hooks.test:{port}/echri")
        publish()
        (post,) = receiver.wait_for(1)
    assert post.headers["host"] == f"hooks.test:{port}"
    assert Webhook(secret).verify(post.body, post.headers)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_a_host_that_resolves_to_a_private_address_at_send_time_is_not_posted_to(
    publish, no_admin, settings, monkeypatch
):
    register(no_admin, "https://hooks.example.org/echri")
    settings.WEBHOOK_ALLOW_PRIVATE = False
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["93.184.216.34", "10.0.0.7"])
    publish()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert "private" in delivery.last_error


def test_a_name_that_does_not_resolve_for_now_is_tried_again(publish, no_admin, monkeypatch):
    register(no_admin, "https://hooks.example.org/echri")

    def fail(host, port):
        raise webhooks.Unresolved(host)

    monkeypatch.setattr(webhooks, "resolve", fail)
    publish()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == (
        DeliveryStatus.PENDING,
        "the host name did not resolve",
    )


def test_an_error_inside_the_portal_never_leaves_a_delivery_claimed(publish, no_admin):
    endpoint, _ = register(no_admin, "https://hooks.example.org/echri")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(encrypted_secret="not a token")
    publish()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert "make a new one" in delivery.last_error
    assert delivery.claimed_until is None


@pytest.mark.django_db(transaction=True)
def test_only_the_holder_of_the_claim_writes_the_outcome(publish, no_admin, settings):
    """A worker whose request outlasted its claim (another took the delivery over
    meanwhile) writes nothing when it finally gets its answer."""
    settings.WEBHOOK_TIMEOUT = 5
    with Receiver([Answer(500), Answer(200, delay=1.5)]) as receiver:
        register(no_admin, receiver.url)
        publish()  # the first attempt fails
        delivery = WebhookDelivery.objects.get()
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        slow = threading.Thread(target=dispatch.deliver, args=(delivery.pk,))
        slow.start()
        receiver.wait_for(2)  # the slow attempt is under way
        taken_over = timezone.now() + datetime.timedelta(minutes=30)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=taken_over)
        slow.join(timeout=10)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.claimed_until) == (DeliveryStatus.SENDING, taken_over)
    assert delivery.delivered_at is None


def test_each_endpoint_gets_one_delivery_at_a_time_in_order(
    publish, no_admin, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        endpoint, _ = register(no_admin, receiver.url)
        first_notice = publish(title="First")
        first = WebhookDelivery.objects.get()
        # The first is in flight (claimed by a worker) when the second comes.
        lease = timezone.now() + datetime.timedelta(minutes=5)
        WebhookDelivery.objects.filter(pk=first.pk).update(
            status=DeliveryStatus.SENDING, claimed_until=lease
        )
        publish(title="Second")
        second = WebhookDelivery.objects.exclude(pk=first.pk).get()
        assert dispatch.deliver(second.pk) is None  # the endpoint is busy
        second.refresh_from_db()
        assert second.status == DeliveryStatus.PENDING

        # When the first is done, it hands on to the second.
        WebhookDelivery.objects.filter(pk=first.pk).update(status=DeliveryStatus.SUCCEEDED)
        with django_capture_on_commit_callbacks(execute=True):
            dispatch._hand_on(endpoint.pk)
        receiver.wait_for(2)
    second.refresh_from_db()
    assert second.status == DeliveryStatus.SUCCEEDED
    titles = [json.loads(post.body)["data"]["title"] for post in receiver.received]
    assert titles == ["First", "Second"]
    assert first_notice.title == "First"


def test_a_paused_endpoint_keeps_its_deliveries_until_it_is_active_again(
    publish, no_admin, django_capture_on_commit_callbacks
):
    with Receiver(default=Answer(503)) as receiver:
        endpoint, _ = register(no_admin, receiver.url)
        publish()  # first attempt fails: waiting for a retry
        notifications.update_webhook(
            endpoint, by=no_admin, url=receiver.url, event_kinds=PUBLISHED, active=False
        )
        receiver.default = Answer(200)
        time_passes(django_capture_on_commit_callbacks)
        assert len(receiver.received) == 1
        assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING

        notifications.update_webhook(
            endpoint, by=no_admin, url=receiver.url, event_kinds=PUBLISHED, active=True
        )
        time_passes(django_capture_on_commit_callbacks)
        receiver.wait_for(2)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_after_a_rotation_deliveries_verify_with_the_old_secret_for_a_while(
    publish, no_admin, settings
):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 24
    with Receiver() as receiver:
        endpoint, old = register(no_admin, receiver.url)
        new = notifications.rotate_webhook_secret(endpoint, by=no_admin)
        publish(title="During the overlap")
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=25), tick=True):
            publish(title="After it")
        receiver.wait_for(2)
    during, after = receiver.received
    assert Webhook(old).verify(during.body, during.headers)
    assert Webhook(new).verify(during.body, during.headers)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25), tick=True):
        assert Webhook(new).verify(after.body, after.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(after.body, after.headers)


def test_after_a_rotation_for_a_leak_the_old_secret_signs_nothing_more(
    publish, no_admin, django_capture_on_commit_callbacks
):
    with Receiver([Answer(500)]) as receiver:
        endpoint, old = register(no_admin, receiver.url)
        publish()  # the first attempt fails, signed with the old secret
        new = notifications.rotate_webhook_secret(endpoint, by=no_admin, keep_old=False)
        time_passes(django_capture_on_commit_callbacks)  # the retry, after the rotation
        before, after = receiver.wait_for(2)
    assert Webhook(old).verify(before.body, before.headers)
    assert Webhook(new).verify(after.body, after.headers)
    assert len(after.headers["webhook-signature"].split()) == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_a_state_without_active_users_still_gets_its_webhooks(publish, jp_admin, seeded_states):
    with Receiver() as receiver:
        register(jp_admin, receiver.url)
        jp_admin.is_active = False
        jp_admin.save()
        publish(audience="community", recipient_states=[])
        (post,) = receiver.wait_for(1)
    assert json.loads(post.body)["type"] == "notice.published"


def test_a_withdrawal_reaches_every_system_told_before_even_of_a_state_without_users(
    publish, jp_admin, no_admin, dk_officer, django_capture_on_commit_callbacks
):
    """Whom a withdrawal is told to follows what was told before, not who was notified:
    Japan's system had the publication though Japan has no active user."""
    kinds = [EventKind.NOTICE_PUBLISHED.value, EventKind.NOTICE_WITHDRAWN.value]
    with Receiver() as receiver:
        register(jp_admin, receiver.url + "/jp", kinds=kinds)
        register(no_admin, receiver.url + "/no", kinds=kinds)
        jp_admin.is_active = False
        jp_admin.save()
        notice = publish(audience="community", recipient_states=[])
        with django_capture_on_commit_callbacks(execute=True):
            notices.withdraw(notice, by=dk_officer, reason="Wrong company.")
        receiver.wait_for(4)
    assert told(receiver) == {"notice.published": ["JP", "NO"], "notice.withdrawn": ["JP", "NO"]}


def told(receiver) -> dict:
    """Which states' systems got which events: {event type: [state codes]}, from the
    receiver's paths (one endpoint per state, at /<code>)."""
    got = defaultdict(list)
    for post in receiver.received:
        got[json.loads(post.body)["type"]].append(post.path.rsplit("/", 1)[-1].upper())
    return {kind: sorted(codes) for kind, codes in got.items()}


@pytest.fixture
def every_kind(seeded_states):
    """register(receiver, *codes): an endpoint taking every kind of event for each of
    these states, at <receiver>/<code>."""

    def register_all(receiver, *codes):
        for code in codes:
            admin = UserFactory(
                username=f"{code.lower()}-hooks", state_id=code, role=Role.STATE_ADMIN
            )
            register(admin, f"{receiver.url}/{code.lower()}", kinds=notifications.WEBHOOK_KINDS)

    return register_all


def test_each_kind_of_notice_event_reaches_the_systems_of_the_states_it_concerns(
    publish, every_kind, dk_officer, no_officer, django_capture_on_commit_callbacks
):
    fi_officer = persona("fi-officer")
    with Receiver() as receiver:
        every_kind(receiver, "DK", "NO", "FI", "FR")
        notice = publish()  # to Norway and Finland
        with django_capture_on_commit_callbacks(execute=True):
            notices.acknowledge(notice, by=fi_officer)
        with django_capture_on_commit_callbacks(execute=True):
            notices.comment(notice, by=no_officer, body="We saw them too.")
        with django_capture_on_commit_callbacks(execute=True):
            notices.withdraw(notice, by=dk_officer, reason="Wrong company.")
        receiver.wait_for(9)
    assert told(receiver) == {
        "notice.published": ["FI", "NO"],  # the audience
        "notice.acknowledged": ["DK"],  # the author
        "notice.commented": ["DK", "FI", "NO"],  # the author and the states taking part
        "notice.withdrawn": ["DK", "FI", "NO"],  # every state told of it before
    }
    assert WebhookDelivery.objects.exclude(status=DeliveryStatus.SUCCEEDED).count() == 0


def test_each_kind_of_best_practice_event_reaches_the_systems_of_the_states_it_concerns(
    every_kind, no_officer, dk_admin, observer_state, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        every_kind(receiver, "NO", "FI", "DK", "CL")
        with django_capture_on_commit_callbacks(execute=True):
            draft = practices.create(by=no_officer, **practice_content(co_authors=["FI"]))
            practice = practices.publish(draft, by=no_officer)
        with django_capture_on_commit_callbacks(execute=True):
            practices.amend(
                practice,
                by=no_officer,
                change_note="Now for observers too.",
                material=True,
                **practice_content(co_authors=["FI"], audience="community"),
            )
        with django_capture_on_commit_callbacks(execute=True):
            practices.endorse(practice, by=dk_admin, kind="adopted")
        receiver.wait_for(5)
    assert told(receiver) == {
        # The audience (subscribing states, then the community), never the authors.
        "best_practice.published": ["DK"],
        "best_practice.amended": ["CL", "DK"],
        "best_practice.endorsed": ["FI", "NO"],  # the authors
    }


def test_the_log_does_not_name_items_the_state_can_no_longer_read(
    publish, no_admin, dk_officer, client, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        endpoint, _ = register(no_admin, receiver.url, kinds=PUBLISHED)
        notice = publish(title="Soon out of reach")
        receiver.wait_for(1)
    client.force_login(no_admin)
    assert notice.reference in client.get(endpoint.get_absolute_url()).text
    with django_capture_on_commit_callbacks(execute=True):
        notices.amend(
            notice,
            by=dk_officer,
            change_note="Finland only.",
            material=True,
            **notice_content(audience="selected", recipient_states=["FI"]),
        )
    page = client.get(endpoint.get_absolute_url()).text
    assert notice.reference not in page
    assert "an item your state can no longer read" in page


def _certificates(tmp_path, name: str):
    """A CA of its own, as a state's internal PKI, and a certificate it issued to ``name``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def subject(common_name):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(subject("Test state CA"))
        .issuer_name(subject("Test state CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(subject(name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = {part: tmp_path / f"{part}.pem" for part in ("ca", "cert", "key")}
    paths["ca"].write_bytes(ca.public_bytes(pem))
    paths["cert"].write_bytes(leaf.public_bytes(pem))
    paths["key"].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@pytest.mark.parametrize(("issued_to", "delivered"), [("hooks.test", True), ("other.test", False)])
def test_https_is_checked_against_the_host_name_though_the_address_is_pinned(
    publish, no_admin, settings, monkeypatch, tmp_path, issued_to, delivered
):
    paths = _certificates(tmp_path, issued_to)
    settings.WEBHOOK_CA_BUNDLE = str(paths["ca"])
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["127.0.0.1"])
    with Receiver(tls=(str(paths["cert"]), str(paths["key"]))) as receiver:
        port = receiver.server.server_address[1]
        register(no_admin, f"https://hooks.test:{port}/echri")
        publish()
        time.sleep(0.2)
        received = list(receiver.received)
    delivery = WebhookDelivery.objects.get()
    if delivered:
        assert delivery.status == DeliveryStatus.SUCCEEDED
        assert received[0].headers["host"] == f"hooks.test:{port}"
    else:  # a certificate for another name: refused before anything is sent
        assert (delivery.status, delivery.last_error) == (
            DeliveryStatus.PENDING,
            "connection failed: SSLError",
        )
        assert received == []
