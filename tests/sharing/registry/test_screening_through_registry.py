"""Screening through the registry: an identifier known from an alert reaches the denial
naming the same entity; a relation says so ("front for ..."); and nothing is reached
through an item, or of an item, the screening state cannot read."""

import pytest

from sharing.common.choices import EventKind
from sharing.common.models import Event
from sharing.registry import services as registry
from sharing.screening import services as screening
from tests.sharing.registry.conftest import entity

pytestmark = pytest.mark.django_db

LEI = "5493001KJTIIGC8Y1R12"


@pytest.fixture
def same_entity(alert, denial, dk_officer):
    """Norway's alert names Coral Reef Holdings Ltd with its LEI; Denmark denied a
    licence to Coral Reef Holdings and confirmed it is the same entity."""
    notice = alert(entity("Coral Reef Holdings Ltd", identifiers=[f"LEI {LEI}"]))
    notified = denial("Coral Reef Holdings")
    registry.confirm(notified.parties.get(role="end_user").registry_links.get(), by=dk_officer)
    return notice, notified


def test_an_identifier_reaches_the_denial_of_the_same_entity(same_entity, fi_officer):
    notice, notified = same_entity
    result = screening.screen(by=fi_officer, end_user="CRH", end_user_identifiers=f"LEI {LEI}")
    [(found_notice, direct)] = result.notices
    [(found_denial, reached)] = result.matches
    assert found_notice == notice and found_denial == notified
    assert reached.score == direct.score >= 95 and reached.registry
    assert reached.reasons == (
        "Registry: “Coral Reef Holdings Ltd” is the same entity as “Coral Reef Holdings”",
    )


def test_without_the_confirmation_nothing_is_reached(alert, denial, fi_officer):
    alert(entity("Coral Reef Holdings Ltd", identifiers=[f"LEI {LEI}"]))
    denial("Coral Reef Holdings")  # suggested, not confirmed
    result = screening.screen(by=fi_officer, end_user="CRH", end_user_identifiers=f"LEI {LEI}")
    assert result.matches == []


@pytest.fixture
def front(alert, denial, no_officer):
    """Denmark denied Coral Reef Holdings; Norway's alert names Blue Lagoon Trading and
    asserts it is a front for Coral Reef."""

    def make(alert_reach=None, denial_reach=None):
        notified = denial("Coral Reef Holdings", **(denial_reach or {}))
        notice = alert(entity("Blue Lagoon Trading", country="AE"), **(alert_reach or {}))
        registry.relate(
            notice.entities.get().registry_links.get().entity,
            by=no_officer,
            kind="front_for",
            other=str(notified.parties.get(role="end_user").registry_links.get().entity_id),
            cited=f"notice:{notice.pk}",
        )
        return notice, notified

    return make


def test_a_match_through_a_relation_says_so(front, fi_officer):
    notice, notified = front()
    result = screening.screen(by=fi_officer, end_user="Blue Lagoon Trading", destination="AE")
    [(found, match)] = result.matches
    assert found == notified and match.registry and match.score == result.notices[0][1].score
    assert match.reasons == (
        f"Registry: “Blue Lagoon Trading” is a front for “Coral Reef Holdings”, "
        f"as {notice.reference} asserts",
    )


def test_and_the_other_way_round(front, fi_officer):
    notice, _notified = front()
    result = screening.screen(by=fi_officer, end_user="Coral Reef Holdings")
    [(found, match)] = result.notices
    assert found == notice
    assert match.reasons == (
        f"Registry: “Coral Reef Holdings” uses “Blue Lagoon Trading” as a front, "
        f"as {notice.reference} asserts",
    )


@pytest.mark.parametrize(
    ("alert_reach", "denial_reach"),
    [
        # Finland cannot read the alert asserting the relation...
        ({"audience": "selected", "recipient_states": ["DK"]}, None),
        # ...or the denial it leads to.
        (None, {"audience": "selected", "recipient_states": ["NO"]}),
    ],
)
def test_nothing_is_reached_through_or_of_an_item_the_state_cannot_read(
    front, fi_officer, alert_reach, denial_reach
):
    front(alert_reach, denial_reach)
    result = screening.screen(by=fi_officer, end_user="Blue Lagoon Trading", destination="AE")
    assert result.matches == []
    assert "Coral Reef" not in repr(result.notices)


def test_the_sweep_tells_a_watch_what_the_registry_leads_to(front, fi_officer, fi_admin):
    result = screening.screen(by=fi_officer, end_user="Blue Lagoon Trading", destination="AE")
    assert result.matches == [] and result.notices == []
    watch = screening.create(
        by=fi_officer,
        screening=result.screening.pk,
        application_reference="FI-2026-77",
        decide_by="2027-03-01",
    )
    _notice, notified = front()
    screening.rescreen_all()
    told = Event.objects.filter(kind=EventKind.SCREENING_NEW_MATCH, watch=watch)
    assert told.filter(denial=notified).exists()
    assert {"reason": "registry"} in told.get(denial=notified).payload["reasons"]
