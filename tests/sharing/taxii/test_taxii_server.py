"""The TAXII 2.1 server (docs/interfaces.md, "TAXII"): its addresses, media types,
errors, filters and paging, the versions a reader gets, and the audit of what it served.
The reference client's own run is test_taxii_client.py; the visibility matrix is
test_taxii_visibility.py."""

import datetime

import pytest
from django.core import signing
from django.utils import timezone

from portal.models import AuditEntry
from sharing.denials import services as denials
from sharing.notices import services as notices
from sharing.practices import services as practices
from sharing.taxii import stix
from tests.sharing.conftest import denial_content, practice_content
from tests.sharing.taxii.conftest import (
    ROOT,
    TAXII,
    collection_url,
    every_object,
    get,
    reports,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dk_api(api_for, dk_viewer):
    return api_for(dk_viewer)


# --- Discovery, the API root, collections ---------------------------------------------------


def test_discovery_names_one_api_root(dk_api):
    response = get(dk_api, "/taxii2/")
    assert response.status_code == 200
    assert response["Content-Type"] == TAXII
    body = response.json()
    assert body["api_roots"] == [f"http://testserver{ROOT}"]
    assert body["default"] == f"http://testserver{ROOT}"


def test_the_api_root_speaks_taxii_2_1(dk_api):
    body = get(dk_api, ROOT).json()
    assert body["versions"] == [TAXII]


def test_four_read_only_collections(dk_api):
    found = get(dk_api, f"{ROOT}collections/").json()["collections"]
    assert [c["alias"] for c in found] == ["notices", "denials", "best-practices", "advisories"]
    for collection in found:
        assert collection["can_read"] is True
        assert collection["can_write"] is False
        assert collection["media_types"] == ["application/stix+json;version=2.1"]
        # Found by id as by alias.
        one = get(dk_api, f"{ROOT}collections/{collection['id']}/").json()
        assert one == collection


def test_an_unknown_collection_or_address_is_a_taxii_error(dk_api):
    for url in (f"{ROOT}collections/nope/", f"{ROOT}collections/nope/objects/", "/taxii2/x/y"):
        response = get(dk_api, url)
        assert response.status_code == 404
        assert response["Content-Type"] == TAXII
        assert response.json()["http_status"] == "404"
        assert response.json()["title"]


# --- Who may ask, and how ------------------------------------------------------------------


def test_without_a_token_the_answer_is_401(anonymous_api):
    response = get(anonymous_api, "/taxii2/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["http_status"] == "401"


def test_a_revoked_token_no_longer_works(api_for, dk_viewer):
    api = api_for(dk_viewer)
    assert get(api, "/taxii2/").status_code == 200
    from accounts.models import ApiToken

    ApiToken.objects.filter(user=dk_viewer).update(revoked_at=timezone.now())
    assert get(api, "/taxii2/").status_code == 401


def test_a_session_is_not_enough(client, dk_viewer):
    client.force_login(dk_viewer)
    assert client.get("/taxii2/", HTTP_ACCEPT=TAXII).status_code == 401


@pytest.mark.parametrize(
    "accept",
    ["", "*/*", "application/*", "application/taxii+json", TAXII, f"text/html, {TAXII}"],
)
def test_taxii_media_types_are_accepted(dk_api, accept):
    response = dk_api.get("/taxii2/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == TAXII


@pytest.mark.parametrize(
    "accept", ["text/html", "application/json", "application/taxii+json;version=2.0"]
)
def test_other_media_types_are_refused(dk_api, accept):
    response = dk_api.get("/taxii2/", HTTP_ACCEPT=accept)
    assert response.status_code == 406
    assert response["Content-Type"] == TAXII


def test_the_collections_are_read_only(dk_api, make_notice):
    url = collection_url("notices")
    response = dk_api.post(url, {"objects": []}, format="json", HTTP_ACCEPT=TAXII)
    assert response.status_code == 403
    notice_report = reports(dk_api, "notices")
    assert notice_report == {}
    notice = make_notice()
    report_id = stix.stix_id("report", "notice", notice.pk)
    response = dk_api.delete(collection_url("notices", f"objects/{report_id}/"), HTTP_ACCEPT=TAXII)
    assert response.status_code == 403


def test_the_requests_count_against_the_api_rate(api_for, dk_viewer, settings):
    settings.API_TOKEN_RATE = "2/min"
    api = api_for(dk_viewer)
    assert [get(api, "/taxii2/").status_code for _ in range(3)] == [200, 200, 429]


# --- What a collection holds ----------------------------------------------------------------


def test_the_reference_objects_come_first(dk_api):
    objects = every_object(dk_api, "notices")
    types = [o["type"] for o in objects]
    assert types[:5] == ["marking-definition"] * 5
    assert {o["id"] for o in objects[:5]} == set(stix.TLP_MARKINGS.values())
    assert "extension-definition" in types
    countries = {o.get("country") for o in objects if o["type"] == "location"}
    assert {"AE", "CY", "DK", "KP"} <= countries
    states = {o["name"] for o in objects if o["type"] == "identity"}
    assert {"Denmark", "Norway", "ECHRI Exchange"} <= states


def test_a_notice_becomes_a_report_by_its_state_about_its_entities_and_countries(
    dk_api, make_notice
):
    notice = make_notice()
    objects = {o["id"]: o for o in every_object(dk_api, "notices")}
    report = objects[stix.stix_id("report", "notice", notice.pk)]
    assert report["name"] == notice.title
    assert report["description"].startswith(notice.summary)
    assert report["created_by_ref"] == stix.state_identity_id("DK")
    assert objects[report["created_by_ref"]]["name"] == "Denmark"
    assert report["object_marking_refs"] == [stix.TLP_MARKINGS["amber"]]
    assert report["labels"] == ["intrusion-software"]
    assert report["x_echri_control_codes"] == ["4A005", "4D004"]
    assert report["x_echri_severity"] == "high"
    assert report["x_echri_notice_kind"] == "end_user_alert"
    assert report["x_echri_reference"] == notice.reference
    assert report["external_references"][0]["external_id"] == notice.reference
    entity, country = report["object_refs"]
    assert objects[country]["country"] == "AE"
    named = objects[entity]
    assert named["type"] == "identity"
    assert named["name"] == "Nimbus Intercept Ltd"
    assert named["identity_class"] == "organization"
    assert named["x_echri_aliases"] == ["Nimbus"]
    assert named["x_echri_country"] == "CY"
    assert named["x_echri_identifiers"] == ["HE 123456"]
    assert named["object_marking_refs"] == report["object_marking_refs"]


def test_a_denial_becomes_a_report_about_its_parties(api_for, dk_officer, no_viewer):
    denial = denials.publish(by=dk_officer, **denial_content())
    objects = {o["id"]: o for o in every_object(api_for(no_viewer), "denials")}
    report = objects[stix.stix_id("report", "denial", denial.pk)]
    assert report["x_echri_control_entry"] == denial.control_entry
    assert report["x_echri_reason_category"] == denial.reason_category
    parties = [objects[ref] for ref in report["object_refs"]]
    assert {p["name"] for p in parties} == {p.name for p in denial.parties.all()}
    assert {tuple(p["roles"]) for p in parties} == {("end-user",), ("consignee",)}


def test_a_best_practice_is_clear_when_public_green_otherwise(api_for, no_officer, dk_viewer):
    shared = practices.publish(practices.create(by=no_officer, **practice_content()), by=no_officer)
    public = practices.publish(
        practices.create(by=no_officer, **practice_content(title="Open", public=True)),
        by=no_officer,
    )
    objects = {o["id"]: o for o in every_object(api_for(dk_viewer), "best-practices")}
    marking = {
        item.pk: objects[stix.stix_id("report", "best_practice", item.pk)]["object_marking_refs"]
        for item in (shared, public)
    }
    assert marking == {
        shared.pk: [stix.TLP_MARKINGS["green"]],
        public.pk: [stix.TLP_MARKINGS["clear"]],
    }


def test_ids_are_the_same_on_every_request(dk_api, make_notice):
    make_notice()
    assert every_object(dk_api, "notices") == every_object(dk_api, "notices")


# --- Versions -------------------------------------------------------------------------------


@pytest.fixture
def amended(make_notice, dk_officer):
    notice = make_notice(audience="selected", recipient_states=["NO"], tlp="amber")
    return notices.amend(
        notice,
        by=dk_officer,
        change_note="Shared wider.",
        material=True,
        audience="subscribing",
        recipient_states=[],
        tlp="green",
    )


def test_an_amendment_is_a_new_version_of_the_same_report(api_for, amended, no_viewer):
    api = api_for(no_viewer)
    report_id = stix.stix_id("report", "notice", amended.pk)
    every = [o for o in every_object(api, "notices", **{"match[version]": "all"})]
    versions = [o for o in every if o["id"] == report_id]
    assert [v["x_echri_version"] for v in versions] == [1, 2]
    assert versions[0]["created"] == versions[1]["created"]
    assert versions[0]["modified"] < versions[1]["modified"]
    assert [v["object_marking_refs"] for v in versions] == [
        [stix.TLP_MARKINGS["amber"]],
        [stix.TLP_MARKINGS["green"]],
    ]
    # By default, the last version only (TAXII's match[version]=last).
    last = [o for o in every_object(api, "notices") if o["id"] == report_id]
    assert last == [versions[1]]
    first = every_object(api, "notices", **{"match[version]": "first", "match[id]": report_id})
    assert first == [versions[0]]
    exact = every_object(
        api, "notices", **{"match[version]": versions[0]["modified"], "match[id]": report_id}
    )
    assert exact == [versions[0]]


def test_a_version_that_did_not_reach_the_reader_is_never_served(api_for, amended, fr_viewer):
    api = api_for(fr_viewer)
    report_id = stix.stix_id("report", "notice", amended.pk)
    every = every_object(api, "notices", **{"match[version]": "all"})
    assert [o["x_echri_version"] for o in every if o["id"] == report_id] == [2]
    versions = get(api, collection_url("notices", f"objects/{report_id}/versions/")).json()
    assert len(versions["versions"]) == 1
    first = every_object(api, "notices", **{"match[version]": "first", "match[id]": report_id})
    assert [o["x_echri_version"] for o in first] == [2]


def test_one_object_and_its_versions(api_for, amended, no_viewer):
    api = api_for(no_viewer)
    report_id = stix.stix_id("report", "notice", amended.pk)
    one = get(api, collection_url("notices", f"objects/{report_id}/"))
    assert one.status_code == 200
    assert [o["x_echri_version"] for o in one.json()["objects"]] == [2]
    versions = get(api, collection_url("notices", f"objects/{report_id}/versions/")).json()
    assert versions["more"] is False
    assert len(versions["versions"]) == 2
    assert versions["versions"] == sorted(versions["versions"])


def test_an_object_one_cannot_read_is_not_found(api_for, make_notice, fr_viewer):
    notice = make_notice(audience="selected", recipient_states=["NO"])
    report_id = stix.stix_id("report", "notice", notice.pk)
    api = api_for(fr_viewer)
    for tail in (f"objects/{report_id}/", f"objects/{report_id}/versions/", "objects/junk/"):
        response = get(api, collection_url("notices", tail))
        assert response.status_code == 404
        assert response.json()["http_status"] == "404"


def test_a_withdrawn_notice_comes_back_revoked(api_for, make_notice, dk_officer, no_viewer):
    notice = make_notice()
    notices.withdraw(notice, by=dk_officer, reason="The reseller closed.")
    api = api_for(no_viewer)
    report_id = stix.stix_id("report", "notice", notice.pk)
    versions = every_object(api, "notices", **{"match[version]": "all", "match[id]": report_id})
    assert [v.get("revoked", False) for v in versions] == [False, True]
    assert versions[1]["x_echri_withdrawal_reason"] == "The reseller closed."
    assert versions[1]["modified"] > versions[0]["modified"]
    assert every_object(api, "notices", **{"match[id]": report_id}) == versions[1:]


def test_a_revoked_denial_comes_back_revoked(api_for, dk_officer, no_viewer):
    denial = denials.publish(by=dk_officer, **denial_content())
    denials.revoke(denial, by=dk_officer, reason="Decision overturned.")
    api = api_for(no_viewer)
    report_id = stix.stix_id("report", "denial", denial.pk)
    [last] = every_object(api, "denials", **{"match[id]": report_id})
    assert last["revoked"] is True


# --- Filters and paging ---------------------------------------------------------------------


def test_match_type_and_id(dk_api, make_notice):
    notice = make_notice()
    report_id = stix.stix_id("report", "notice", notice.pk)
    assert {o["type"] for o in every_object(dk_api, "notices", **{"match[type]": "report"})} == {
        "report"
    }
    both = every_object(dk_api, "notices", **{"match[type]": "report,marking-definition"})
    assert {o["type"] for o in both} == {"report", "marking-definition"}
    assert [o["id"] for o in every_object(dk_api, "notices", **{"match[id]": report_id})] == [
        report_id
    ]


def test_added_after_gives_what_was_added_since(dk_api, make_notice, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC), tick=False)
    old = make_notice(title="Old")
    time_machine.move_to(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC), tick=False)
    new = make_notice(title="New")
    response = get(dk_api, collection_url("notices"), added_after="2026-03-01T12:00:00Z")
    objects = response.json()["objects"]
    assert {o["id"] for o in objects if o["type"] == "report"} == {
        stix.stix_id("report", "notice", new.pk)
    }
    assert stix.stix_id("report", "notice", old.pk) not in {o["id"] for o in objects}
    # Nothing of the reference objects, added before.
    assert "marking-definition" not in {o["type"] for o in objects}
    assert response["X-TAXII-Date-Added-First"] == "2026-03-02T12:00:00.000000Z"
    assert response["X-TAXII-Date-Added-Last"] == "2026-03-02T12:00:00.000000Z"


def test_paging_with_next_serves_each_object_once_whatever_the_limit(dk_api, make_notice, settings):
    settings.API_TOKEN_RATE = settings.API_USER_RATE = "10000/min"
    for n in range(4):
        make_notice(title=f"Notice {n}")
    everything = every_object(dk_api, "notices")
    assert every_object(dk_api, "notices", limit=50) == everything
    # Past the reference objects, page by page in steps of every size.
    since = {"added_after": stix.timestamp(stix.REFERENCE_DATE)}
    items = every_object(dk_api, "notices", **since)
    assert len(items) == 8  # four reports, each naming one entity
    for limit in (1, 2, 3, 7):
        assert every_object(dk_api, "notices", limit=limit, **since) == items
    # A filtered walk pages as exactly.
    assert every_object(dk_api, "notices", limit=1, **{"match[type]": "report"}) == [
        o for o in everything if o["type"] == "report"
    ]


def test_a_page_holds_no_more_than_the_limit(dk_api):
    body = get(dk_api, collection_url("notices"), limit=3).json()
    assert len(body["objects"]) == 3
    assert body["more"] is True
    assert body["next"]


def test_the_manifest_lists_each_object_version(dk_api, make_notice):
    make_notice()
    objects = every_object(dk_api, "notices")
    manifest = every_object(dk_api, "notices", tail="manifest/")
    assert [m["id"] for m in manifest] == [o["id"] for o in objects]
    assert [m["version"] for m in manifest] == [o.get("modified", o["created"]) for o in objects]
    assert {m["media_type"] for m in manifest} == {"application/stix+json;version=2.1"}
    assert all(m["date_added"].endswith("Z") for m in manifest)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "x"},
        {"added_after": "yesterday"},
        {"next": "forged"},
        {"match[type]": "Report!"},
        {"match[id]": "report--nope"},
        {"match[version]": "latest"},
        {"match[spec_version]": "3.0"},
        {"match[relationship_type]": "uses"},
        {"filter": "x"},
        # Well-formed but not a moment, or one UTC cannot hold; digits int() refuses.
        {"added_after": "2026-13-01T00:00:00Z"},
        {"added_after": "9999-12-31T23:00:00-05:00"},
        {"match[version]": "2026-02-30T00:00:00Z"},
        {"match[version]": "9999-12-31T23:00:00-05:00"},
        {"limit": "²"},
        {"limit": "9" * 5000},
    ],
)
def test_bad_parameters_are_a_clear_400(dk_api, params):
    response = get(dk_api, collection_url("notices"), **params)
    assert response.status_code == 400
    body = response.json()
    assert body["http_status"] == "400"
    assert next(iter(params)) in body["description"]


