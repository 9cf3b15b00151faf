"""/admin/status/: what the platform staff watch (queues, the outbox, e-mail, webhooks, the
sweeper, the database), in counts only, in a fixed number of queries, and for nobody
else (404)."""

import datetime
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone

from portal import status
from portal.models import Heartbeat
from sharing.common.choices import EventKind
from sharing.common.models import Event
from sharing.notices import services as notices
from sharing.notifications import tasks
from sharing.notifications.choices import DeliveryStatus, EmailStatus
from sharing.notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from tests.conftest import require_or_skip
from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db

TOKEN = "st-" + "Zq8#nL2vR7pX!k4m" * 3
TITLE = notice_content()["title"]


@pytest.fixture
def backlog(dk_officer, no_viewer, no_admin, fr_viewer):
    """A published notice (its event still undispatched: on_commit does not run here),
    and e-mails and webhook deliveries in every state, ``backlog(n)`` of each."""

    def make(n: int = 1):
        draft = notices.create(by=dk_officer, **notice_content(audience="subscribing"))
        notice = notices.publish(draft, by=dk_officer)
        long_ago = timezone.now() - datetime.timedelta(hours=1)
        endpoint = WebhookEndpoint(
            state_id="NO",
            created_by=no_admin,
            url="https://hooks.example.org/echri",
            event_kinds=[EventKind.NOTICE_PUBLISHED],
        )
        endpoint.secret = "whsec_" + "A" * 32
        endpoint.save()
        for _ in range(n):
            event = Event.objects.create(
                kind=EventKind.NOTICE_PUBLISHED, notice=notice, created_at=long_ago
            )
            for user, email_status in [
                (no_viewer, EmailStatus.PENDING),
                (no_admin, EmailStatus.FAILED),
                (fr_viewer, EmailStatus.DIGEST),
            ]:
                Notification.objects.create(
                    event=event,
                    user=user,
                    kind=event.kind,
                    notice=notice,
                    created_at=long_ago,
                    email_status=email_status,
                )
            for delivery_status in (DeliveryStatus.PENDING, DeliveryStatus.DEAD):
                WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    event=event,
                    status=delivery_status,
                    next_attempt_at=long_ago,
                )
                endpoint.pk, endpoint._state.adding = None, True  # one delivery per endpoint
                endpoint.save()
        return notice

    return make


