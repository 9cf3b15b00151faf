"""The exports (docs/interfaces.md, "Exports"): CSV for spreadsheets, FollowTheMoney
for screening engines. Each opens with the reference reader of its format (Python's
csv module, the followthemoney library), holds what the reader's list holds with the
list's filters, is streamed, is named after its strictest marking, and is audited. Who
gets which rows is test_channel_visibility.py."""

import csv
import io
import json

import pytest
from followthemoney import model as ftm

from portal.models import AuditEntry
from sharing.denials import services as denials
from tests.sharing.conftest import denial_content

pytestmark = pytest.mark.django_db


def body(response) -> str:
    assert response.status_code == 200, getattr(response, "content", b"")
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response))))


@pytest.fixture
def no_api(api_for, no_viewer):
    return api_for(no_viewer)


@pytest.fixture
def shared(make_notice, dk_officer):
    """Two Danish notices Norway reads, GREEN and AMBER, and a Danish denial."""
    return {
        "green": make_notice(tlp="green", title="Green one"),
        "amber": make_notice(tlp="amber", title="Amber one"),
        "denial": denials.publish(by=dk_officer, **denial_content()),
    }


# --- Notices --------------------------------------------------------------------------------


def test_the_notices_csv_holds_the_apis_notices(no_api, shared):
    response = no_api.get("/api/v1/notices/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    listed = no_api.get("/api/v1/notices/").json()["results"]
    assert [row["id"] for row in rows] == [n["id"] for n in listed]
    for row, notice in zip(rows, listed, strict=True):
        for field in ("reference", "tlp", "title", "summary", "severity", "status", "kind"):
            assert row[field] == notice[field]
        assert row["categories"] == "; ".join(notice["categories"])
        assert row["control_codes"] == "; ".join(notice["control_codes"])
        assert row["entities"] == "; ".join(e["name"] for e in notice["entities"])
        assert row["author_state"] == notice["author_state"]
        assert row["version"] == str(notice["version"])
        assert row["url"] == notice["url"]
        assert row["published_at"].endswith("Z")  # ISO 8601, UTC


def test_the_file_name_carries_the_strictest_marking(no_api, shared):
    disposition = no_api.get("/api/v1/notices/export.csv")["Content-Disposition"]
    assert disposition.startswith('attachment; filename="notices-')
    assert disposition.endswith('-TLP-AMBER.csv"')
    green = no_api.get("/api/v1/notices/export.csv", {"tlp": "green"})
    assert green["Content-Disposition"].endswith('-TLP-GREEN.csv"')
    assert [row["title"] for row in csv_rows(green)] == ["Green one"]


def test_the_lists_filters_apply_and_bad_ones_are_a_400_in_json(no_api, shared):
    assert [
        r["title"] for r in csv_rows(no_api.get("/api/v1/notices/export.csv", {"q": "amber"}))
    ] == ["Amber one"]
    response = no_api.get("/api/v1/notices/export.csv", {"tlp": "mauve"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "tlp" in response.json()


@pytest.mark.parametrize("accept", ["text/csv", "application/json", "*/*", "image/png"])
def test_the_file_answers_whatever_accept_says(no_api, shared, accept):
    response = no_api.get("/api/v1/notices/export.csv", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_an_export_needs_a_token(anonymous_api):
    assert anonymous_api.get("/api/v1/notices/export.csv").status_code == 401
    assert anonymous_api.get("/api/v1/entities/export.csv").status_code == 401


def test_an_export_is_audited_with_its_counts_not_its_content(no_api, shared):
    # A parameter no filter knows is not recorded (it could hold anything).
    csv_rows(no_api.get("/api/v1/notices/export.csv", {"q": "Nimbus secret", "party": "Acme"}))
    entry = AuditEntry.objects.get(action="items.exported")
    assert entry.details == {
        "kind": "notices",
        "format": "csv",
        "rows": 0,
        "markings": {},
        "filters": {},
        "searched": True,
    }
    csv_rows(no_api.get("/api/v1/notices/export.csv", {"tlp": "amber"}))
    latest = AuditEntry.objects.filter(action="items.exported").latest("pk")
    assert latest.details["markings"] == {"amber": 1}
    assert latest.details["filters"] == {"tlp": "amber"}
    assert latest.actor.username == "no-viewer"


def test_text_that_would_start_a_formula_is_quoted(no_api, make_notice):
    make_notice(title='=HYPERLINK("http://example.com")', summary="+1 and -1 @here")
    [row] = csv_rows(no_api.get("/api/v1/notices/export.csv"))
    assert row["title"] == '\'=HYPERLINK("http://example.com")'
    assert row["summary"] == "'+1 and -1 @here"


# --- Denials --------------------------------------------------------------------------------


def test_the_denials_csv_holds_the_apis_denials(no_api, shared):
    rows = csv_rows(no_api.get("/api/v1/denials/export.csv"))
    [denial] = no_api.get("/api/v1/denials/").json()["results"]
    [row] = rows
    for field in ("id", "national_reference", "tlp", "control_entry", "reason", "status"):
        assert row[field] == str(denial[field])
    assert row["decided_on"] == denial["decided_on"]
    assert row["end_user"] == "; ".join(
        p["name"] for p in denial["parties"] if p["role"] == "end_user"
    )
    assert row["catch_all"] == "false"


def test_the_denials_as_followthemoney_entities(no_api, shared):
    response = no_api.get("/api/v1/denials/export.ftm.jsonl")
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert response["Content-Disposition"].endswith('.ftm.jsonl"')
    lines = [json.loads(line) for line in body(response).splitlines()]
    for line in lines:  # each valid for its schema (required properties, values' types)
        assert ftm.get(line["schema"]).validate(line) is None, line
        assert set(line["properties"]) <= set(ftm.get(line["schema"]).properties)
    proxies = [ftm.get_proxy(line, cleaned=False) for line in lines]
    entities = {p.id: p for p in proxies if p.schema.name == "LegalEntity"}
    sanctions = [p for p in proxies if p.schema.name == "Sanction"]
    denial = shared["denial"]
    assert {p.first("name") for p in entities.values()} == {p.name for p in denial.parties.all()}
    assert len(sanctions) == len(entities)
    for sanction in sanctions:
        assert sanction.first("entity") in entities
        assert sanction.first("authorityId") == denial.national_reference
        assert sanction.first("startDate") == denial.decided_on.isoformat()
        assert sanction.first("authority").startswith("Denmark")
    for entity in entities.values():
        assert entity.first("country") == "ae"
        assert "export.control" in entity.get("topics")


def test_a_denial_awaiting_approval_is_no_sanction(api_for, dk_officer, dk_admin):
    from accounts.models import State

    State.objects.filter(pk="DK").update(approve_denials=True)
    pending = denials.submit_new(by=dk_officer, **denial_content(national_reference="DK-WAIT"))
    api = api_for(dk_admin)
    # Its own state's list (and CSV) holds it; a screening engine's file does not.
    assert str(pending.pk) in {row["id"] for row in csv_rows(api.get("/api/v1/denials/export.csv"))}
    assert "DK-WAIT" not in body(api.get("/api/v1/denials/export.ftm.jsonl"))
    assert "DK-WAIT" not in body(api.get("/api/v1/entities/export.csv"))


def test_the_entities_file_is_named_and_audited_by_its_own_rows(no_api, shared, make_notice):
    make_notice(tlp="red", audience="selected", recipient_states=["NO"], entities=[])
    response = no_api.get("/api/v1/entities/export.csv", {"country": "CY"})
    rows = csv_rows(response)
    assert {row["tlp"] for row in rows} == {"green", "amber"}
    # The RED notice names no entity: it is in no row, so neither in the name nor counts.
    assert response["Content-Disposition"].endswith('-TLP-AMBER.csv"')
    entry = AuditEntry.objects.filter(action="items.exported").latest("pk")
    assert entry.details["rows"] == len(rows)
    assert entry.details["markings"] == {"green": 1, "amber": 1}
    assert {row["status"] for row in rows} == {"published"}


def test_a_denial_the_reader_cannot_see_is_in_no_export(api_for, shared, dk_officer, fr_viewer):
    hidden = denials.publish(
        by=dk_officer,
        **denial_content(
            national_reference="DK-HIDDEN", audience="selected", recipient_states=["NO"]
        ),
    )
    api = api_for(fr_viewer)
    rows = csv_rows(api.get("/api/v1/denials/export.csv"))
    assert str(hidden.pk) not in {row["id"] for row in rows}
    assert "DK-HIDDEN" not in body(api.get("/api/v1/denials/export.ftm.jsonl"))
    assert "DK-HIDDEN" not in body(api.get("/api/v1/entities/export.csv"))


# --- Entities -------------------------------------------------------------------------------


def test_the_entities_of_notices_and_the_parties_of_denials(no_api, shared):
    rows = csv_rows(no_api.get("/api/v1/entities/export.csv"))
    by_source = {(row["source"], row["name"]) for row in rows}
    assert ("notice", "Nimbus Intercept Ltd") in by_source
    for party in shared["denial"].parties.all():
        assert ("denial", party.name) in by_source
    notice_rows = csv_rows(no_api.get("/api/v1/entities/export.csv", {"source": "notice"}))
    assert {row["source"] for row in notice_rows} == {"notice"}
    assert {row["tlp"] for row in notice_rows} == {"green", "amber"}
    green = csv_rows(no_api.get("/api/v1/entities/export.csv", {"tlp": "green"}))
    assert {row["source_reference"] for row in green} == {shared["green"].reference}
    cy = csv_rows(no_api.get("/api/v1/entities/export.csv", {"country": "CY"}))
    assert {row["country"] for row in cy} == {"CY"}
    assert csv_rows(no_api.get("/api/v1/entities/export.csv", {"state": "FI"})) == []


@pytest.mark.parametrize(
    "params", [{"source": "x"}, {"country": "cyprus"}, {"tlp": "mauve"}, {"state": "DNK"}]
)
def test_bad_entity_filters_are_a_400(no_api, params):
    response = no_api.get("/api/v1/entities/export.csv", params)
    assert response.status_code == 400
    assert next(iter(params)) in response.json()


# --- From the list pages ---------------------------------------------------------------------


def test_the_notice_list_offers_its_rows_as_csv(client, no_viewer, shared):
    client.force_login(no_viewer)
    page = client.get("/notices/", {"tlp": "green"}).content.decode()
    assert 'href="/notices/export.csv?tlp=green"' in page
    assert "Download CSV" in page
    rows = csv_rows(client.get("/notices/export.csv", {"tlp": "green"}))
    assert [row["title"] for row in rows] == ["Green one"]
    assert AuditEntry.objects.filter(action="items.exported", actor=no_viewer).exists()


def test_the_denial_list_offers_its_rows_as_csv(client, no_viewer, shared):
    client.force_login(no_viewer)
    assert 'href="/denials/export.csv"' in client.get("/denials/").content.decode()
    [row] = csv_rows(client.get("/denials/export.csv"))
    assert row["id"] == str(shared["denial"].pk)


def test_a_page_export_with_bad_filters_goes_back_to_the_list(client, no_viewer):
    client.force_login(no_viewer)
    response = client.get("/notices/export.csv", {"tlp": "mauve"})
    assert response.status_code == 302
    assert response["Location"] == "/notices/?tlp=mauve"


def test_a_page_export_needs_a_session(client):
    response = client.get("/notices/export.csv")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
