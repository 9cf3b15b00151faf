"""The registry over the API: the same visibility as the pages (404 for an entity no
readable item names), relations recorded, suggestions decided."""

import pytest

from sharing.registry.choices import LinkStatus
from sharing.registry.models import Relation
from tests.sharing.registry.conftest import entity

pytestmark = pytest.mark.django_db

LEI = "5493001KJTIIGC8Y1R12"


def entity_of(row):
    return row.registry_links.get(status=LinkStatus.CONFIRMED).entity


def test_an_entity_reads_as_the_page_shows_it(api_for, alert, dk_officer, fi_officer):
    notice = alert(
        entity("Coral Reef Holdings", "Коралловый риф", identifiers=[f"LEI {LEI}"]),
        audience="selected",
        recipient_states=["DK"],
    )
    known = entity_of(notice.entities.get())
    body = api_for(dk_officer).get(f"/api/v1/entities/{known.pk}/").json()
    assert body["name"] == "Coral Reef Holdings"
    assert {(n["name"], n["script"]) for n in body["names"]} == {
        ("Coral Reef Holdings", "Latin"),
        ("Коралловый риф", "Cyrillic"),
    }
    assert body["identifiers"][0] | {"item": None} == {
        "scheme": "lei",
        "country": "",
        "value": LEI,
        "item": None,
    }
    assert [item["id"] for item in body["items"]] == [str(notice.pk)]
    listed = api_for(dk_officer).get("/api/v1/entities/", {"q": "риф"}).json()["results"]
    assert [each["id"] for each in listed] == [str(known.pk)]

    finnish = api_for(fi_officer)
    assert finnish.get(f"/api/v1/entities/{known.pk}/").status_code == 404
    assert finnish.get("/api/v1/entities/").json()["results"] == []


def test_a_relation_is_recorded_over_the_api(api_for, alert, no_officer, no_viewer):
    notice = alert(entity("Blue Lagoon Trading"), entity("Coral Reef Holdings", country="CY"))
    front, denied = (entity_of(row) for row in notice.entities.order_by("position"))
    body = {"kind": "front_for", "other": str(denied.pk), "cited": f"notice:{notice.pk}"}
    assert (
        api_for(no_viewer).post(f"/api/v1/entities/{front.pk}/relations/", body).status_code == 403
    )
    refused = api_for(no_officer).post(
        f"/api/v1/entities/{front.pk}/relations/", {**body, "colour": "red"}, format="json"
    )
    assert refused.status_code == 400 and "colour" in refused.json()
    made = api_for(no_officer).post(f"/api/v1/entities/{front.pk}/relations/", body, format="json")
    assert made.status_code == 201
    assert made.json()["relations"][0]["sentence"] == (
        "“Blue Lagoon Trading” is a front for “Coral Reef Holdings”"
    )
    assert Relation.objects.count() == 1


def test_suggestions_are_listed_and_decided_by_the_naming_state(
    api_for, alert, denial, dk_officer, no_officer
):
    alert(entity("Coral Reef Holdings"))
    party = denial("Coral Reef Holdings LLC").parties.get(role="end_user")
    suggestion = party.registry_links.get()
    assert api_for(no_officer).get("/api/v1/registry-suggestions/").json()["results"] == []
    assert (
        api_for(no_officer)
        .post(f"/api/v1/registry-suggestions/{suggestion.pk}/confirm/")
        .status_code
        == 404
    )
    danish = api_for(dk_officer)
    (listed,) = danish.get("/api/v1/registry-suggestions/").json()["results"]
    assert listed["name"] == "Coral Reef Holdings LLC" and listed["item"]["kind"] == "denial"
    answer = danish.post(f"/api/v1/registry-suggestions/{suggestion.pk}/reject/")
    assert answer.status_code == 200
    suggestion.refresh_from_db()
    assert suggestion.status == LinkStatus.REJECTED
    assert party.registry_links.filter(status=LinkStatus.CONFIRMED).exists()
    assert danish.post(f"/api/v1/registry-suggestions/{suggestion.pk}/confirm/").status_code == 404


@pytest.mark.parametrize("query", ["%00", "Coral%00Reef", "x" * 5000, "%ED%A0%80", "%FF"])
def test_any_search_answers_without_error(client, api_for, alert, dk_officer, query):
    """Whatever bytes the search carries (a NUL, an unpaired surrogate, invalid UTF-8)."""
    alert(entity("Coral Reef Holdings"))
    client.force_login(dk_officer)
    assert client.get(f"/entities/?q={query}").status_code == 200
    # The API refuses control characters and undecodable bytes in any parameter (400).
    assert api_for(dk_officer).get(f"/api/v1/entities/?q={query}").status_code in (200, 400)


@pytest.mark.parametrize("size", [2, 8])
def test_the_lists_keep_their_query_budget(
    client, api_for, alert, no_officer, dk_officer, size, django_assert_num_queries
):
    from sharing.registry import services as registry

    notice = alert(*(entity(f"Coral Reef {n} Holdings", country="CY") for n in range(size)))
    first, *rest = (entity_of(row) for row in notice.entities.order_by("position"))
    for other in rest:
        registry.relate(
            first, by=no_officer, kind="owned_by", other=str(other.pk), cited=f"notice:{notice.pk}"
        )
    api = api_for(dk_officer)
    api.get("/api/v1/entities/")
    # token with its user, the page, its rows, their relations, the audit row of an AMBER
    # reading (the related rows are among the page's)
    with django_assert_num_queries(5):
        assert len(api.get("/api/v1/entities/").json()["results"]) == size
    client.force_login(dk_officer)
    client.get("/entities/")
    # session, user, the count, the page, its rows, the suggestions awaiting (none), the
    # audit row of an AMBER reading
    with django_assert_num_queries(7):
        assert client.get("/entities/").status_code == 200


@pytest.mark.parametrize("query", ["", "Nimbus\x1fIntercept", "\x00"])
def test_a_query_the_document_refuses_is_a_400_naming_q(api_for, dk_officer, query):
    """Found by the schema fuzzer: an empty query, or one with control characters,
    was answered 200 while the OpenAPI document says it is refused."""
    response = api_for(dk_officer).get("/api/v1/entities/", {"q": query})
    assert response.status_code == 400
    assert "q" in response.json()
