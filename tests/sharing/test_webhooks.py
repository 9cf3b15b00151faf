"""Signed webhooks to a real HTTP receiver on 127.0.0.1, checked with the independent
``standardwebhooks`` package, as a receiving state would."""

import datetime
import json
import time

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from portal import crypto
from portal.models import AuditEntry
from sharing import notifications, services, webhooks
from sharing.choices import DeliveryStatus, EventKind
from sharing.models import WebhookDelivery, WebhookEndpoint
from tests.receiver import Answer, Receiver
from tests.sharing.conftest import notice_content

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
            draft = services.create_draft(by=dk_officer, **content)
            return services.publish_notice(draft, by=dk_officer)

    return run


def register(admin, url, kinds=PUBLISHED, **extra):
    return services.create_webhook(by=admin, url=url, event_kinds=kinds, **extra)


def time_passes(django_capture_on_commit_callbacks):
    """Every waiting delivery becomes due, and the sweeper hands it to the task."""
    WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).update(
        next_attempt_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.sweep()


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


def test_retry_after_is_honoured(publish, no_admin):
    with Receiver([Answer(429, headers={"Retry-After": "900"})]) as receiver:
        register(no_admin, receiver.url)
        publish()
        receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert (delivery.next_attempt_at - timezone.now()).total_seconds() > 890


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (Answer(400), "answered 400"),
        (Answer(302, headers={"Location": "http://169.254.169.254/"}), "not followed"),
    ],
)
def test_a_refusal_or_a_redirect_is_not_retried(publish, no_admin, answer, error):
    with Receiver([answer]) as receiver:
        register(no_admin, receiver.url)
        publish()
        receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    assert error in delivery.last_error
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

    new = services.rotate_webhook_secret(stored, by=no_admin)
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
        lambda: services.update_webhook(
            endpoint, by=dk_admin, url="https://x.example.org/", event_kinds=PUBLISHED
        ),
        lambda: services.rotate_webhook_secret(endpoint, by=dk_admin),
        lambda: services.delete_webhook(endpoint, by=dk_admin),
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
        services.create_webhook(by=no_admin, **data)
    assert field in refused.value.message_dict
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEntry.objects.filter(action="webhook.created").exists()
