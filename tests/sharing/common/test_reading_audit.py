"""Every read of AMBER, AMBER+STRICT or RED content is audited, on pages and in the API
alike, in one row per request naming what was shown: denial lists (they show end-users'
names), consultations and their threads, and API lists. Pins finding 10 of issue 17."""

import pytest

from portal.models import AuditEntry
from sharing.denials import services as denial_services
from tests.sharing.conftest import consultation_content, denial_content

pytestmark = pytest.mark.django_db


def three_denials(by):
    """Two AMBER denials and a GREEN one, all to every subscribing state."""
    return [
        denial_services.publish(by=by, **denial_content(national_reference=ref, tlp=tlp))
        for ref, tlp in (("DK-1", "amber"), ("DK-2", "amber"), ("DK-3", "green"))
    ]


@pytest.fixture
def denials(dk_officer):
    return three_denials(dk_officer)


@pytest.fixture
def consultation(denials, fi_officer):
    return denial_services.open_consultation(denials[0], by=fi_officer, **consultation_content())


def rows(action: str):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def named(row) -> set[str]:
    return {item["object"] for item in row.details["shown"]}


def test_the_denial_list_page_is_one_audited_reading_naming_what_it_showed(
    client, denials, no_viewer
):
    client.force_login(no_viewer)
    page = client.get("/denials/")
    assert page.status_code == 200 and "Nimbus Intercept Ltd" in page.content.decode()
    (row,) = rows("denial.viewed")
    assert row.actor == no_viewer and row.object_id == ""
    assert named(row) == {denials[0].audit_label(), denials[1].audit_label()}
    assert {item["tlp"] for item in row.details["shown"]} == {"amber"}


def test_a_list_of_green_denials_alone_writes_nothing(client, dk_officer, no_viewer):
    denial_services.publish(by=dk_officer, **denial_content(tlp="green"))
    client.force_login(no_viewer)
    client.get("/denials/")
    assert rows("denial.viewed") == []


def test_a_consultation_page_is_an_audited_reading(client, consultation, fi_officer, dk_officer):
    for reader in (fi_officer, dk_officer):
        client.force_login(reader)
        assert client.get(consultation.get_absolute_url()).status_code == 200
    readings = rows("consultation.viewed")
    assert [(r.actor, r.object_id) for r in readings] == [
        (fi_officer, str(consultation.pk)),
        (dk_officer, str(consultation.pk)),
    ]
    assert readings[0].details["tlp"] == "amber"


def test_the_consultation_board_is_one_audited_reading(client, consultation, dk_officer):
    client.force_login(dk_officer)
    assert "Nimbus Systems" in client.get("/consultations/").content.decode()
    (row,) = rows("consultation.viewed")
    assert row.object_id == str(consultation.pk)


# --- Every page that shows restricted content (the outside re-review) ----------------------


def test_a_page_showing_an_earlier_restricted_version_is_audited(
    client, redacted_notice, no_viewer
):
    # The notice is GREEN now; its history shows version 1, AMBER+STRICT, to Norway.
    client.force_login(no_viewer)
    client.get(redacted_notice.get_absolute_url())
    (row,) = rows("notice.viewed")
    assert row.object_id == str(redacted_notice.pk)
    assert row.details["versions"] == [{"version": 1, "tlp": "amber+strict"}]


def test_a_green_page_with_a_green_history_writes_nothing(client, make_notice, fr_viewer):
    notice = make_notice(tlp="green")
    client.force_login(fr_viewer)
    client.get(notice.get_absolute_url())
    assert rows("notice.viewed") == []


@pytest.mark.parametrize(
    ("path", "data"),
    [("comments", {"body": ""}), ("acknowledge", {"level": "dire"})],
)
def test_a_refused_form_that_shows_the_page_again_is_audited(
    client, make_notice, no_officer, path, data
):
    notice = make_notice(tlp="amber")
    client.force_login(no_officer)
    response = client.post(f"/notices/{notice.pk}/{path}/", data)
    assert response.status_code == 400
    assert len(rows("notice.viewed")) == 1


def test_the_edit_and_amend_pages_of_a_restricted_notice_are_audited(
    client, make_notice, dk_officer
):
    draft = make_notice(tlp="red", audience="selected", recipient_states=["NO"], publish=False)
    published = make_notice(tlp="amber")
    client.force_login(dk_officer)
    assert client.get(f"/notices/{draft.pk}/edit/").status_code == 200
    assert client.get(f"/notices/{published.pk}/amend/").status_code == 200
    assert [r.object_id for r in rows("notice.viewed")] == [str(draft.pk), str(published.pk)]


def test_the_amend_and_consult_pages_of_a_restricted_denial_are_audited(
    client, denials, dk_officer, fi_officer
):
    client.force_login(dk_officer)
    assert client.get(f"/denials/{denials[0].pk}/amend/").status_code == 200
    client.force_login(fi_officer)
    assert client.get(f"/denials/{denials[0].pk}/consult/").status_code == 200
    assert len(rows("denial.viewed")) == 2


def test_a_refused_message_in_a_consultation_is_audited(client, consultation, dk_officer):
    client.force_login(dk_officer)
    response = client.post(f"/consultations/{consultation.pk}/messages/", {"body": ""})
    assert response.status_code == 400
    assert len(rows("consultation.viewed")) == 1


def test_the_search_page_is_audited_like_the_search_api(client, make_notice, no_viewer):
    notice = make_notice(tlp="amber", title="Nimbus intercept reseller")
    client.force_login(no_viewer)
    assert "Nimbus intercept reseller" in client.get("/search/?q=Nimbus").content.decode()
    (row,) = rows("notice.viewed")
    assert row.object_id == str(notice.pk)
