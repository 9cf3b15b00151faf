"""The whole notification flow through Redis and a real Celery worker on PostgreSQL:
nothing lost or doubled when the broker is down at publication or a worker dies in the
middle of a dispatch."""

import email
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.urls import reverse
from standardwebhooks import Webhook

from accounts.choices import Role
from portal.celery import app as celery_app
from sharing import notifications, services, tasks
from sharing.models import Event, Notification
from tests.conftest import ROOT, _test_database_url
from tests.factories import UserFactory
from tests.receiver import Receiver
from tests.sharing.conftest import notice_content

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TO_NORWAY_AND_FINLAND = {"audience": "selected", "recipient_states": ["NO", "FI"]}


@pytest.fixture
def people(seeded_states, dk_officer):
    run = uuid.uuid4().hex[:8]

    def user(name, state, role=Role.VIEWER, **extra):
        return UserFactory(
            username=name,
            email=f"{name}.{run}@{state.lower()}.example",  # the worker's mail folder is shared
            state_id=state,
            role=role,
            **extra,
        )

    return {
        "dk_officer": dk_officer,
        "dk_admin": user("dk-admin", "DK", Role.STATE_ADMIN),
        "dk_viewer": user("dk-viewer", "DK"),
        "no_admin": user("no-admin", "NO", Role.STATE_ADMIN),
        "no_officer": user("no-officer", "NO", Role.OFFICER),
        "no_viewer": user("no-viewer", "NO"),
        "no_gone": user("no-gone", "NO", is_active=False),
        "fi_officer": user("fi-officer", "FI", Role.OFFICER),
        "fi_viewer": user("fi-viewer", "FI"),
        "fr_viewer": user("fr-viewer", "FR"),
    }


RECIPIENTS = ["fi-officer", "fi-viewer", "no-admin", "no-officer", "no-viewer"]


def wait_until(condition, timeout=20, interval=0.1, what="the worker"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"{what} did not finish in {timeout}s")


def notified():
    return sorted(Notification.objects.values_list("user__username", flat=True))


def mails_to(worker, address) -> list:
    """The messages the worker wrote to the file backend for ``address``."""
    found = []
    for path in worker.mail_dir.iterdir():
        for chunk in path.read_text().split("-" * 79):
            if not chunk.strip():
                continue
            message = email.message_from_string(chunk.strip())
            if message["To"] == address:
                found.append(message)
    return found


def all_sent(worker, people, names):
    return all(mails_to(worker, people[name].email) for name in names)


def test_a_publication_reaches_inboxes_e_mail_and_webhooks_through_the_worker(
    celery_worker, people
):
    services.set_email_preference(by=people["no_viewer"], mode="off")
    services.set_email_preference(by=people["fi_viewer"], mode="daily")
    with Receiver() as receiver:
        _endpoint, secret = services.create_webhook(
            by=people["no_admin"], url=receiver.url, event_kinds=["notice.published"]
        )
        draft = services.create_draft(
            by=people["dk_officer"], **notice_content(tlp="green", **TO_NORWAY_AND_FINLAND)
        )
        notice = services.publish_notice(draft, by=people["dk_officer"])

        (post,) = receiver.wait_for(1, timeout=30)
        wait_until(
            lambda: all_sent(celery_worker, people, ["no_admin", "no_officer", "fi_officer"]),
            what="the e-mails",
        )

    assert notified() == RECIPIENTS
    assert Event.objects.get(notice=notice).dispatched_at is not None
    payload = Webhook(secret).verify(post.body, post.headers)
    assert payload["type"] == "notice.published"
    assert payload["data"]["reference"] == notice.reference
    for name in ("no_admin", "no_officer", "fi_officer"):
        (message,) = mails_to(celery_worker, people[name].email)
        assert "TLP:GREEN" in message["Subject"], name
        assert message.is_multipart()
    for name in ("no_viewer", "fi_viewer", "dk_admin", "dk_viewer", "fr_viewer", "no_gone"):
        assert mails_to(celery_worker, people[name].email) == [], name
    time.sleep(0.5)  # nothing more arrives late
    assert len(receiver.received) == 1


