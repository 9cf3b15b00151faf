"""An act refused because of where its object stands (published already, withdrawn,
answered, recorded) answers 409 Conflict, documented as such; an act refused because of
what was sent answers 400. Nothing changes either way."""

import pytest

from sharing.denials import services as denials
from sharing.notices import services as notices
from sharing.practices import services as practices
from tests.sharing.conftest import consultation_content, denial_content, pdf, practice_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def dk(api_for, dk_officer):
    return api_for(dk_officer)


def conflict(response) -> dict:
    assert response.status_code == 409, (response.status_code, response.content)
    return response.json()


def test_publishing_a_published_notice(dk, make_notice):
    notice = make_notice()
    conflict(dk.post(f"/api/v1/notices/{notice.pk}/publish/", format="json"))


def test_changing_or_deleting_a_published_notice(dk, make_notice):
    notice = make_notice()
    conflict(dk.patch(f"/api/v1/notices/{notice.pk}/", {"title": "New"}, format="json"))
    conflict(dk.delete(f"/api/v1/notices/{notice.pk}/"))
    response = dk.post(
        f"/api/v1/notices/{notice.pk}/attachments/", {"file": pdf()}, format="multipart"
    )
    conflict(response)


def test_amending_a_draft_or_a_withdrawn_notice_or_with_no_change(dk, make_notice, dk_officer):
    draft = make_notice(publish=False)
    conflict(
        dk.post(
            f"/api/v1/notices/{draft.pk}/amend/",
            {"title": "X", "change_note": "Why."},
            format="json",
        )
    )
    published = make_notice()
    conflict(
        dk.post(f"/api/v1/notices/{published.pk}/amend/", {"change_note": "Why."}, format="json")
    )
    notices.withdraw(published, by=dk_officer, reason="Done.")
    conflict(
        dk.post(
            f"/api/v1/notices/{published.pk}/amend/",
            {"title": "X", "change_note": "Why."},
            format="json",
        )
    )
    conflict(
        dk.post(f"/api/v1/notices/{published.pk}/withdraw/", {"reason": "Again."}, format="json")
    )


def test_amending_a_draft_best_practice(api_for, no_officer):
    practice = practices.create(by=no_officer, **practice_content())
    response = api_for(no_officer).post(
        f"/api/v1/best-practices/{practice.pk}/amend/",
        {"title": "X", "change_note": "Why."},
        format="json",
    )
    conflict(response)


@pytest.fixture
def denial(dk_officer):
    return denials.publish(by=dk_officer, **denial_content())


def test_a_notified_denial_is_not_published_again_nor_deleted(dk, denial):
    conflict(dk.post(f"/api/v1/denials/{denial.pk}/publish/", format="json"))
    conflict(dk.delete(f"/api/v1/denials/{denial.pk}/"))
    conflict(dk.patch(f"/api/v1/denials/{denial.pk}/", {"reason": "X"}, format="json"))


def test_a_revoked_denial_is_neither_revoked_again_nor_amended_nor_renewed(dk, denial, dk_officer):
    denials.revoke(denial, by=dk_officer, reason="Overturned.")
    conflict(dk.post(f"/api/v1/denials/{denial.pk}/revoke/", {"reason": "Again."}, format="json"))
    conflict(
        dk.post(
            f"/api/v1/denials/{denial.pk}/amend/",
            {"reason": "New.", "change_note": "Why."},
            format="json",
        )
    )
    conflict(
        dk.post(f"/api/v1/denials/{denial.pk}/renew/", {"review_on": "2031-01-01"}, format="json")
    )


def test_a_consultation_is_answered_extended_and_decided_once(
    api_for, denial, dk_officer, fi_officer
):
    consultation = denials.open_consultation(denial, by=fi_officer, **consultation_content())
    fi = api_for(fi_officer)
    base = f"/api/v1/consultations/{consultation.pk}"
    # Deciding the licence before the denying state answered: where it stands refuses it.
    conflict(fi.post(f"{base}/outcome/", {"outcome": "granted"}, format="json"))
    dk = api_for(dk_officer)
    extend = {"working_days": 15, "reason": "Checking with customs."}
    assert dk.post(f"{base}/extend/", extend, format="json").status_code == 200
    conflict(dk.post(f"{base}/extend/", {**extend, "working_days": 20}, format="json"))
    answer = {"answer": "Yes, the same end-user."}
    assert dk.post(f"{base}/answer/", answer, format="json").status_code == 200
    conflict(dk.post(f"{base}/answer/", answer, format="json"))
    conflict(dk.post(f"{base}/extend/", {**extend, "working_days": 25}, format="json"))
    assert fi.post(f"{base}/outcome/", {"outcome": "refused"}, format="json").status_code == 200
    conflict(fi.post(f"{base}/outcome/", {"outcome": "refused"}, format="json"))


def test_what_was_sent_is_still_a_400(dk, make_notice):
    notice = make_notice(publish=False)
    response = dk.patch(f"/api/v1/notices/{notice.pk}/", {"tlp": "mauve"}, format="json")
    assert response.status_code == 400


def test_the_document_names_409_where_it_can_happen(client):
    document = client.get("/api/v1/schema/?format=json").json()
    for method, path in [
        ("post", "/api/v1/notices/{id}/publish/"),
        ("patch", "/api/v1/notices/{id}/"),
        ("delete", "/api/v1/notices/{id}/"),
        ("post", "/api/v1/notices/{id}/attachments/"),
        ("post", "/api/v1/denials/{id}/renew/"),
        ("post", "/api/v1/consultations/{id}/answer/"),
        ("post", "/api/v1/consultations/{id}/extend/"),
        ("post", "/api/v1/consultations/{id}/outcome/"),
        ("post", "/api/v1/best-practices/{id}/amend/"),
    ]:
        assert "409" in document["paths"][path][method]["responses"], (method, path)


def test_an_amendment_that_changes_nothing_changes_nothing(dk, make_notice, dk_officer):
    notice = make_notice()
    denial = denials.publish(by=dk_officer, **denial_content())
    for path in (f"/api/v1/notices/{notice.pk}/amend/", f"/api/v1/denials/{denial.pk}/amend/"):
        body = conflict(dk.post(path, {"change_note": "Nothing"}, format="json"))
        assert "non_field_errors" in body
    notice.refresh_from_db()
    denial.refresh_from_db()
    assert (notice.version, denial.version) == (1, 1)
