"""Exporters' self-screening: the public list in versions (JSON, CSV, FollowTheMoney,
deltas), the screening API and page, and what never reaches them."""

import csv
import hashlib
import io
import json

import pytest
from django.test import Client
from followthemoney import model as ftm

from sharing.advisories import public_list
from sharing.advisories import services as advisories
from sharing.advisories.models import PublicListVersion
from sharing.notices import services as notices

pytestmark = pytest.mark.django_db

NIMBUS = [{"name": "Nimbus Intercept Ltd", "confirmed": True}]


@pytest.fixture
def listed(amber_notice, make_advisory):
    """A released CLEAR advisory naming the AMBER notice's entity."""
    return make_advisory(source=amber_notice, entities=NIMBUS)


def test_a_clear_release_makes_a_version_and_green_or_drafts_do_not(amber_notice, make_advisory):
    assert public_list.current().number == 0
    make_advisory(source=amber_notice, entities=NIMBUS, tlp="green")
    make_advisory(source=amber_notice, entities=NIMBUS, release=False)
    assert public_list.current().number == 0
    advisory = make_advisory(source=amber_notice, entities=NIMBUS)
    version = public_list.current()
    assert (version.number, version.count) == (1, 1)
    (entity,) = public_list.entities_at(1)
    assert entity["name"] == "Nimbus Intercept Ltd" and entity["advisory"] == advisory.reference
    assert entity["aliases"] == ["Nimbus"] and entity["identifiers"] == ["HE 123456"]
    assert "notes" not in entity
    assert version.sha256 == hashlib.sha256(public_list.canonical([entity])).hexdigest()


def test_withdrawal_and_amendment_make_new_versions_with_deltas(
    listed, amber_notice, no_officer, no_admin, act
):
    (before,) = public_list.entities_at(1)
    act(
        advisories.submit, listed, by=no_officer, act="amend", change_note="No entity.", entities=[]
    )
    act(advisories.approve, listed, by=no_admin)
    assert public_list.current().number == 2 and public_list.entities_at(2) == []
    act(advisories.submit, listed, by=no_officer, act="amend", change_note="Back.", entities=NIMBUS)
    act(advisories.approve, listed, by=no_admin)
    act(notices.withdraw, amber_notice, by=no_officer, reason="Cleared.")
    assert public_list.current().number == 4
    assert public_list.entities_at(3) == [before] and public_list.entities_at(4) == []
    assert public_list.entities_at(1) == [before]  # an old version stays as it was
    change = public_list.delta(1, public_list.current())
    assert (change.added, change.removed) == ([], [before["id"]])
    change = public_list.delta(2, PublicListVersion.objects.get(number=3))
    assert ([e["id"] for e in change.added], change.removed) == ([before["id"]], [])
    # Nothing changes, no version.
    assert public_list.refresh() is None


def test_list_json_csv_and_ftm_with_since(listed):
    visitor = Client()
    whole = visitor.get("/public/v1/list.json")
    data = whole.json()
    assert (data["version"], data["count"]) == (1, 1)
    assert data["sha256"] == hashlib.sha256(public_list.canonical(data["entities"])).hexdigest()
    assert whole["X-List-Version"] == "1"
    delta = visitor.get("/public/v1/list.json?since=0").json()
    assert [e["id"] for e in delta["added"]] == [data["entities"][0]["id"]]
    assert visitor.get("/public/v1/list.json?since=1").json()["added"] == []
    for bad in ("2", "-1", "x", "1.0", "", "²", "٣", "9" * 5000):
        response = visitor.get(f"/public/v1/list.json?since={bad}")
        assert response.status_code == 400, bad
        assert "since" in response.json()
    rows = list(csv.DictReader(io.StringIO(visitor.get("/public/v1/list.csv").content.decode())))
    assert rows[0]["name"] == "Nimbus Intercept Ltd" and rows[0]["aliases"] == "Nimbus"
    lines = visitor.get("/public/v1/list.ftm.json").content.decode().splitlines()
    entities = [ftm.get_proxy(json.loads(line)) for line in lines]
    (entity,) = entities
    assert entity.schema.name == "Company"
    assert entity.get("name") == ["Nimbus Intercept Ltd"] and entity.get("country") == ["cy"]
    assert entity.get("topics") == ["export.control"]
    assert entity.get("registrationNumber") == ["HE 123456"]
    delta_lines = visitor.get("/public/v1/list.ftm.json?since=0").content.decode().splitlines()
    assert [json.loads(line)["op"] for line in delta_lines] == ["ADD"]


