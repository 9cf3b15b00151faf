import pytest
from django.test import override_settings

from portal.celery import app as celery_app


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


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
