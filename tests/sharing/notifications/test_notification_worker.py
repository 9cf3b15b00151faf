"""The whole notification flow through Redis and a real Celery worker on PostgreSQL:
nothing lost or doubled when the broker is down at publication, a worker dies in the
middle of a dispatch or a webhook endpoint fails."""

import contextlib
import email
import json
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
from sharing.common.models import Event
from sharing.notices import services as notices
from sharing.notifications import delivery as dispatch
from sharing.notifications import services as notifications
from sharing.notifications import tasks
from sharing.notifications.choices import DeliveryStatus
from sharing.notifications.models import Notification, WebhookDelivery
from tests.conftest import ROOT, _test_database_url
from tests.factories import UserFactory
from tests.receiver import Answer, Receiver
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
    notifications.set_email_preference(by=people["no_viewer"], mode="off")
    notifications.set_email_preference(by=people["fi_viewer"], mode="daily")
    with Receiver() as receiver:
        _endpoint, secret = notifications.create_webhook(
            by=people["no_admin"], url=receiver.url, event_kinds=["notice.published"]
        )
        draft = notices.create(
            by=people["dk_officer"], **notice_content(tlp="green", **TO_NORWAY_AND_FINLAND)
        )
        notice = notices.publish(draft, by=people["dk_officer"])

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


def test_a_publication_while_the_broker_is_down_is_swept_up_exactly_once(
    celery_worker, people, client, broker_down
):
    draft = notices.create(by=people["dk_officer"], **notice_content(**TO_NORWAY_AND_FINLAND))
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
from sharing.models import WebhookDelivery
from sharing.notifications import delivery as dispatch

write = WebhookDelivery.objects.bulk_create

def stall(*args, **kwargs):
    write(*args, **kwargs)
    print("written", flush=True)
    time.sleep(120)

WebhookDelivery.objects.bulk_create = stall
dispatch.dispatch(int(sys.argv[1]))
"""


def test_a_worker_killed_in_the_middle_of_a_dispatch_loses_and_doubles_nothing(
    celery_worker, people, broker_down
):
    # The broker misses the publication, so no worker dispatches it on its own.
    draft = notices.create(by=people["dk_officer"], **notice_content(**TO_NORWAY_AND_FINLAND))
    notice = notices.publish(draft, by=people["dk_officer"])
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
        assert dispatch.dispatch(event.pk) == 0
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


# --- A Celery worker killed with SIGKILL in the middle of dispatch_event ----------------

# A worker whose first dispatch stalls after writing its notifications, before it
# commits them, long enough to be killed there; later dispatches run as usual. Otherwise
# it is the `celery worker` that tests/conftest.py starts.
STALLING_WORKER = """
import os, pathlib, sys, time
import django
django.setup()
from sharing.models import WebhookDelivery

marker = pathlib.Path(os.environ["STALL_MARKER"])
write = WebhookDelivery.objects.bulk_create

def stall(*args, **kwargs):
    rows = write(*args, **kwargs)
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        time.sleep(120)
    return rows

