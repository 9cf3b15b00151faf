import time

import pytest
import time_machine
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import override_settings

from portal import views
from portal.celery import app as celery_app


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_database_and_broker(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    # With a broker configured it must have been reached; without, the mode is eager.
    assert checks["broker"] == ("eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok")


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable"},
    }


@pytest.mark.django_db(transaction=True)
def test_readyz_with_worker_pings_a_real_worker(client, celery_worker):
    response = client.get("/readyz?worker=1")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "worker": "ok"}


def test_readyz_is_503_and_names_the_database_when_it_is_unreachable(
    client, settings, monkeypatch, caplog
):
    def refuse(self):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')

    # Every query, whichever backend, connects through this method first.
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "unavailable",
        "checks": {
            "database": "unavailable",
            "broker": "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok",
        },
    }
    assert "readiness check database failed" in caplog.text


class Ping:
    """Stands in for portal.tasks.ping on a broker that takes messages: counts the pings
    sent; each wait for the answer runs ``while_waiting`` (another request arriving
    meanwhile), then times out as with no worker, or answers as a worker would."""

    def __init__(self, answer=None, while_waiting=None):
        self.answer, self.while_waiting, self.sent = answer, while_waiting, 0

    def apply_async(self, **options):
        self.sent += 1
        return self

    def get(self, timeout):
        if self.while_waiting:
            self.while_waiting()
        if self.answer is None:
            raise CeleryTimeoutError("The operation timed out.")
        return self.answer


@pytest.fixture
def reachable_broker(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(views, "_check_broker", lambda: "ok")


def worker_check(client) -> tuple[int, str]:
    response = client.get("/readyz?worker=1")
    return response.status_code, response.json()["checks"]["worker"]


@pytest.mark.django_db
def test_a_failed_worker_ping_is_remembered_so_probes_do_not_each_wait(
    client, reachable_broker, monkeypatch
):
    ping = Ping(answer=None)
    monkeypatch.setattr(views, "ping", ping)
    now = time.time()
    with time_machine.travel(now, tick=False) as clock:
        assert worker_check(client) == (503, "unavailable")
        for _ in range(20):
            assert worker_check(client) == (503, "unavailable")
        assert ping.sent == 1
        clock.shift(views.WORKER_FAILED_SECONDS + 1)
        ping.answer = "pong"  # the workers are back
        assert worker_check(client) == (200, "ok")
        assert ping.sent == 2


@pytest.mark.django_db
def test_a_successful_worker_ping_is_remembered_longer(client, reachable_broker, monkeypatch):
    ping = Ping(answer="pong")
    monkeypatch.setattr(views, "ping", ping)
    with time_machine.travel(time.time(), tick=False) as clock:
        assert worker_check(client) == (200, "ok")
        clock.shift(views.WORKER_OK_SECONDS - 1)
        assert worker_check(client) == (200, "ok")
        assert ping.sent == 1
        clock.shift(2)
        ping.answer = None  # the workers stopped
        assert worker_check(client) == (503, "unavailable")
        assert ping.sent == 2


@pytest.mark.django_db
def test_only_one_request_pings_and_the_others_answer_with_the_last_result(
    client, reachable_broker, monkeypatch
):
    meanwhile = []
    ping = Ping(answer="pong", while_waiting=lambda: meanwhile.append(worker_check(client)))
    monkeypatch.setattr(views, "ping", ping)
    with time_machine.travel(time.time(), tick=False) as clock:
        # Nothing is known yet: a request arriving during the first ping does not wait
        # for it, nor send a second one.
        assert worker_check(client) == (200, "ok")
        assert (ping.sent, meanwhile) == (1, [(503, "unavailable")])

        # Later, while one request finds the workers gone, the others still answer with
        # the last known result at once.
        clock.shift(views.WORKER_OK_SECONDS + 1)
        ping.answer = None
        meanwhile.clear()
        assert worker_check(client) == (503, "unavailable")
        assert (ping.sent, meanwhile) == (2, [(200, "ok")])
        ping.while_waiting = None
        assert worker_check(client) == (503, "unavailable")  # remembered
        assert ping.sent == 2


@pytest.mark.django_db
def test_no_worker_is_pinged_through_an_unreachable_broker(client, monkeypatch):
    ping = Ping(answer="pong")
    monkeypatch.setattr(views, "ping", ping)
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/readyz?worker=1")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "broker": "unavailable",
        "worker": "unavailable",
    }
    assert ping.sent == 0
