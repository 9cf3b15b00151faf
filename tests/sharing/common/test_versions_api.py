"""The API's side of version reach (finding 1 of issue 17): the versions and files of
an item reach a caller only if they reached the caller's state."""

import pytest

from sharing.denials import services as denials
from sharing.notices import services as notices
from sharing.practices import services as practices
from tests.sharing.conftest import SOURCE_LINE, notice_content, pdf

pytestmark = pytest.mark.django_db


def test_the_api_lists_only_the_versions_that_reached_the_caller(
    redacted_notice, api_for, fr_viewer, no_viewer
):
    url = f"/api/v1/notices/{redacted_notice.pk}/versions/"
    fr = api_for(fr_viewer).get(url)
    assert fr.status_code == 200
    assert [v["version"] for v in fr.json()["results"]] == [2]
    assert "KESTREL" not in fr.content.decode()
    no = api_for(no_viewer).get(url).json()["results"]
    assert [(v["version"], v["tlp"]) for v in no] == [(2, "green"), (1, "amber+strict")]
    assert SOURCE_LINE in no[1]["content"]["body"]


def test_the_api_refuses_a_removed_file_to_a_state_it_never_reached(
    redacted_notice, api_for, fr_viewer, no_viewer
):
    file_url = f"/api/v1/attachments/{redacted_notice.source_file.pk}/"
    assert api_for(fr_viewer).get(file_url).status_code == 404
    assert api_for(no_viewer).get(file_url).status_code == 200
    listed = api_for(fr_viewer).get(f"/api/v1/notices/{redacted_notice.pk}/attachments/")
    assert listed.json()["results"] == []


def test_the_api_removes_a_file_in_an_amendment(make_notice, dk_officer, api_for, fr_viewer):
    notice = notices.create(
        by=dk_officer,
        attachments=[pdf()],
        **notice_content(audience="selected", recipient_states=["NO"]),
    )
    notice = notices.publish(notice, by=dk_officer)
    file_id = str(notice.attachments.get().pk)
    response = api_for(dk_officer).post(
        f"/api/v1/notices/{notice.pk}/amend/",
        {
            "change_note": "File withdrawn, shared wider.",
            "audience": "subscribing",
            "remove_attachments": [file_id],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert api_for(fr_viewer).get(f"/api/v1/attachments/{file_id}/").status_code == 404


def test_the_api_lists_only_the_practice_versions_that_reached_the_caller(
    make_practice, no_officer, observer_user, api_for
):
    practice = make_practice(body=SOURCE_LINE, audience="subscribing")
    practices.amend(
        practice,
        by=no_officer,
        change_note="Wider.",
        material=True,
        body="Redacted.",
        audience="community",
    )
    versions = api_for(observer_user).get(f"/api/v1/best-practices/{practice.pk}/versions/")
    assert versions.status_code == 200
    assert [v["version"] for v in versions.json()["results"]] == [2]
    assert "KESTREL" not in versions.content.decode()


def test_the_api_lists_only_the_denial_versions_that_reached_the_caller(
    dk_officer, fr_viewer, no_viewer, api_for
):
    from tests.sharing.conftest import denial_content

    denial = denials.publish(
        by=dk_officer, **denial_content(audience="selected", recipient_states=["NO"])
    )
    denial = denials.amend(
        denial, by=dk_officer, change_note="Removed KESTREL.", reason="Risk to journalists."
    )
    denials.amend(denial, by=dk_officer, change_note="Wider.", audience="subscribing")
    url = f"/api/v1/denials/{denial.pk}/versions/"
    fr = api_for(fr_viewer).get(url)
    assert [v["version"] for v in fr.json()["results"]] == [3]
    assert "KESTREL" not in fr.content.decode()
    no = api_for(no_viewer).get(url).json()["results"]
    assert [v["version"] for v in no] == [3, 2, 1]
    assert no[1]["change_note"] == "Removed KESTREL."
    assert no[0]["tlp"] == "amber"


def test_the_api_thread_shows_comments_only_to_readers_of_their_version(
    dk_officer, no_officer, fr_viewer, api_for
):
    notice = notices.create(
        by=dk_officer, **notice_content(tlp="red", audience="selected", recipient_states=["NO"])
    )
    notice = notices.publish(notice, by=dk_officer)
    notices.comment(notice, by=no_officer, body="We know KESTREL.")
    notices.amend(
        notice,
        by=dk_officer,
        change_note="Wider.",
        material=True,
        tlp="green",
        audience="subscribing",
        recipient_states=[],
    )
    thread = api_for(fr_viewer).get(f"/api/v1/notices/{notice.pk}/comments/")
    assert thread.status_code == 200 and thread.json()["results"] == []
    assert (
        len(api_for(no_officer).get(f"/api/v1/notices/{notice.pk}/comments/").json()["results"])
        == 1
    )
