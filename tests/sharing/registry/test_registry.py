"""The registry of entities: rows linked by suggestion and an officer's confirmation,
never merged silently; relations citing their item; and nothing of it shown but
through an item the reader may read."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.inputs import Conflict
from portal.models import AuditEntry
from sharing.registry import services as registry
from sharing.registry.choices import LinkStatus
from sharing.registry.models import Entity, EntityLink, Relation
from tests.sharing.registry.conftest import entity

pytestmark = pytest.mark.django_db

LEI = "5493001KJTIIGC8Y1R12"


def links_of(row):
    return list(row.registry_links.values_list("status", flat=True))


def test_a_name_like_nothing_known_founds_an_entity_of_its_own(alert):
    notice = alert(entity("Coral Reef Holdings", identifiers=[f"LEI {LEI}"]))
    (row,) = notice.entities.all()
    (link,) = row.registry_links.all()
    assert link.status == LinkStatus.CONFIRMED and link.decided_by is None
    assert Entity.objects.count() == 1


def test_a_denial_naming_a_known_entity_is_suggested_and_its_state_confirms(
    alert, denial, dk_officer, dk_viewer, no_officer
):
    notice = alert(entity("Coral Reef Holdings", country="AE"))
    known = notice.entities.get().registry_links.get().entity
    notified = denial("CORAL-REEF Holdings LLC", country="AE")
    party = notified.parties.get(role="end_user")
    (suggestion,) = party.registry_links.all()
    assert (suggestion.entity, suggestion.status) == (known, LinkStatus.SUGGESTED)
    assert suggestion.score >= registry.SUGGEST_AT
    assert list(registry.awaiting(dk_officer)) == [suggestion]
    assert list(registry.awaiting(no_officer)) == []  # Norway did not name that party
    assert list(registry.awaiting(dk_viewer)) == []

    # Only the state that named the party decides, by its officers and admins.
    for outsider in (no_officer, dk_viewer):
        with pytest.raises(PermissionDenied):
            registry.confirm(suggestion, by=outsider)

    registry.confirm(suggestion, by=dk_officer)
    suggestion.refresh_from_db()
    assert suggestion.status == LinkStatus.CONFIRMED and suggestion.decided_by == dk_officer
    assert Entity.objects.count() == 1
    assert AuditEntry.objects.filter(action="registry.link_confirmed").count() == 1
    with pytest.raises(Conflict):
        registry.confirm(suggestion, by=dk_officer)


def test_rejecting_the_last_suggestion_founds_an_entity_never_a_merge(alert, denial, dk_officer):
    alert(entity("Coral Reef Holdings"))
    party = denial("Coral Reef Holding").parties.get(role="end_user")
    (suggestion,) = party.registry_links.all()
    registry.reject(suggestion, by=dk_officer)
    assert sorted(links_of(party)) == [LinkStatus.CONFIRMED, LinkStatus.REJECTED]
    assert Entity.objects.count() == 2
    founded = party.registry_links.get(status=LinkStatus.CONFIRMED)
    assert founded.entity != suggestion.entity and founded.decided_by == dk_officer


def test_no_suggestion_from_an_item_the_naming_state_cannot_read(alert, denial):
    # Norway's alert reaches Finland only: Denmark's denial of the same name founds its
    # own entity rather than learn of Norway's.
    alert(entity("Coral Reef Holdings"), audience="selected", recipient_states=["FI"])
    party = denial("Coral Reef Holdings").parties.get(role="end_user")
    assert links_of(party) == [LinkStatus.CONFIRMED]
    assert Entity.objects.count() == 2


def test_the_same_identifier_suggests_whatever_the_name(alert, act, dk_officer):
    from sharing.notices import services as notices
    from tests.sharing.conftest import notice_content

    alert(entity("Coral Reef Holdings", identifiers=[f"LEI {LEI}"]))
    content = notice_content(entities=[entity("Blue Lagoon Trading", identifiers=[f"LEI {LEI}"])])
    notice = act(notices.publish, notices.create(by=dk_officer, **content), by=dk_officer)
    (suggestion,) = notice.entities.get().registry_links.all()
    assert suggestion.status == LinkStatus.SUGGESTED and suggestion.score >= 95


def test_an_amendment_keeping_a_name_keeps_its_link_and_a_new_name_is_linked_afresh(
    alert, act, no_officer
):
    from sharing.notices import services as notices

    notice = alert(entity("Coral Reef Holdings"))
    link = notice.entities.get().registry_links.get()
    entities = [entity("Coral Reef Holdings", "CRH"), entity("Osprey Freight", country="CY")]
    act(notices.amend, notice, by=no_officer, change_note="More.", material=True, entities=entities)
    link.refresh_from_db()  # still there
    osprey = notice.entities.get(name="Osprey Freight")
    assert links_of(osprey) == [LinkStatus.CONFIRMED]


def test_what_a_reader_is_shown_comes_only_from_items_they_may_read(
    alert, denial, dk_officer, no_officer, fi_officer, jp_viewer
):
    notice = alert(
        entity("Coral Reef Holdings", "Коралловый риф", identifiers=[f"LEI {LEI}"]),
        audience="selected",
        recipient_states=["DK"],
    )
    notified = denial(
        "Coral Reef Holdings",
        aliases=["CRH Trading"],
        address="PO Box 7, Dubai",
        audience="selected",
        recipient_states=["NO"],
    )
    party = notified.parties.get(role="end_user")
    registry.confirm(party.registry_links.get(), by=dk_officer)
    known = party.registry_links.get().entity

    seen = registry.view_of(known, dk_officer)
    names = {name: script for name, script, _alias, _item in seen.names}
    assert names == {
        "Coral Reef Holdings": "Latin",
        "Коралловый риф": "Cyrillic",
        "CRH Trading": "Latin",
    }
    assert [str(identifier) for identifier, _item in seen.identifiers] == [f"LEI: {LEI}"]
    assert [address for address, _c, _item in seen.addresses] == ["PO Box 7, Dubai"]
    assert {s.item for s in seen.sightings} == {notice, notified}

    # Finland reads neither item: no entity at all. Norway reads both.
    assert registry.view_of(known, fi_officer) is None
    assert registry.view_of(known, jp_viewer) is None
    assert {s.item for s in registry.view_of(known, no_officer).sightings} == {notice, notified}
    assert Entity.objects.visible_to(fi_officer).count() == 0


def test_a_relation_cites_an_item_of_the_recording_state_naming_the_entity(
    alert, denial, dk_officer, no_officer, fi_officer
):
    front = alert(entity("Blue Lagoon Trading"), audience="selected", recipient_states=["DK"])
    notified = denial("Coral Reef Holdings", audience="selected", recipient_states=["NO"])
    front_entity = front.entities.get().registry_links.get().entity
    denied_entity = notified.parties.get(role="end_user").registry_links.get().entity

    with pytest.raises(ValidationError) as refused:
        registry.relate(
            front_entity,
            by=no_officer,
            kind="front_for",
            other=str(denied_entity.pk),
            cited=f"denial:{notified.pk}",
        )
    assert "cited" in refused.value.message_dict  # a Danish denial: not Norway's to cite
    made = registry.relate(
        front_entity,
        by=no_officer,
        kind="front_for",
        other=str(denied_entity.pk),
        cited=f"notice:{front.pk}",
    )
    assert (made.subject, made.kind, made.object, made.notice) == (
        front_entity,
        "front_for",
        denied_entity,
        front,
    )
    with pytest.raises(ValidationError):  # the same, again
        registry.relate(
            front_entity,
            by=no_officer,
            kind="front_for",
            other=str(denied_entity.pk),
            cited=f"notice:{front.pk}",
        )

    seen = registry.view_of(denied_entity, dk_officer)
    (related,) = seen.relations
    assert (related.sentence, related.removable) == (
        "“Coral Reef Holdings” uses “Blue Lagoon Trading” as a front",
        False,
    )
    assert registry.view_of(front_entity, no_officer).relations[0].removable
    assert Relation.objects.visible_to(fi_officer).count() == 0

    with pytest.raises(PermissionDenied):
        registry.unrelate(made, by=dk_officer)
    registry.unrelate(made, by=no_officer)
    assert not Relation.objects.exists()
    assert AuditEntry.objects.filter(action="registry.relation_removed").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "cousin_of"}, "kind"),
        ({"other": "not-a-uuid"}, "other"),
        ({"other": "00000000-0000-0000-0000-000000000000"}, "other"),
        ({"direction": "sideways"}, "direction"),
        ({"cited": "notice:nope"}, "cited"),
    ],
)
def test_a_bad_relation_is_refused_with_a_message_and_changes_nothing(
    alert, no_officer, data, field
):
    front = alert(entity("Blue Lagoon Trading"), entity("Coral Reef Holdings", country="CY"))
    first, second = (row.registry_links.get().entity for row in front.entities.all())
    good = {"kind": "front_for", "other": str(second.pk), "cited": f"notice:{front.pk}"}
    with pytest.raises(ValidationError) as refused:
        registry.relate(first, by=no_officer, **{**good, **data})
    assert field in refused.value.message_dict
    assert not Relation.objects.exists()


def test_rows_linked_later_by_the_sweep(alert, django_capture_on_commit_callbacks, no_officer):
    from sharing.notices import services as notices
    from tests.sharing.conftest import notice_content

    content = notice_content(entities=[entity("Coral Reef Holdings")])
    notices.publish(notices.create(by=no_officer, **content), by=no_officer)  # not dispatched
    assert not EntityLink.objects.exists()
    assert registry.link_pending() == {"suggested": 0, "founded": 1}
    assert registry.link_pending() == {"suggested": 0, "founded": 0}


def test_the_sweep_suggests_between_items_it_links_together(no_officer):
    """Two alerts published before the registry (or whose tasks were lost) naming the
    same broker: the first founds the entity, the second is suggested to it."""
    from sharing.notices import services as notices
    from tests.sharing.conftest import notice_content

    for title in ("First sighting", "Second sighting"):
        content = notice_content(title=title, entities=[entity("Osprey Freight FZE")])
        notices.publish(notices.create(by=no_officer, **content), by=no_officer)
    assert registry.link_pending() == {"suggested": 1, "founded": 1}
    (suggestion,) = EntityLink.objects.filter(status=LinkStatus.SUGGESTED)
    assert suggestion.notice_entity.notice.title == "Second sighting"


def test_a_relation_is_gone_once_its_item_no_longer_names_either_entity(
    alert, act, no_officer, dk_officer
):
    from sharing.notices import services as notices

    pair = (entity("Blue Lagoon Trading"), entity("Coral Reef Holdings", country="CY"))
    cited = alert(*pair, title="The one that says so")
    front, denied = (row.registry_links.get().entity for row in cited.entities.order_by("position"))
    # Another alert names both too: the entities stay visible after the amendment below.
    for suggestion in EntityLink.objects.filter(
        notice_entity__notice=alert(*pair, title="Another"), status=LinkStatus.SUGGESTED
    ):
        registry.confirm(suggestion, by=no_officer)
    registry.relate(
        front, by=no_officer, kind="front_for", other=str(denied.pk), cited=f"notice:{cited.pk}"
    )
    assert Relation.objects.visible_to(dk_officer).count() == 1
    # Amended: both names dropped; the relation's evidence is gone with them.
    act(
        notices.amend,
        cited,
        by=no_officer,
        change_note="Names corrected.",
        material=True,
        entities=[entity("Osprey Freight")],
    )
    assert Entity.objects.visible_to(dk_officer).filter(pk__in=[front.pk, denied.pk]).count() == 2
    assert Relation.objects.visible_to(dk_officer).count() == 0


def test_a_suggestion_its_state_can_no_longer_see_is_dropped_and_the_name_linked_again(
    alert, act, denial, no_officer, dk_officer
):
    from sharing.notices import services as notices

    notice = alert(entity("Coral Reef Holdings"))
    party = denial("Coral Reef Holdings LLC").parties.get(role="end_user")
    (suggestion,) = party.registry_links.all()
    # Norway narrows its alert to Finland: Denmark no longer sees the entity suggested.
    act(
        notices.amend,
        notice,
        by=no_officer,
        change_note="Finland only.",
        material=True,
        audience="selected",
        recipient_states=["FI"],
    )
    assert list(registry.awaiting(dk_officer)) == []
    registry.link_pending()
    suggestion.refresh_from_db()
    assert suggestion.status == LinkStatus.REJECTED
    founded = party.registry_links.get(status=LinkStatus.CONFIRMED)
    assert founded.entity != suggestion.entity