def test_screen_one_name_through_the_api(listed):
    response = Client().get(
        "/public/v1/screen", {"name": "NIMBUS INTERCEPT LIMITED", "country": "cy"}
    )
    assert response.status_code == 200
    body = response.json()
    (match,) = body["matches"]
    assert match["score"] == 100
    assert match["entity"]["advisory"] == listed.reference
    assert any("Same country: CY" in reason for reason in match["reasons"])
    alias = Client().get("/public/v1/screen", {"name": "Nimbus"}).json()["matches"]
    assert alias and "alias" in alias[0]["reasons"][0]
    nothing = Client().get("/public/v1/screen", {"name": "Completely Unrelated GmbH"}).json()
    assert nothing["matches"] == []
    # A lone mark with no letter to compare (it divided by zero once): no match, no 500.
    for mark in ("ー", "ㅤ"):
        answer = Client().get("/public/v1/screen", {"name": mark})
        assert answer.status_code == 200 and answer.json()["matches"] == []


def test_screen_many_names_and_refuse_bad_input(listed):
    visitor = Client()
    body = {"parties": [{"name": "Nimbus Intercept"}, {"name": "Nobody", "country": "FR"}]}
    response = visitor.post("/public/v1/screen", body, content_type="application/json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [len(r["matches"]) for r in results] == [1, 0]
    too_many = {"parties": [{"name": f"Name {i}"} for i in range(101)]}
    for bad in (
        too_many,
        {"parties": []},
        {"parties": [{"name": ""}]},
        {"parties": [{"name": 42}]},
        {"parties": [{"name": "X", "country": "ZZ"}]},
        {"parties": [{"name": "X", "extra": 1}]},
        {"parties": [{"name": "X"}], "threshold": "high"},
        {"parties": [{"name": "X"}], "everything": True},
        {"parties": "Nimbus"},
    ):
        response = visitor.post("/public/v1/screen", bad, content_type="application/json")
        assert response.status_code == 400, bad
    for query in ({}, {"name": ""}, {"name": "x" * 201}, {"name": "x", "country": "ZZ"}):
        assert visitor.get("/public/v1/screen", query).status_code == 400
    assert visitor.get("/public/v1/screen?name=%00").status_code == 400
    garbage = visitor.post("/public/v1/screen", b"\xff\xfe", content_type="application/json")
    assert garbage.status_code == 400


def test_the_public_api_is_rate_limited_per_address(listed, settings):
    settings.PUBLIC_RATE = "3/min"
    visitor = Client()
    codes = [visitor.get("/public/v1/screen", {"name": "Nimbus"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert other.get("/public/v1/list.json").status_code == 200


def test_its_own_openapi_document(listed):
    document = Client().get("/public/v1/openapi.json").json()
    assert set(document["paths"]) == {
        "/public/v1/screen",
        "/public/v1/list.json",
        "/public/v1/list.csv",
        "/public/v1/list.ftm.json",
    }
    assert set(document["paths"]["/public/v1/screen"]) == {"get", "post"}
    from openapi_spec_validator import validate

    validate(document)


def test_the_screening_page(listed, settings):
    visitor = Client()
    page = visitor.get("/screening/")
    assert page.status_code == 200 and b"Screen a name" in page.content
    assert "public" not in page.get("Cache-Control", "")
    result = visitor.post("/screening/", {"name": "Nimbus Intercept", "country": "CY"})
    text = result.content.decode()
    assert result.status_code == 200
    assert "Nimbus Intercept Ltd" in text and listed.reference in text and "Norway" in text
    assert visitor.post("/screening/", {"name": ""}).status_code == 400
    assert visitor.post("/screening/", {"name": "x", "country": "ZZ"}).status_code == 400
    settings.PUBLIC_RATE = "1/min"
    visitor.post("/screening/", {"name": "Nimbus"})
    limited = visitor.post("/screening/", {"name": "Nimbus"})
    assert limited.status_code == 429 and b"Too many screenings" in limited.content
    # Signing up for e-mails is counted apart: screening does not block it.
    assert visitor.get("/industry/sign-up/").status_code == 200
    form = {
        "state": "NO",
        "name": "A",
        "organisation": "B",
        "email": "a@b.example",
        "language": "en",
    }
    assert visitor.post("/industry/sign-up/", form).status_code == 200
