"""The registry's pages: an entity's page (404 without a readable item naming it), the
list with the suggestions awaiting the state's decision, and the acts posted from them."""

import random

import pytest
from django.urls import reverse

from portal.models import AuditEntry
from sharing.registry.choices import LinkStatus
from sharing.registry.models import Relation
from tests.sharing.registry.conftest import entity

pytestmark = pytest.mark.django_db

LEI = "5493001KJTIIGC8Y1R12"


def entity_of(row):
    return row.registry_links.get(status=LinkStatus.CONFIRMED).entity


def test_an_entity_page_shows_what_readable_items_say_and_404s_for_others(
    client, alert, denial, dk_officer, fi_officer
):
    notice = alert(
        entity("Coral Reef Holdings", "Коралловый риф", identifiers=[f"LEI {LEI}"]),
        audience="selected",
        recipient_states=["DK"],
    )
    known = entity_of(notice.entities.get())
    client.force_login(dk_officer)
    page = client.get(known.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Коралловый риф" in text and "Cyrillic" in text and LEI in text
    assert notice.reference in text or notice.title in text
    # Reading an AMBER item's names on the registry page is a reading of that item.
    assert AuditEntry.objects.filter(action="notice.viewed", actor=dk_officer).exists()
    # The alert's page links to it.
    assert known.get_absolute_url() in client.get(notice.get_absolute_url()).content.decode()

    client.force_login(fi_officer)
    assert client.get(known.get_absolute_url()).status_code == 404
    assert "Coral Reef" not in client.get(reverse("sharing:entity-list")).content.decode()


def test_a_suggestion_is_confirmed_from_the_list(client, alert, denial, dk_officer, dk_viewer):
    alert(entity("Coral Reef Holdings"))
    party = denial("Coral Reef Holdings LLC").parties.get(role="end_user")
    suggestion = party.registry_links.get()
    client.force_login(dk_viewer)
    assert "Same entity" not in client.get(reverse("sharing:entity-list")).content.decode()
    assert (
        client.post(reverse("sharing:entity-link-confirm", args=[suggestion.pk])).status_code == 404
    )

    client.force_login(dk_officer)
    listing = client.get(reverse("sharing:entity-list")).content.decode()
    assert "Suggestions awaiting your state" in listing and "Coral Reef Holdings LLC" in listing
    response = client.post(reverse("sharing:entity-link-confirm", args=[suggestion.pk]))
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == LinkStatus.CONFIRMED
    # Decided: no second time.
    assert (
        client.post(reverse("sharing:entity-link-reject", args=[suggestion.pk])).status_code == 404
    )


def test_a_relation_is_recorded_and_removed_from_the_page(client, alert, denial, no_officer):
    notice = alert(entity("Blue Lagoon Trading"), entity("Coral Reef Holdings", country="CY"))
    front, denied = (entity_of(row) for row in notice.entities.order_by("position"))
    client.force_login(no_officer)
    page = client.get(front.get_absolute_url()).content.decode()
    assert "Record a relation" in page
    bad = client.post(
        reverse("sharing:entity-relate", args=[front.pk]),
        {"kind": "front_for", "direction": "from", "other": str(denied.pk), "cited": "x"},
    )
    assert bad.status_code == 400 and not Relation.objects.exists()
    made = client.post(
        reverse("sharing:entity-relate", args=[front.pk]),
        {
            "kind": "front_for",
            "direction": "from",
            "other": str(denied.pk),
            "cited": f"notice:{notice.pk}",
        },
    )
    assert made.status_code == 302
    page = client.get(denied.get_absolute_url()).content.decode()
    assert "“Coral Reef Holdings” uses “Blue Lagoon Trading” as a front" in page
    relation = Relation.objects.get()
    assert client.post(reverse("sharing:entity-unrelate", args=[relation.pk])).status_code == 302
    assert not Relation.objects.exists()


def test_a_viewer_cannot_record_a_relation(client, alert, no_viewer):
    notice = alert(entity("Blue Lagoon Trading"), entity("Coral Reef Holdings", country="CY"))
    front, denied = (entity_of(row) for row in notice.entities.order_by("position"))
    client.force_login(no_viewer)
    assert "Record a relation" not in client.get(front.get_absolute_url()).content.decode()
    response = client.post(
        reverse("sharing:entity-relate", args=[front.pk]),
        {"kind": "front_for", "other": str(denied.pk), "cited": f"notice:{notice.pk}"},
    )
    assert response.status_code == 403 and not Relation.objects.exists()


@pytest.mark.parametrize("seed", range(3))
def test_randomised_registry_never_shows_a_name_from_an_unreadable_item(
    seed, client, alert, denial, dk_officer, no_officer, fi_officer, jp_viewer, fr_officer
):
    """Items naming look-alike entities with random audiences, confirmed and related;
    every reader's registry pages (list, search, each entity) and screening results
    show no name of an item they cannot read."""
    from sharing.denials.models import Denial
    from sharing.notices.models import Notice
    from sharing.registry import services as registry
    from sharing.screening import services as screening

    rng = random.Random(seed)
    states = ["DK", "FI", "JP", "FR"]
    names = []
    for number in range(6):
        marker = f"Zephyr{seed}{number}x"
        names.append(marker)
        audience = rng.choice(["subscribing", "selected"])
        if rng.random() < 0.5:
            reach = {"audience": audience, "recipient_states": rng.sample(["DK", *states], 1)}
            alert(entity(f"Coral Reef {marker}", identifiers=[f"LEI {LEI}"]), **reach)
        else:
            reach = {"audience": audience, "recipient_states": rng.sample(["NO", *states[1:]], 1)}
            notified = denial(f"Coral Reef {marker}", national_reference=f"DK-{marker}", **reach)
            for link in notified.parties.get(role="end_user").registry_links.filter(
                status=LinkStatus.SUGGESTED
            )[:1]:
                registry.confirm(link, by=dk_officer)
    readers = [dk_officer, no_officer, fi_officer, jp_viewer, fr_officer]
    for reader in readers:
        readable = {
            *(n.entities.get().name for n in Notice.objects.visible_to(reader)),
            *(p.name for d in Denial.objects.visible_to(reader) for p in d.parties.all()),
        }
        hidden = [m for m in names if not any(m in name for name in readable)]
        client.force_login(reader)
        pages = [
            client.get(reverse("sharing:entity-list")).content.decode(),
            client.get(reverse("sharing:entity-list"), {"q": "Coral"}).content.decode(),
        ]
        for known in registry.Entity.objects.all():
            response = client.get(known.get_absolute_url())
            assert response.status_code in (200, 404)
            pages.append(response.content.decode())
        if reader.role != "viewer":
            result = screening.screen(
                by=reader, end_user="Coral Reef", end_user_identifiers=f"LEI {LEI}"
            )
            pages.append(repr(result.matches) + repr(result.notices))
        for marker in hidden:
            assert not any(marker in page for page in pages), (reader.username, marker)