WebhookDelivery.objects.bulk_create = stall
from celery.bin.celery import main
sys.argv = ["celery", *sys.argv[1:]]
sys.exit(main())
"""


class Workers:
    """`celery worker` processes of one test's own, each with a hostname and a log of
    its own, on a queue no other worker reads; all ended when the test ends."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.queue = f"killed-{uuid.uuid4().hex[:8]}"
        self.marker = tmp_path / "stalled"
        self.started: list[subprocess.Popen] = []

    def start(self, *, stalling: bool, pool: str, queues: str = "") -> subprocess.Popen:
        name = f"{self.queue}-{len(self.started)}"
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "EMAIL_URL": f"filemail://{self.tmp_path}",
            "PYTHONUNBUFFERED": "1",
            "EVENT_SWEEP_GRACE_SECONDS": "1",
            "SITE_URL": "http://testserver",
            "STALL_MARKER": str(self.marker),
        }
        command = ["-c", STALLING_WORKER] if stalling else ["-m", "celery"]
        log_path = self.tmp_path / f"{name}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    *command,
                    "-A",
                    "portal",
                    "worker",
                    f"--pool={pool}",
                    "--concurrency=1",
                    f"--queues={self.queue}{queues}",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                    f"--hostname={name}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its pool processes too can be ended together
            )
        process.log_path = log_path
        self.started.append(process)
        return process

    def stalled_pid(self) -> int:
        """The pid of the process stalled in the middle of the dispatch."""
        self.wait_until(lambda: self.marker.exists() and self.marker.read_text(), "the stall")
        return int(self.marker.read_text())

    def wait_until(self, condition, what: str) -> None:
        try:
            wait_until(condition, timeout=30, interval=0.3, what=what)
        except AssertionError as error:
            raise AssertionError(f"{error}; the workers' logs:\n{self.log()[-6000:]}") from None

    def log(self) -> str:
        return "\n".join(p.log_path.read_text() for p in self.started)

    def end(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # whatever of it is left
            process.wait()
        # Nothing of the queue is left in Redis, whatever happened to the test.
        with celery_app.connection_for_write() as connection:
            channel = connection.default_channel
            client = channel.client
            for tag, held in client.hgetall(channel.unacked_key).items():
                if json.loads(held)[2] == self.queue:
                    client.hdel(channel.unacked_key, tag)
                    client.zrem(channel.unacked_index_key, tag)
            client.delete(
                self.queue,
                channel.keyprefix_queue % self.queue,
                channel.keyprefix_binding_permanent % self.queue,
            )


@pytest.fixture
def own_workers(tmp_path, celery_worker):
    """Workers of the test's own, beside the session's (which, untouched, takes the
    e-mails a dispatch hands on); tasks go through Redis."""
    workers = Workers(tmp_path)
    yield workers
    workers.end()


def succeeded(workers, task_id) -> list[str]:
    """What the task returned, each time it ran to the end, from the workers' logs."""
    return [
        line.rsplit(": ", 1)[-1]
        for line in workers.log().splitlines()
        if f"[{task_id}] succeeded" in line
    ]


def give_back(task_id) -> None:
    """What Redis does with the message a dead worker held once the visibility timeout
    (an hour) has passed: queue it again."""
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        held = channel.client.hgetall(channel.unacked_key)
        (tag,) = [t for t, m in held.items() if json.loads(m)[0]["headers"]["id"] == task_id]
        channel.qos.restore_by_tag(tag)


@pytest.mark.parametrize("killed", ["a pool process", "the whole worker"])
def test_a_celery_worker_killed_in_the_middle_of_dispatch_event_loses_and_doubles_nothing(
    own_workers, people, broker_down, killed
):
    # The broker misses the publication, so that only the test's own workers dispatch it.
    draft = notices.create(by=people["dk_officer"], **notice_content(**TO_NORWAY_AND_FINLAND))
    notice = notices.publish(draft, by=people["dk_officer"])
    broker_down()
    event = Event.objects.get(notice=notice)
    prefork = killed == "a pool process"
    worker = own_workers.start(stalling=True, pool="prefork" if prefork else "solo")
    task_id = tasks.dispatch_event.apply_async((event.pk,), queue=own_workers.queue).id

    stalled = own_workers.stalled_pid()
    assert (stalled != worker.pid) is prefork, own_workers.log()
    os.kill(stalled, signal.SIGKILL)

    if prefork:
        # The worker sees its pool process lost and gives the message back
        # (acks_late, reject_on_worker_lost); a new pool process dispatches it in full.
        own_workers.wait_until(lambda: succeeded(own_workers, task_id), "the redelivery")
        assert succeeded(own_workers, task_id) == ["5"], own_workers.log()
        assert "SIGKILL" in own_workers.log()
    else:
        worker.wait(timeout=10)
        assert not Notification.objects.exists()  # its transaction died with it
        # Started again, the sweeper dispatches the event still undispatched...
        own_workers.start(stalling=False, pool="solo", queues=",events")

        def swept():
            tasks.sweep.delay()  # as beat does, every minute
            return Event.objects.get(pk=event.pk).dispatched_at is not None

        own_workers.wait_until(swept, "the sweep")
        # ...and the message the dead worker held, not acknowledged (acks_late), comes
        # back in the end: the second dispatch adds nothing.
        give_back(task_id)
        own_workers.wait_until(lambda: succeeded(own_workers, task_id), "the redelivery")
        assert succeeded(own_workers, task_id) == ["0"], own_workers.log()

    assert Event.objects.get(pk=event.pk).dispatched_at is not None
    assert notified() == RECIPIENTS


# --- Webhook retries through the worker ---------------------------------------------------


def test_500_then_a_timeout_then_200_is_one_delivery_through_redis_and_the_worker(
    celery_worker, people
):
    """The worker gives each request 2 s and waits about a second between attempts
    (tests/conftest.py); the test plays beat, whose sweeper hands each due retry back."""
    delivery = WebhookDelivery.objects.filter

    def after_attempt(number):
        tasks.sweep.delay()
        return delivery(attempts=number).exclude(status=DeliveryStatus.SENDING).exists()

    with Receiver([Answer(500), Answer(200, delay=3), Answer(200)]) as receiver:
        _endpoint, secret = notifications.create_webhook(
            by=people["no_admin"], url=receiver.url, event_kinds=["notice.published"]
        )
        draft = notices.create(by=people["dk_officer"], **notice_content(**TO_NORWAY_AND_FINLAND))
        notice = notices.publish(draft, by=people["dk_officer"])

        seen = []
        for number in (1, 2, 3):
            wait_until(lambda n=number: after_attempt(n), timeout=20, interval=0.3)
            seen.append(delivery().values_list("status", "last_status_code", "last_error").get())
        tasks.sweep.delay()
        time.sleep(1.5)  # nothing more is due, nothing more is sent
        posts = list(receiver.received)

    assert seen == [
        (DeliveryStatus.PENDING, 500, ""),
        (DeliveryStatus.PENDING, None, "timed out"),
        (DeliveryStatus.SUCCEEDED, 200, ""),
    ]
    done = delivery().get()
    assert (done.attempts, done.claimed_until) == (3, None)
    assert done.delivered_at is not None
    assert len(posts) == 3
    assert {post.headers["webhook-id"] for post in posts} == {done.message_id}
    assert receiver.answered[0] == 500
    payload = Webhook(secret).verify(posts[-1].body, posts[-1].headers)
    assert payload["data"]["reference"] == notice.reference
