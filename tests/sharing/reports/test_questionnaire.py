"""The yearly questionnaire: drafts saved by a state's officials, submitted by its
admin, each submission a version; the secretariat sees who submitted, and answers only
where a state shared them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from portal.inputs import Conflict
from portal.models import AuditEntry
from sharing.reports import services
from sharing.reports.models import Submission
from tests.personas import persona

pytestmark = pytest.mark.django_db

YEAR = datetime.date.today().year
PAGE = f"/reports/{YEAR}/questionnaire/"
ANSWERS = f"/reports/{YEAR}/answers/"
SECRET = "Amended the Export Control Act, section 7 (KESTREL)"


@pytest.fixture
def secretariat(staff_user):
    """Platform staff in a browser of their own (the client fixture is shared)."""
    staff = Client()
    staff.force_login(staff_user)
    return staff


def form(**answers) -> dict:
    data = {"legal_changes": "", "licensing": "", "industry_outreach": "",
            "civil_society": "", "capacity_building": "", "lessons": ""}  # fmt: skip
    data.update(answers)
    return data


def test_an_officer_saves_a_draft_that_only_the_state_reads(
    client, dk_officer, dk_viewer, no_viewer, secretariat
):
    client.force_login(dk_officer)
    response = client.post(PAGE, {**form(legal_changes=SECRET), "save": ""})
    assert response.status_code == 302
    assert SECRET in client.get(PAGE).content.decode()
    assert "Not submitted yet" in client.get(PAGE).content.decode()
    client.force_login(dk_viewer)
    page = client.get(PAGE).content.decode()
    assert SECRET in page and "Save draft" not in page
    for reader in (no_viewer,):
        client.force_login(reader)
        assert SECRET not in client.get(ANSWERS).content.decode()
    assert SECRET not in secretariat.get(ANSWERS).content.decode()
    assert AuditEntry.objects.filter(action="questionnaire.saved").count() == 1


def test_an_officer_cannot_submit_and_a_viewer_cannot_write(client, dk_officer, dk_viewer):
    client.force_login(dk_officer)
    client.post(PAGE, {**form(lessons="Something"), "submit": ""})
    assert not Submission.objects.exists()
    with pytest.raises(PermissionDenied):
        services.submit(YEAR, by=dk_officer, answers=form(lessons="x"), shareable=False)
    client.force_login(dk_viewer)
    assert client.post(PAGE, {**form(lessons="Viewer"), "save": ""}).status_code == 403


def test_the_admin_submits_and_every_change_after_is_a_new_version(client, dk_admin, secretariat):
    client.force_login(dk_admin)
    response = client.post(PAGE, {**form(legal_changes=SECRET), "submit": ""})
    assert response.status_code == 302
    first = Submission.objects.get()
    assert (first.version, first.shareable, first.answers["legal_changes"]) == (1, False, SECRET)

    # Unchanged: refused, nothing added.
    response = client.post(PAGE, {**form(legal_changes=SECRET), "submit": ""})
    assert response.status_code == 400
    assert "Nothing has changed since version 1" in response.content.decode()

    client.post(PAGE, {**form(legal_changes=SECRET, lessons="Learnt."), "submit": ""})
    assert list(Submission.objects.values_list("version", flat=True)) == [2, 1]
    assert Submission.objects.get(version=1).answers["lessons"] == ""  # kept as it was
    assert AuditEntry.objects.filter(action="questionnaire.submitted").count() == 2

    # The secretariat sees that Denmark submitted, version 2, not what.
    page = secretariat.get(ANSWERS).content.decode()
    assert "Denmark" in page and SECRET not in page


def test_answers_marked_shareable_are_read_by_everyone_who_reads_reports(
    client, dk_admin, no_viewer, secretariat
):
    client.force_login(dk_admin)
    client.post(PAGE, {**form(legal_changes=SECRET), "shareable": "on", "submit": ""})
    client.force_login(no_viewer)
    assert SECRET in client.get(ANSWERS).content.decode()
    assert SECRET in secretariat.get(ANSWERS).content.decode()
    # Taken back with the next version: the earlier, shared version is not shown.
    client.force_login(dk_admin)
    client.post(PAGE, {**form(legal_changes=SECRET), "submit": ""})
    client.force_login(no_viewer)
    assert SECRET not in client.get(ANSWERS).content.decode()
    assert SECRET not in secretariat.get(ANSWERS).content.decode()


def test_bad_answers_are_refused_by_name_and_change_nothing(dk_admin, dk_officer):
    with pytest.raises(ValidationError) as refused:
        services.save(YEAR, by=dk_officer, answers={"motto": "x"})
    assert "motto" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.save(YEAR, by=dk_officer, answers={"lessons": "x" * 5001})
    assert "lessons" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.save(YEAR, by=dk_officer, answers={"lessons": ["a list"]})
    with pytest.raises(ValidationError):
        services.submit(YEAR, by=dk_admin, answers=form(), shareable=True)  # nothing answered
    with pytest.raises(ValidationError):
        services.save(2019, by=dk_officer, answers=form(lessons="x"))
    assert not Submission.objects.exists()
    assert services.questionnaire_of(dk_admin.state, YEAR) is None


def test_a_resubmission_racing_the_same_answers_conflicts(dk_admin):
    services.submit(YEAR, by=dk_admin, answers=form(lessons="One."), shareable=False)
    with pytest.raises(Conflict):
        services.submit(YEAR, by=dk_admin, answers=form(lessons="One."), shareable=False)


def test_who_reaches_the_questionnaire(client, secretariat, observer_user):
    assert secretariat.get(PAGE).status_code == 403
    client.force_login(observer_user)
    assert client.get(PAGE).status_code == 403
    client.force_login(persona("dk-viewer"))
    assert client.get(f"/reports/{YEAR + 1}/questionnaire/").status_code == 404