def test_a_next_token_works_for_its_own_reader_only(api_for, dk_viewer, no_viewer):
    first = get(api_for(dk_viewer), collection_url("notices"), limit=1).json()
    response = get(api_for(no_viewer), collection_url("notices"), next=first["next"])
    assert response.status_code == 400
    # Nor in another collection.
    response = get(api_for(dk_viewer), collection_url("denials"), next=first["next"])
    assert response.status_code == 400
    tampered = signing.dumps(["2020-01-01T00:00:00+00:00", "a", 0], salt="other")
    assert get(api_for(dk_viewer), collection_url("notices"), next=tampered).status_code == 400


# --- The audit ----------------------------------------------------------------------------


def test_restricted_versions_served_are_audited(api_for, amended, no_viewer):
    api = api_for(no_viewer)
    before = AuditEntry.objects.count()
    every_object(api, "notices", **{"match[version]": "all"})
    entries = AuditEntry.objects.order_by("pk")[before:]
    shown = [
        item
        for entry in entries
        for item in (entry.details.get("shown") or [entry.details])
        if "tlp" in item
    ]
    # Version 1 (AMBER) was served; version 2 (GREEN) is not restricted.
    assert {"tlp": "amber", "version": 1} in [
        {"tlp": s["tlp"], "version": s["version"]} for s in shown
    ]


