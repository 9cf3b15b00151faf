import importlib

import pytest

from accounts import services
from accounts.choices import Role
from portal.celery import app as celery_app
from portal.tasks import ping


def test_celery_is_configured_for_safe_redelivery():
    conf = celery_app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.task_routes["portal.tasks.send_email"] == {"queue": "email"}


def test_events_e_mail_and_webhooks_have_queues_of_their_own_and_beat_sweeps():
    conf = celery_app.conf
    queues = {queue.name for queue in conf.task_queues}
    assert queues == {"default", "events", "email", "webhooks"}
    routes = {task: route["queue"] for task, route in conf.task_routes.items()}
    assert routes["sharing.tasks.dispatch_event"] == "events"
    assert routes["sharing.tasks.send_notification_emails"] == "email"
    assert routes["sharing.tasks.send_digests"] == "email"
    assert routes["sharing.tasks.deliver_webhook"] == "webhooks"
    for module in ("sharing.notifications.tasks", "sharing.denials.tasks"):
        importlib.import_module(module)  # as the worker's autodiscovery does
    assert set(routes) <= set(celery_app.tasks), "a route names a task that does not exist"
    schedule = {entry["task"]: entry["schedule"] for entry in conf.beat_schedule.values()}
    assert schedule["sharing.tasks.sweep"] == 60.0
    assert "sharing.tasks.send_digests" in schedule


def test_ping_runs_eagerly_in_the_embedded_mode():
    result = ping.delay()
    assert result.successful() and result.result == "pong"


@pytest.mark.django_db
def test_readiness_in_the_embedded_mode_survives_celerys_join_guard(client, settings):
    # Eager tasks in two threads at once (the threaded development server) can leave
    # Celery's process-wide "never join inside a task" flag raised: readiness must
    # not depend on it.
    from celery._state import _set_task_join_will_block, task_join_will_block

    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = task_join_will_block()
    _set_task_join_will_block(True)
    try:
        response = client.get("/readyz?worker=1")
    finally:
        _set_task_join_will_block(before)
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "eager"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_answers_ping(celery_worker):
    result = ping.delay()
    assert result.get(timeout=10) == "pong"


@pytest.mark.django_db(transaction=True)
def test_invitation_mail_leaves_through_the_worker_after_commit(celery_worker, dk_admin):
    services.invite_user(email="new.officer@um.dk", role=Role.OFFICER, by=dk_admin)
    mail_dir = celery_worker.mail_dir
    import time

    deadline = time.monotonic() + 15
    files = []
    while time.monotonic() < deadline and not files:
        files = [p for p in mail_dir.iterdir() if "new.officer@um.dk" in p.read_text()]
        time.sleep(0.2)
    assert files, celery_worker.log_path.read_text()[-3000:]
    text = files[0].read_text()
    assert "/accounts/invitation/" in text
    assert "Denmark" in text
