"""The best-practice endpoints of /api/v1/."""

import pytest

from sharing.common.models import Event
from sharing.practices import services as practices
from sharing.practices.models import BestPractice, Endorsement
from tests.sharing.conftest import pdf, practice_content

pytestmark = pytest.mark.django_db

PRACTICES = "/api/v1/best-practices/"


def url(practice, action="") -> str:
    return f"{PRACTICES}{practice.pk}/{action + '/' if action else ''}"


def test_the_lifecycle_draft_publish_amend_archive(api_for, no_officer):
    api = api_for(no_officer)

    created = api.post(PRACTICES, practice_content(co_authors=["DK"]), format="json")
    assert created.status_code == 201, created.json()
    practice = BestPractice.objects.get(pk=created.json()["id"])
    assert created.json()["lead_state"] == "NO" and created.json()["co_authors"] == ["DK"]
    assert created.json()["status"] == "draft"

    patched = api.patch(url(practice), {"doc_type": "guidance"}, format="json")
    assert patched.status_code == 200 and patched.json()["doc_type"] == "guidance"

    published = api.post(url(practice, "publish"))
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert Event.objects.filter(kind="best_practice.published", best_practice=practice).exists()

    amended = api.post(
        url(practice, "amend"),
        {"summary": "Revised.", "change_note": "2027 edition"},
        format="json",
    )
    assert amended.status_code == 200 and amended.json()["version"] == 2
    assert practice.revisions.get(version=2).change_note == "2027 edition"

    archived = api.post(url(practice, "archive"))
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    assert api.post(url(practice, "archive")).status_code == 409


def test_a_co_author_edits_but_only_the_lead_publishes(api_for, dk_officer, make_practice):
    practice = make_practice(publish=False, co_authors=["DK"])
    api = api_for(dk_officer)

    assert api.patch(url(practice), {"title": "Joint text"}, format="json").status_code == 200
    assert api.post(url(practice, "publish")).status_code == 403
    audience = api.patch(url(practice), {"audience": "community"}, format="json")
    assert audience.status_code == 400 and "audience" in audience.json()
    assert api.delete(url(practice)).status_code == 403


def test_others_read_but_may_not_change(api_for, fr_viewer, dk_officer, make_practice):
    practice = make_practice()
    draft = make_practice(publish=False, title="Norwegian draft")

    assert api_for(fr_viewer).get(url(practice)).status_code == 200
    assert (
        api_for(dk_officer).patch(url(practice), {"title": "x"}, format="json").status_code == 403
    )
    assert api_for(dk_officer).get(url(draft)).status_code == 404
    assert api_for(fr_viewer).post(PRACTICES, practice_content(), format="json").status_code == 403


def test_bad_content_is_a_400_naming_the_field(api_for, no_officer):
    response = api_for(no_officer).post(
        PRACTICES,
        practice_content(topics=["no-such-topic"], co_authors=["NO"]),
        format="json",
    )
    shape = api_for(no_officer).post(PRACTICES, practice_content(doc_type="poem"), format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"topics", "co_authors"}
    assert shape.status_code == 400 and set(shape.json()) == {"doc_type"}
    assert not BestPractice.objects.exists()


def test_endorsing_201_200_and_withdrawing(api_for, jp_admin, jp_viewer, make_practice):
    practice = make_practice()
    api = api_for(jp_admin)

    first = api.post(url(practice, "endorse"), {"kind": "endorsed"}, format="json")
    changed = api.post(
        url(practice, "endorse"), {"kind": "adopted", "note": "In our 2027 rules"}, format="json"
    )
    viewer = api_for(jp_viewer).post(url(practice, "endorse"), {"kind": "adopted"}, format="json")
    bad = api.post(url(practice, "endorse"), {"kind": "liked"}, format="json")

    assert first.status_code == 201 and first.json()["state"] == "JP"
    assert changed.status_code == 200 and changed.json()["kind"] == "adopted"
    assert viewer.status_code == 403
    assert bad.status_code == 400 and "kind" in bad.json()
    shown = api_for(jp_viewer).get(url(practice)).json()["endorsements"]
    assert [(e["state"], e["kind"], e["note"]) for e in shown] == [
        ("JP", "adopted", "In our 2027 rules")
    ]
    assert api.delete(url(practice, "endorse")).status_code == 204
    assert not Endorsement.objects.exists()


def test_the_lead_does_not_endorse_its_own(api_for, no_officer, make_practice):
    practice = make_practice()

    response = api_for(no_officer).post(
        url(practice, "endorse"), {"kind": "adopted"}, format="json"
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("topic=licensing", {"licensing"}),
        ("doc_type=guidance", {"licensing"}),
        ("lead_state=DK", {"danish"}),
        ("endorsed_by=JP", {"endorsed"}),
        ("status=archived", {"archived"}),
        ("q=diagram", {"endorsed", "danish", "archived"}),
    ],
)
def test_filters_narrow_the_list(
    api_for, fr_viewer, dk_officer, no_officer, jp_admin, make_practice, query, expected
):
    endorsed = make_practice(title="endorsed")
    practices.endorse(endorsed, by=jp_admin, kind="adopted")
    make_practice(title="licensing", topics=["licensing"], doc_type="guidance", body="Plain.")
    make_practice(by=dk_officer, title="danish")
    archived = make_practice(title="archived")
    practices.archive(archived, by=no_officer)

    response = api_for(fr_viewer).get(f"{PRACTICES}?{query}")

    assert response.status_code == 200, response.json()
    assert {p["title"] for p in response.json()["results"]} == expected


def test_files_of_a_draft_and_their_download(api_for, no_officer, fr_viewer, make_practice):
    draft = make_practice(publish=False)
    api = api_for(no_officer)

    upload = api.post(url(draft, "attachments"), {"file": pdf()}, format="multipart")
    assert upload.status_code == 201, upload.json()
    assert api_for(fr_viewer).get(upload.json()["download_url"]).status_code == 404

    practices.publish(draft, by=no_officer)
    assert api_for(fr_viewer).get(upload.json()["download_url"]).status_code == 200
    later = api.post(url(draft, "attachments"), {"file": pdf()}, format="multipart")
    assert later.status_code == 409


@pytest.mark.parametrize("size", [2, 10])
def test_the_list_runs_a_fixed_number_of_queries(
    api_for, fr_viewer, jp_admin, make_practice, django_assert_num_queries, size
):
    for number in range(size):
        practice = make_practice(
            title=f"p{number}", topics=["licensing", "end-use-checks"], co_authors=["DK"]
        )
        practices.endorse(practice, by=jp_admin, kind="endorsed")
    api = api_for(fr_viewer)
    api.get("/api/v1/me/")

    # The token, a page, then topics, co-authors and endorsements (with their states).
    with django_assert_num_queries(7):
        response = api.get(PRACTICES)

    assert len(response.json()["results"]) == size
