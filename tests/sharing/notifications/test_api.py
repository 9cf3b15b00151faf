"""The caller's inbox, the one search, and the small endpoints (me, states)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEntry
from sharing.notices import services as notices
from sharing.notifications.models import Notification
from tests.sharing.conftest import notice_content
from tests.sharing.notifications.test_notification_pages import long_texts_read

pytestmark = pytest.mark.django_db


def test_me(api_for, no_viewer):
    assert api_for(no_viewer).get("/api/v1/me/").json() == {
        "username": "no-viewer",
        "role": "viewer",
        "state": {"code": "NO", "name": "Norway"},
    }


def test_states_lists_every_state_with_its_status(api_for, no_viewer, observer_state):
    data = api_for(no_viewer).get("/api/v1/states/").json()

    states = {s["code"]: s for s in data["results"]}
    assert len(states) == 26  # the 25 seeded and the observer
    assert states["US"] == {
        "code": "US",
        "name": "United States",
        "status": "subscribing",
        "founding": True,
    }
    assert states["CL"]["status"] == "observer"
    assert data["next"] is None


def test_the_inbox_is_the_callers_own_unread_first_filtered(
    api_for, no_viewer, no_officer, fr_viewer, make_notice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_notice(audience="selected", recipient_states=["NO"], title="First")
    with django_capture_on_commit_callbacks(execute=True):
        make_notice(audience="selected", recipient_states=["NO"], title="Second")
    api = api_for(no_viewer)

    inbox = api.get("/api/v1/notifications/").json()["results"]

    assert [n["title"] for n in inbox] == ["Second", "First"]
    assert inbox[1]["subject_type"] == "notice" and inbox[1]["subject_id"] == str(first.pk)
    assert inbox[1]["reference"] == first.reference
    assert inbox[1]["tlp"] == "amber"
    assert inbox[1]["url"].endswith(f"/notices/{first.pk}/")
    assert api_for(fr_viewer).get("/api/v1/notifications/").json()["results"] == []

    one = inbox[1]["id"]
    read = api.post(f"/api/v1/notifications/{one}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    unread = api.get("/api/v1/notifications/?unread=true").json()["results"]
    assert [n["title"] for n in unread] == ["Second"]
    assert [
        n["title"] for n in api.get("/api/v1/notifications/?unread=false").json()["results"]
    ] == ["First"]
    assert api.get("/api/v1/notifications/?unread=maybe").status_code == 400

    # Someone else's notification does not exist for you.
    assert api_for(no_officer).post(f"/api/v1/notifications/{one}/read/").status_code == 404

    marked = api.post("/api/v1/notifications/read-all/")
    assert marked.json() == {"marked": 1}
    assert not Notification.objects.filter(user=no_viewer, read_at__isnull=True).exists()


def test_search_finds_only_what_the_reader_may_read(
    api_for, no_viewer, fr_viewer, make_notice, make_practice
):
    to_norway = make_notice(
        audience="selected", recipient_states=["NO"], tlp="green", title="Nimbus sells spyware"
    )
    practice = make_practice(body="Ask about Nimbus and its resellers.")

    norway = api_for(no_viewer).get("/api/v1/search/?q=Nimbus").json()
    france = api_for(fr_viewer).get("/api/v1/search/?q=Nimbus").json()
    notices_only = api_for(no_viewer).get("/api/v1/search/?q=Nimbus&type=notice").json()

    assert [(hit["type"], hit["id"]) for hit in norway["results"]] == [
        ("notice", str(to_norway.pk)),
        ("best_practice", str(practice.pk)),
    ]
    assert norway["results"][0]["title"] == "Nimbus sells spyware"
    assert "<mark>Nimbus</mark>" in norway["results"][0]["snippet"]
    assert norway["results"][0]["url"].endswith(f"/notices/{to_norway.pk}/")
    assert [hit["type"] for hit in france["results"]] == ["best_practice"]
    assert [hit["type"] for hit in notices_only["results"]] == ["notice"]


def test_restricted_notices_have_no_snippet_carry_their_marking_and_are_audited(
    api_for, no_viewer, make_notice
):
    red = make_notice(tlp="red", audience="selected", recipient_states=["NO"], title="Nimbus red")

    hit = api_for(no_viewer).get("/api/v1/search/?q=Nimbus").json()["results"][0]

    assert hit["title"] == "Nimbus red" and hit["snippet"] == ""
    assert hit["tlp"] == "red" and hit["reference"] == red.reference
    assert AuditEntry.objects.filter(action="notice.viewed", object_id=str(red.pk)).count() == 1


def test_search_pages(api_for, no_viewer, make_notice):
    for number in range(25):
        make_notice(title=f"Nimbus {number}", entities=[])
    api = api_for(no_viewer)

    first = api.get("/api/v1/search/?q=Nimbus").json()
    second = api.get(first["next"]).json()

    assert first["count"] == 25 and len(first["results"]) == 20
    assert len(second["results"]) == 5 and second["next"] is None
    assert second["previous"].endswith("page=1")


@pytest.mark.parametrize(
    "query", ["", "?q=", "?q=x&type=", "?q=x&type=documents", "?q=x&page=0", "?q=x&page=a"]
)
def test_bad_search_parameters_are_refused(api_for, no_viewer, query):
    response = api_for(no_viewer).get(f"/api/v1/search/{query}")

    assert response.status_code == 400
    assert response.json()


@pytest.mark.parametrize(
    "q", ['"unbalanced', "a <-> b", "x:* & !y", "(((", "évaluation", "監視", "a" * 5000, "\u200b"]
)
def test_odd_queries_never_fail(api_for, no_viewer, make_notice, q):
    make_notice(**notice_content(title="Surveillance évaluation 監視"))

    response = api_for(no_viewer).get("/api/v1/search/", {"q": q})

    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 12])
def test_the_inbox_and_a_thread_run_a_fixed_number_of_queries(
    api_for,
    no_viewer,
    no_officer,
    make_notice,
    make_practice,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
    size,
):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(size):
            notice = make_notice(audience="selected", recipient_states=["NO"], title=f"n{number}")
            make_practice(by=no_officer, title=f"p{number}")
    for number in range(size):
        notices.comment(notice, by=no_officer, body=f"Comment {number}")
    api = api_for(no_viewer)
    api.get("/api/v1/me/")

    # The token, then a page of notifications with their notices and practices joined.
    with django_assert_num_queries(2):
        inbox = api.get("/api/v1/notifications/?page_size=200")
    # The token, the notice (and its prefetched content), the audit of reading an AMBER
    # notice's discussion, then a page of comments.
    with django_assert_num_queries(10):
        thread = api.get(f"/api/v1/notices/{notice.pk}/comments/")

    assert len(inbox.json()["results"]) == size
    assert len(thread.json()["results"]) == size


def test_the_inbox_reads_no_long_text_of_what_it_lists(
    api_for, no_viewer, make_notice, make_practice, dk_officer, django_capture_on_commit_callbacks
):
    """A notification names its subject by title, reference and marking: the bodies and
    search fields of notices and practices stay in the database (the page's rule too)."""
    with django_capture_on_commit_callbacks(execute=True):
        make_notice(audience="subscribing", title="A notice")
        make_practice(by=dk_officer, title="A practice", audience="subscribing")
    api = api_for(no_viewer)
    with CaptureQueriesContext(connection) as queries:
        listed = api.get("/api/v1/notifications/").json()["results"]
    assert {row["title"] for row in listed} == {"A notice", "A practice"}
    assert long_texts_read(queries) == []
