"""The watch flow through the API and a real Celery worker on Redis: Finland screens
"Nimbus Intercept" with no hit and watches it; Denmark notifies a denial naming
"NIMBUS-INTERCEPT Ltd"; Finland's officer is told exactly once, in the inbox, by e-mail
and on Finland's webhook, however often the screening runs again."""

import datetime
import time

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from sharing.common.choices import EventKind
from sharing.common.models import Event
from sharing.denials import services as denials
from sharing.notifications import services as notifications
from sharing.notifications.models import Notification, WebhookDelivery
from sharing.screening import tasks
from tests.receiver import Receiver
from tests.sharing.conftest import denial_content
from tests.sharing.notifications.test_notification_worker import mails_to, wait_until


def told_by_mail(worker, user) -> list:
    """The e-mails the worker sent ``user`` about a new match (the denial's own
    announcement reaches Finland's readers too)."""
    return [m for m in mails_to(worker, user.email) if "New match" in m["Subject"]]


pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_finland_is_told_once_of_a_denial_matching_its_watched_application(
    celery_worker, api_for, fi_officer, fi_admin, fi_viewer, dk_officer
):
    api = api_for(fi_officer)
    screened = api.post(
        "/api/v1/denials/screen/",
        {"end_user": "Nimbus Intercept", "destination": "AE", "control_entry": "5A001.j"},
        format="json",
    ).json()
    assert screened["matches"] == []  # nothing yet
    decide_by = timezone.localdate() + datetime.timedelta(days=60)
    watch = api.post(
        "/api/v1/watches/",
        {
            "screening": screened["screening"],
            "application_reference": "FI-EXP-2026-311",
            "decide_by": decide_by.isoformat(),
        },
        format="json",
    ).json()

    with Receiver() as receiver:
        _endpoint, secret = notifications.create_webhook(
            by=fi_admin, url=receiver.url, event_kinds=["screening.new_match"]
        )
        nimbus = {"role": "end_user", "name": "NIMBUS-INTERCEPT Ltd", "country": "AE"}
        denial = denials.publish(by=dk_officer, **denial_content(parties=[nimbus]))

        (post,) = receiver.wait_for(1, timeout=30)
        wait_until(lambda: told_by_mail(celery_worker, fi_officer), what="the e-mail")

        # Again: the same event screened once more, and the hourly sweep, twice.
        issued = Event.objects.get(denial=denial, kind=EventKind.DENIAL_ISSUED)
        tasks.rescreen_watches.delay(issued.pk)
        tasks.sweep_watches.delay()
        tasks.sweep_watches.delay()
        time.sleep(2)

    told = Notification.objects.filter(kind=EventKind.SCREENING_NEW_MATCH)
    assert sorted(told.values_list("user__username", flat=True)) == ["fi-admin", "fi-officer"]
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.count() == 1
    payload = Webhook(secret).verify(post.body, post.headers)
    assert payload["type"] == "screening.new_match"
    data = payload["data"]
    assert data["object"] == "denial" and data["id"] == str(denial.pk)
    assert data["watch"]["application_reference"] == "FI-EXP-2026-311"
    assert data["watch"]["id"] == watch["id"]
    assert data["match"]["score"] == 100 and data["match"]["previous_score"] is None
    assert {"reason": "name", "percent": 100} in data["match"]["reasons"]
    assert "NIMBUS" not in post.body  # names are read in the portal
    (message,) = told_by_mail(celery_worker, fi_officer)
    text = message.get_payload(0).get_payload(decode=True).decode()
    assert "Your watched application FI-EXP-2026-311 matches this denial: score 100" in text
    assert told_by_mail(celery_worker, fi_viewer) == []
