"""The API's side of auditing reads of restricted content (finding 10 of issue 17): one
row per request, naming what was shown."""

import pytest

from sharing.denials import services as denial_services
from tests.personas import persona
from tests.sharing.common.test_reading_audit import named, rows, three_denials
from tests.sharing.conftest import consultation_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def denials(dk_officer):
    return three_denials(dk_officer)


@pytest.fixture
def consultation(denials, seeded_states):
    fi_officer = persona("fi-officer")
    return denial_services.open_consultation(denials[0], by=fi_officer, **consultation_content())


def test_the_api_audits_consultations_and_their_thread(api_for, consultation, dk_officer):
    api = api_for(dk_officer)
    base = f"/api/v1/consultations/{consultation.pk}/"
    for url in ("/api/v1/consultations/", base, f"{base}messages/"):
        assert api.get(url).status_code == 200, url
    assert len(rows("consultation.viewed")) == 3


def test_an_api_list_of_many_restricted_items_writes_one_row(api_for, denials, no_viewer):
    api_for(no_viewer).get("/api/v1/denials/")
    (row,) = rows("denial.viewed")
    assert named(row) == {denials[0].audit_label(), denials[1].audit_label()}


def test_an_api_list_of_notices_writes_one_row(api_for, make_notice, no_viewer):
    notices = [make_notice(title=f"n{i}", tlp="amber") for i in range(3)]
    api_for(no_viewer).get("/api/v1/notices/")
    (row,) = rows("notice.viewed")
    assert named(row) == {notice.audit_label() for notice in notices}


def test_the_versions_of_a_notice_once_restricted_are_an_audited_reading(
    api_for, redacted_notice, no_viewer
):
    response = api_for(no_viewer).get(f"/api/v1/notices/{redacted_notice.pk}/versions/")
    assert response.status_code == 200
    (row,) = rows("notice.viewed")
    assert row.details["versions"] == [{"version": 1, "tlp": "amber+strict"}]