def test_nothing_restricted_served_writes_nothing(api_for, make_notice, no_viewer):
    make_notice(tlp="green")
    api = api_for(no_viewer)
    every_object(api, "notices")
    assert not AuditEntry.objects.filter(action="notice.viewed").exists()


def test_a_party_named_twice_is_one_identity_with_both_roles(api_for, dk_officer, no_viewer):
    both = {"role": "consignee", "name": "Nimbus Intercept Ltd", "country": "AE"}
    content = denial_content()
    denial = denials.publish(by=dk_officer, **{**content, "parties": [*content["parties"], both]})
    objects = every_object(api_for(no_viewer), "denials")
    ids = [o["id"] for o in objects]
    assert len(ids) == len(set(ids))
    report = next(o for o in objects if o["id"] == stix.stix_id("report", "denial", denial.pk))
    assert len(report["object_refs"]) == len(set(report["object_refs"])) == 2
    nimbus = next(o for o in objects if o.get("name") == "Nimbus Intercept Ltd")
    assert sorted(nimbus["roles"]) == ["consignee", "end-user"]


def test_kosovo_is_served_as_a_location(dk_api, make_notice):
    notice = make_notice(countries_of_concern=["XK"])
    objects = {o["id"]: o for o in every_object(dk_api, "notices")}
    report = objects[stix.stix_id("report", "notice", notice.pk)]
    assert all(ref in objects for ref in report["object_refs"])
    kosovo = objects[stix.country_location_id("XK")]
    assert (kosovo["name"], kosovo["x_echri_country"]) == ("Kosovo", "XK")


def test_an_exact_version_finds_what_versions_named(dk_api):
    marking = stix.TLP_MARKINGS["green"]
    [version] = get(dk_api, collection_url("notices", f"objects/{marking}/versions/")).json()[
        "versions"
    ]
    found = every_object(dk_api, "notices", **{"match[id]": marking, "match[version]": version})
    assert [o["id"] for o in found] == [marking]


def test_a_state_added_between_two_pages_shifts_nothing(dk_api, settings):
    settings.API_TOKEN_RATE = settings.API_USER_RATE = "10000/min"
    before = every_object(dk_api, "notices")
    first = get(dk_api, collection_url("notices"), limit=12).json()
    from accounts.models import State

    State.objects.create(code="AQ", name="Antarctic Test State")
    rest = every_object(dk_api, "notices", next=first["next"])
    walked = [o["id"] for o in first["objects"] + rest]
    assert len(walked) == len(set(walked))  # nothing twice
    assert {o["id"] for o in before} <= set(walked)  # nothing missed