@pytest.fixture
def broker_down():
    """Point the publishing side (this process) at a closed port; calling the fixture's
    value brings the real broker back."""
    conf, amqp = celery_app.conf, celery_app.amqp
    working = (conf.broker_url, celery_app.pool, amqp.producer_pool)

    def back():
        if conf.broker_url != working[0]:
            celery_app.pool.force_close_all()
            conf.broker_url, celery_app._pool, amqp._producer_pool = working

    conf.broker_url = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
    celery_app._pool = amqp._producer_pool = None
    yield back
    back()


def test_a_publication_while_the_broker_is_down_is_swept_up_exactly_once(
    celery_worker, people, client, broker_down
):
    draft = services.create_draft(
        by=people["dk_officer"], **notice_content(**TO_NORWAY_AND_FINLAND)
    )
    client.force_login(people["dk_officer"])

    started = time.monotonic()
    response = client.post(reverse("sharing:notice-publish", args=[draft.pk]))
    assert time.monotonic() - started < 5  # the official is not kept waiting

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    event = Event.objects.get(notice=draft)
    assert event.dispatched_at is None
    assert not Notification.objects.exists()

    broker_down()  # the broker is back
    time.sleep(1.2)  # the worker's grace period (EVENT_SWEEP_GRACE_SECONDS=1)
    tasks.sweep.delay()
    tasks.sweep.delay()  # two beat hosts at once
    wait_until(lambda: len(notified()) == len(RECIPIENTS), what="the sweep")
    wait_until(
        lambda: all_sent(celery_worker, people, ["no_viewer", "fi_viewer"]),
        what="the e-mails",
    )
    tasks.sweep.delay()
    time.sleep(1)

    assert notified() == RECIPIENTS
    for name in ("no_viewer", "fi_viewer", "no_officer"):
        assert len(mails_to(celery_worker, people[name].email)) == 1, name


STALLED_DISPATCH = """
import sys, time, django
django.setup()
from sharing import notifications
from sharing.models import WebhookDelivery

write = WebhookDelivery.objects.bulk_create

def stall(*args, **kwargs):
    write(*args, **kwargs)
    print("written", flush=True)
    time.sleep(120)

WebhookDelivery.objects.bulk_create = stall
notifications.dispatch(int(sys.argv[1]))
"""


def test_a_worker_killed_in_the_middle_of_a_dispatch_loses_and_doubles_nothing(
    celery_worker, people, broker_down
):
    # The broker misses the publication, so no worker dispatches it on its own.
    draft = services.create_draft(
        by=people["dk_officer"], **notice_content(**TO_NORWAY_AND_FINLAND)
    )
    notice = services.publish_notice(draft, by=people["dk_officer"])
    broker_down()
    event = Event.objects.get(notice=notice)

    # A process of its own dispatches the event and dies, killed, after writing the
    # notifications but before committing them.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": _test_database_url(),
        "PYTHONUNBUFFERED": "1",
    }
    dying = subprocess.Popen(
        [sys.executable, "-c", STALLED_DISPATCH, str(event.pk)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = dying.stdout.readline()
        assert line.strip() == "written", line + dying.stdout.read()
        # While it holds the event, another dispatch passes it by at once.
        started = time.monotonic()
        assert notifications.dispatch(event.pk) == 0
        assert time.monotonic() - started < 2
        os.kill(dying.pid, signal.SIGKILL)
    finally:
        dying.wait(timeout=10)
        dying.stdout.close()

    assert not Notification.objects.exists()  # its transaction died with it
    event.refresh_from_db()
    assert event.dispatched_at is None

    tasks.dispatch_event.delay(event.pk)
    tasks.dispatch_event.delay(event.pk)  # and a redelivered message
    wait_until(lambda: Event.objects.get(pk=event.pk).dispatched_at is not None)
    time.sleep(0.5)
    assert notified() == RECIPIENTS
