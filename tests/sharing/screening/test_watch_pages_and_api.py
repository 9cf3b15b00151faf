"""The watched applications' pages and endpoints: the whole loop through them, the
same visibility (404 for another state), who may act (403), and what an ended watch
refuses (409)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sharing.denials import services as denials
from sharing.screening import services as watches
from sharing.screening.choices import WatchStatus
from sharing.screening.models import Watch
from tests.sharing.conftest import denial_content

pytestmark = pytest.mark.django_db

WATCHES = "/api/v1/watches/"


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def watched(officer, reference: str, **transaction):
    """``officer`` screens ``transaction`` and watches it for 30 days as ``reference``."""
    result = watches.screen(by=officer, **transaction)
    return watches.create(
        by=officer,
        screening=result.screening.pk,
        application_reference=reference,
        decide_by=in_days(30),
    )


@pytest.fixture
def nimbus(dk_officer):
    return denials.publish(
        by=dk_officer,
        **denial_content(
            parties=[{"role": "end_user", "name": "Nimbus Intercept", "country": "AE"}]
        ),
    )


def test_an_officer_screens_watches_sees_and_decides_in_the_pages(client, fi_officer, nimbus):
    client.force_login(fi_officer)
    screened = client.post(
        reverse("sharing:screening"), {"end_user": "Orion Signals", "destination": "AE"}
    )
    assert screened.status_code == 200
    offer = screened.context["result"].screening.pk
    assert f"{reverse('sharing:watch-create')}?screening={offer}" in screened.content.decode()

    form = client.get(reverse("sharing:watch-create"), {"screening": offer})
    assert form.status_code == 200 and "Orion Signals" in form.content.decode()

    refused = client.post(
        reverse("sharing:watch-create"),
        {"screening": offer, "application_reference": "FI-7", "decide_by": in_days(500)},
    )
    assert refused.status_code == 400 and not Watch.objects.exists()
    assert "At most a year from today" in refused.content.decode()

    made = client.post(
        reverse("sharing:watch-create"),
        {"screening": offer, "application_reference": "FI-7", "decide_by": in_days(60)},
        follow=True,
    )
    watch = Watch.objects.get()
    assert made.redirect_chain[-1][0] == watch.get_absolute_url()
    page = made.content.decode()
    assert "FI-7 is watched until" in page and "No match." in page

    listed = client.get(reverse("sharing:watch-list")).content.decode()
    assert watch.get_absolute_url() in listed and "Orion Signals" in listed

    decided = client.post(
        reverse("sharing:watch-decide", args=[watch.pk]), {"outcome": "granted"}, follow=True
    )
    assert "Decision recorded: Licence granted" in decided.content.decode()
    watch.refresh_from_db()
    assert watch.status == WatchStatus.GRANTED
    again = client.post(reverse("sharing:watch-decide", args=[watch.pk]), {"outcome": "refused"})
    assert again.status_code == 400
    assert "no longer watched" in again.content.decode()


def test_a_watch_page_shows_what_it_matches_now(client, fi_officer, nimbus):
    watch = watched(fi_officer, "FI-8", end_user="Nimbus Intercept", destination="AE")
    client.force_login(fi_officer)
    page = client.get(watch.get_absolute_url()).content.decode()
    assert nimbus.title in page and "Score 90 of 100" in page, page


def test_another_state_or_a_viewer_gets_nothing(client, fi_officer, fi_viewer, dk_officer):
    watch = watched(fi_officer, "FI-9", end_user="Orion Signals")
    client.force_login(dk_officer)
    assert client.get(watch.get_absolute_url()).status_code == 404
    decide = reverse("sharing:watch-decide", args=[watch.pk])
    assert client.post(decide, {"outcome": "granted"}).status_code == 404
    assert "FI-9" not in client.get(reverse("sharing:watch-list")).content.decode()
    client.force_login(fi_viewer)
    assert client.get(reverse("sharing:watch-list")).status_code == 403
    assert client.get(watch.get_absolute_url()).status_code == 404


def test_the_api_loop(api_for, fi_officer, fi_viewer, dk_officer, nimbus):
    api = api_for(fi_officer)
    screened = api.post(
        "/api/v1/denials/screen/",
        {"end_user": "Nimbus Intercept", "destination": "AE"},
        format="json",
    ).json()
    assert screened["matches"]

    body = {
        "screening": screened["screening"],
        "application_reference": "FI-10",
        "decide_by": in_days(90),
    }
    assert api.post(WATCHES, {**body, "colour": "red"}, format="json").status_code == 400
    assert api.post(WATCHES, {**body, "decide_by": in_days(-2)}, format="json").status_code == 400
    created = api.post(WATCHES, body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "active" and data["owner"] == "fi-officer"
    # What the screening showed, known from the start (never told).
    assert data["matches"] == [
        {"denial": str(nimbus.pk), "notice": None, "score": 90, "told_at": None}
    ]

    listed = api.get(WATCHES).json()
    assert [w["id"] for w in listed["results"]] == [data["id"]]
    assert api_for(dk_officer).get(f"{WATCHES}{data['id']}/").status_code == 404
    assert api_for(fi_viewer).get(WATCHES).json()["results"] == []
    assert api_for(fi_viewer).post(WATCHES, body, format="json").status_code == 403

    decide = f"{WATCHES}{data['id']}/decide/"
    assert api.post(decide, {"outcome": "perhaps"}, format="json").status_code == 400
    done = api.post(decide, {"outcome": "withdrawn"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    assert api.post(decide, {"outcome": "granted"}, format="json").status_code == 409


def test_opening_the_watch_reads_its_new_match_and_the_denial_page_does_not(
    client, fi_officer, dk_officer, django_capture_on_commit_callbacks
):
    watch = watched(fi_officer, "FI-40", end_user="Orion Signals")
    with django_capture_on_commit_callbacks(execute=True):
        denial = denials.publish(
            by=dk_officer,
            **denial_content(parties=[{"role": "end_user", "name": "Orion Signals"}]),
        )
    from sharing.notifications.models import Notification

    told = Notification.objects.get(user=fi_officer, kind="screening.new_match")
    client.force_login(fi_officer)
    client.get(denial.get_absolute_url())
    told.refresh_from_db()
    assert told.read_at is None  # it leads to the watch, not the denial
    client.get(watch.get_absolute_url())
    told.refresh_from_db()
    assert told.read_at is not None