@pytest.fixture
def broker_down(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    settings.BEAT_LOCK_URL = settings.CELERY_BROKER_URL


# --- Who may see it --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/status/", "/admin/status.json"])
def test_anonymous_visitors_and_state_users_get_404(client, dk_admin, path):
    assert client.get(path).status_code == 404
    client.force_login(dk_admin)
    assert client.get(path).status_code == 404


def test_a_monitoring_system_reads_the_json_with_the_status_token(client, settings):
    settings.STATUS_TOKEN = TOKEN
    response = client.get("/admin/status.json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.json()["database"]["reachable"] is True
    wrong = client.get("/admin/status.json", headers={"Authorization": f"Bearer {TOKEN}x"})
    assert wrong.status_code == 404
    # The token opens the JSON only, not the page.
    page = client.get("/admin/status/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert page.status_code == 404


def test_without_a_status_token_configured_no_bearer_opens_it(client, settings):
    settings.STATUS_TOKEN = ""
    response = client.get("/admin/status.json", headers={"Authorization": "Bearer "})
    assert response.status_code == 404


# --- What it counts ----------------------------------------------------------------------------


def test_it_counts_what_waits_and_what_failed_and_never_shows_content(staff_client, backlog):
    backlog(2)
    data = staff_client.get("/admin/status.json").json()
    assert data["events"]["undispatched"] == 3  # two old ones, and the publication's own
    assert data["events"]["overdue"] == 2
    assert data["events"]["oldest_age_seconds"] >= 3600
    assert data["emails"]["to_send"] == 2
    assert data["emails"]["waiting_for_digest"] == 2
    assert data["emails"]["failed"] == 2
    assert data["emails"]["oldest_to_send_age_seconds"] >= 3600
    assert data["webhooks"]["waiting"] == 2 and data["webhooks"]["due"] == 2
    assert data["webhooks"]["dead"] == 2
    assert {"events_overdue", "emails_stuck"} <= set(data["problems"])
    assert data["status"] == "attention"
    page = staff_client.get("/admin/status/")
    content = page.content.decode()
    assert page.status_code == 200
    assert "2 events have waited more than 30 seconds to be dispatched." in content
    for shown in (data, content):
        assert TITLE not in str(shown)
        assert "Nimbus" not in str(shown)  # the notice's entity of concern


def test_account_emails_waiting_and_given_up_are_counted_and_can_be_stuck(staff_client):
    from portal.models import OutgoingEmail

    old = timezone.now() - datetime.timedelta(hours=1)
    for status_ in ("pending", "sending", "failed", "sent"):
        OutgoingEmail.objects.create(
            to=["x@example.org"], subject="s", body="b", status=status_, created_at=old
        )
    data = staff_client.get("/admin/status.json").json()
    assert (data["emails"]["account_to_send"], data["emails"]["account_failed"]) == (2, 1)
    assert data["emails"]["oldest_to_send_age_seconds"] >= 3600
    assert "emails_stuck" in data["problems"]


def test_when_all_is_well_it_says_so(staff_client):
    tasks.sweep.delay()
    data = staff_client.get("/admin/status.json").json()
    assert data["problems"] == [] and data["status"] == "ok"
    assert "Everything flows" in staff_client.get("/admin/status/").content.decode()


def test_the_sweeper_records_its_runs_and_a_stale_one_shows(staff_client, broker_down):
    assert staff_client.get("/admin/status.json").json()["sweep"]["last_run"] is None
    tasks.sweep.apply()
    run = Heartbeat.objects.get(name="sweep")
    assert run.details == {"events": 0, "emails": 0, "deliveries": 0}
    fresh = staff_client.get("/admin/status.json").json()
    assert fresh["sweep"]["age_seconds"] < 5
    assert "sweep_stale" not in fresh["problems"]
    Heartbeat.objects.update(at=timezone.now() - datetime.timedelta(minutes=10))
    stale = staff_client.get("/admin/status.json").json()
    assert "sweep_stale" in stale["problems"]
    assert "The sweeper has not run lately" in staff_client.get("/admin/status/").content.decode()


def test_a_broker_that_does_not_answer_shows(staff_client, broker_down):
    data = staff_client.get("/admin/status.json").json()
    assert data["broker"] == {
        "kind": "redis",
        "reachable": False,
        "queues": None,
        "unacked": None,
        "beat": None,
    }
    assert "broker" in data["problems"]


def test_queue_lengths_come_from_redis(staff_client, settings):
    url = django_settings.CELERY_BROKER_URL
    if django_settings.CELERY_TASK_ALWAYS_EAGER or not url.startswith("redis"):
        require_or_skip("no Redis configured (set REDIS_URL)")
    from kombu import Exchange, Queue

    prefix = f"test-status-{uuid.uuid4().hex[:6]}"
    names = [f"{prefix}-events", f"{prefix}-email"]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_QUEUES = [Queue(n, Exchange(n), routing_key=n) for n in names]
    settings.BEAT_LOCK_URL = url
    settings.BEAT_LOCK_KEY = f"{prefix}-lock"
    client = redis.Redis.from_url(url)
    try:
        client.rpush(names[0], "m1", "m2", "m3")
        client.rpush(names[0] + "\x06\x169", "urgent")  # kombu's key for priority 9
        client.set(settings.BEAT_LOCK_KEY, "beat-host:123:abcd")
        data = staff_client.get("/admin/status.json").json()
    finally:
        client.delete(names[0], names[0] + "\x06\x169", settings.BEAT_LOCK_KEY)
    assert data["broker"]["reachable"] is True
    assert data["broker"]["queues"] == {names[0]: 4, names[1]: 0}
    assert data["broker"]["beat"] == "beat-host:123:abcd"


@pytest.mark.parametrize("size", [1, 8])
def test_the_page_runs_a_fixed_number_of_queries(
    staff_client, backlog, size, django_assert_num_queries
):
    backlog(size)
    tasks.sweep.delay()
    # session, user; SELECT 1; events; e-mails waiting, failed; account e-mails;
    # deliveries waiting, dead; the sweeper's heartbeat
    with django_assert_num_queries(10):
        page = staff_client.get("/admin/status/")
    assert page.status_code == 200
    with django_assert_num_queries(10):
        staff_client.get("/admin/status.json")


def test_record_run_keeps_one_row_per_job():
    earlier = timezone.now() - datetime.timedelta(minutes=1)
    status.record_run("sweep", {"events": 1}, at=earlier)
    status.record_run("sweep", {"events": 2})
    run = Heartbeat.objects.get()
    assert run.details == {"events": 2} and run.at > earlier
