"""Screening covers the entities of concern that states name in end-user and diversion
alerts, under the notices' own visibility; a watched application is told of a matching
alert once it is published or amended, and never of a withdrawn one."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry
from sharing.common.choices import EventKind
from sharing.common.models import Event
from sharing.notices import services as notices
from sharing.notifications.models import Notification
from sharing.screening import services as screening
from sharing.screening.models import NoticeHit
from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db

ORION = {"name": "Orion Signals FZE", "aliases": ["Orion SIG"], "country": "AE", "kind": "company"}


def alert(by, **overrides):
    """An end-user alert naming Orion Signals, published to every subscribing state."""
    content = notice_content(entities=[ORION], countries_of_concern=["AE"], **overrides)
    return notices.publish(notices.create(by=by, **content), by=by)


def test_an_alert_naming_the_end_user_is_shown_as_such(no_officer, fi_officer):
    notice = alert(no_officer)
    other_kinds = alert(no_officer, kind="threat", title="A threat naming Orion too")
    assert other_kinds.kind == "threat"

    result = screening.screen(by=fi_officer, end_user="ORION SIGNALS", destination="AE")

    assert result.matches == []  # no denial
    [(found, match)] = result.notices
    assert found == notice
    assert match.score == 90  # the name, and the entity's country is the destination
    assert "entity of concern “Orion Signals FZE”" in match.reasons[0]
    hit = NoticeHit.objects.get()
    assert (hit.screening, hit.notice, hit.score) == (result.screening, notice, 90)
    entry = AuditEntry.objects.get(action="denial.screening")
    assert entry.details == {"shown": [], "notices": [str(notice.pk)]}


def test_withdrawn_or_unreadable_alerts_are_not_screened(no_officer, dk_officer, fi_officer):
    withdrawn = alert(no_officer)
    notices.withdraw(withdrawn, by=no_officer, reason="The company closed.")
    alert(dk_officer, audience="selected", recipient_states=["NO"], title="Norway only")

    assert screening.screen(by=fi_officer, end_user="Orion Signals").notices == []


def test_the_screening_page_names_the_alert(client, no_officer, fi_officer):
    notice = alert(no_officer)
    client.force_login(fi_officer)
    page = client.post(reverse("sharing:screening"), {"end_user": "Orion Signals"})
    text = page.content.decode()
    assert f"Named in {notice.reference}, end-user of concern, from Norway" in text
    assert "1 alert in force names a matching entity of concern." in text


def test_the_api_lists_the_alerts_matched(api_for, no_officer, fi_officer):
    notice = alert(no_officer)
    answer = api_for(fi_officer).post(
        "/api/v1/denials/screen/", {"end_user": "Orion Signals"}, format="json"
    )
    assert answer.status_code == 200
    [named] = answer.json()["notices"]
    assert named["notice"]["reference"] == notice.reference
    assert named["notice"]["entities"][0]["name"] == "Orion Signals FZE"
    assert named["score"] == 80


def test_a_watch_is_told_of_an_alert_published_then_amended_never_of_a_withdrawn_one(
    fi_officer, no_officer, act
):
    result = screening.screen(by=fi_officer, end_user="Orion Signals", destination="AE")
    watch = screening.create(
        by=fi_officer,
        screening=result.screening.pk,
        application_reference="FI-20",
        decide_by=(timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    )
    notice = act(alert, no_officer)

    def told():
        return Event.objects.filter(kind=EventKind.SCREENING_NEW_MATCH, watch=watch)

    [event] = told()
    assert event.notice == notice and event.payload["score"] == 90
    notification = Notification.objects.get(kind=EventKind.SCREENING_NEW_MATCH, user=fi_officer)
    assert notification.get_absolute_url() == watch.get_absolute_url()

    # Amended without changing the entity: nothing new. Then withdrawn: nothing.
    act(
        notices.amend,
        notice,
        by=no_officer,
        change_note="More detail.",
        material=True,
        summary="The reseller also approached two brokers.",
    )
    assert told().count() == 1
    act(notices.withdraw, notice, by=no_officer, reason="Closed.")
    issued = Event.objects.get(notice=notice, kind=EventKind.NOTICE_PUBLISHED)
    assert screening.rescreen_event(issued.pk) == 0
    assert told().count() == 1


def test_an_identifier_of_an_entity_of_concern_finds_the_alert_whatever_the_name(
    make_notice, fi_officer
):
    notice = make_notice(
        entities=[
            {
                "name": "Coral Reef Holdings",
                "aliases": [],
                "country": "AE",
                "kind": "company",
                "identifiers": ["LEI 5493001KJTIIGC8Y1R12", "HE 123456"],
                "notes": "",
            }
        ],
    )
    result = screening.screen(
        by=fi_officer,
        end_user="Blue Lagoon Trading",
        end_user_identifiers="lei 5493001kjtiigc8y1r12",
    )
    [(found, match)] = result.notices
    assert found == notice and match.score >= 95 and match.identifier
    assert result.screening.query["end_user_identifiers"] == "LEI 5493001KJTIIGC8Y1R12"


def test_an_unreadable_identifier_is_refused_and_nothing_is_screened(fi_officer):
    with pytest.raises(ValidationError) as refused:
        screening.screen(
            by=fi_officer, end_user="Coral Reef", end_user_identifiers="LEI 5493001KJTIIGC8Y1R13"
        )
    assert "not a valid LEI" in str(refused.value.message_dict["end_user_identifiers"])
