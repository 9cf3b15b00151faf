"""The licence-denial, screening and consultation endpoints of /api/v1/: the whole loop
over the services, the same visibility as the pages (404), and who may act (403)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from portal.models import AuditEntry
from sharing.common.models import Event
from sharing.denials import services as denials
from sharing.denials.models import Consultation, ConsultationMessage, Denial, review_date
from sharing.screening import services as screening
from sharing.screening.models import Screening
from tests.factories import UserFactory
from tests.sharing.conftest import consultation_content, denial_content

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
DENIALS = "/api/v1/denials/"
CONSULTATIONS = "/api/v1/consultations/"
SCREEN = "/api/v1/denials/screen/"
# A Friday: a consultation opened then is due on Friday 4 December (10 Danish working days).
OPENED = datetime.datetime(2026, 11, 20, 9, tzinfo=UTC)


def url(obj, action="") -> str:
    base = DENIALS if isinstance(obj, Denial) else CONSULTATIONS
    return f"{base}{obj.pk}/{action + '/' if action else ''}"


@pytest.fixture
def make_denial(dk_officer):
    """make_denial(by=..., **content overrides) -> Denial, notified through the services."""

    def make(*, by=None, **overrides):
        return denials.publish(by=by or dk_officer, **denial_content(**overrides))

    return make


@pytest.fixture
def denial(make_denial):
    return make_denial()


@pytest.fixture
def consultation(denial, fi_officer):
    with time_machine.travel(OPENED, tick=False):
        return denials.open_consultation(denial, by=fi_officer, **consultation_content())


# --- Notifying ------------------------------------------------------------------------------


def test_an_officer_notifies_a_denial_with_its_defaults(api_for, dk_officer):
    body = denial_content(decided_on="2026-11-02")

    response = api_for(dk_officer).post(DENIALS, body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    denial = Denial.objects.get(pk=data["id"])
    assert data["state"] == "DK" and data["created_by"] == "dk-officer"
    assert data["national_reference"] == "DK-2026/0042"
    assert data["decided_on"] == "2026-11-02" and data["review_on"] == "2029-11-02"
    assert data["control_entry"] == "5A001.j" and data["catch_all"] is False
    assert data["reason_category"] == "human_rights"
    assert (data["status"], data["version"], data["tlp"], data["audience"]) == (
        "active",
        1,
        "amber",
        "subscribing",
    )
    assert data["recipient_states"] == []
    assert sorted(data["parties"], key=lambda p: p["role"]) == [
        {
            "role": "consignee",
            "name": "Falcon Trading FZE",
            "aliases": [],
            "address": "",
            "country": "AE",
        },
        {
            "role": "end_user",
            "name": "Nimbus Intercept Ltd",
            "aliases": ["Nimbus Systems"],
            "address": "PO Box 1, Dubai",
            "country": "AE",
        },
    ]
    assert data["screening_counts"] == {"screenings": 0, "states": 0}
    assert data["outcomes"] == []
    assert data["revoked_at"] is None and data["expired_at"] is None
    assert data["url"] == f"http://testserver{denial.get_absolute_url()}"
    assert Event.objects.filter(kind="denial.issued", denial=denial).count() == 1
    assert AuditEntry.objects.filter(action="denial.issued", object_id=str(denial.pk)).exists()


def test_a_catch_all_denial_for_selected_states(api_for, dk_officer):
    body = denial_content(
        control_entry="",
        catch_all=True,
        tlp="red",
        audience="selected",
        recipient_states=["NO", "FI"],
        review_on="2028-06-30",
    )

    response = api_for(dk_officer).post(DENIALS, body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["catch_all"] is True and data["control_entry"] == ""
    assert data["tlp"] == "red" and sorted(data["recipient_states"]) == ["FI", "NO"]
    assert data["review_on"] == "2028-06-30"


def test_viewers_and_observer_states_do_not_notify(api_for, dk_viewer, observer_state):
    cl_officer = UserFactory(username="cl-officer", state_id="CL", role="officer")

    for user in (dk_viewer, cl_officer):
        response = api_for(user).post(DENIALS, {}, format="json")  # 403 before the body
        assert response.status_code == 403, user
    assert not Denial.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"national_reference": ""}, "national_reference"),
        ({"decided_on": "2999-01-01"}, "decided_on"),
        ({"decided_on": "yesterday"}, "decided_on"),
        ({"control_entry": "not a code"}, "control_entry"),
        ({"control_entry": "", "catch_all": False}, "control_entry"),
        ({"control_entry": "5A001", "catch_all": True}, "control_entry"),
        ({"parties": []}, "parties"),
        ({"parties": [{"role": "consignee", "name": "Only a consignee"}]}, "parties"),
        ({"parties": [{"role": "buyer", "name": "X"}]}, "parties"),
        ({"parties": [{"role": "end_user", "name": "X", "country": "QQ"}]}, "parties"),
        ({"reason_category": "dislike"}, "reason_category"),
        ({"reason": ""}, "reason"),
        ({"item_description": "a\x01b"}, "item_description"),
        ({"tlp": "red"}, "audience"),
        ({"audience": "selected", "recipient_states": []}, "recipient_states"),
        ({"audience": "selected", "recipient_states": ["DK"]}, "recipient_states"),
        ({"review_on": "2026-01-01"}, "review_on"),
    ],
)
def test_bad_content_is_a_400_naming_the_field_and_changes_nothing(
    api_for, dk_officer, change, field
):
    response = api_for(dk_officer).post(DENIALS, denial_content(**change), format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Denial.objects.exists()
    assert not Event.objects.exists()


def test_a_reference_is_notified_once(api_for, dk_officer, denial):
    response = api_for(dk_officer).post(DENIALS, denial_content(), format="json")

    assert response.status_code == 400 and "national_reference" in response.json()
    assert Denial.objects.count() == 1


# --- Reading --------------------------------------------------------------------------------


def test_reading_follows_the_audience(
    api_for, make_denial, no_viewer, fr_viewer, observer_user, dk_viewer
):
    broad = make_denial()
    narrow = make_denial(
        national_reference="DK-2026/0043", audience="selected", recipient_states=["NO"]
    )

    def listed(user):
        return {d["id"] for d in api_for(user).get(DENIALS).json()["results"]}

    assert listed(dk_viewer) == listed(no_viewer) == {str(broad.pk), str(narrow.pk)}
    assert listed(fr_viewer) == {str(broad.pk)}
    assert listed(observer_user) == set()  # subscribing states only
    assert api_for(no_viewer).get(url(narrow)).json()["id"] == str(narrow.pk)
    for user in (fr_viewer, observer_user):
        response = api_for(user).get(url(narrow))
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_reading_a_restricted_denial_is_audited_in_lists_too(api_for, make_denial, no_viewer):
    amber = make_denial()
    make_denial(national_reference="DK-2026/0050", tlp="green")
    api = api_for(no_viewer)

    assert api.get(DENIALS).status_code == 200
    assert api.get(url(amber)).status_code == 200

    views = AuditEntry.objects.filter(action="denial.viewed")
    assert list(views.values_list("object_id", flat=True)) == [str(amber.pk)] * 2
    assert views.first().details == {"tlp": "amber", "version": 1}
    assert views.first().state_id == "NO"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"first", "second", "third"}),
        ("?status=revoked", {"third"}),
        ("?status=active", {"first", "second"}),
        ("?reason_category=diversion", {"second"}),
        ("?state=DK", {"first", "third"}),
        ("?state=NO", {"second"}),
        ("?destination=MM", {"second"}),
        ("?destination=AE", {"first", "third"}),
        ("?control_entry=5a001.J", {"first", "third"}),
        ("?control_entry=4A005", {"second"}),
        ("?q=nimbus", {"first", "third"}),
        ("?q=yangon%20probes", {"second"}),
        ("?q=DK-2026/0044", {"third"}),
        ("?q=Hawk", {"second"}),  # an alias
        ("?q=nimbus%20yangon", set()),
        ("?updated_since=2999-01-01T00:00:00Z", set()),
    ],
)
def test_the_filters_narrow_the_list(
    api_for, dk_officer, no_officer, fr_viewer, make_denial, query, expected
):
    names = {}
    names["first"] = make_denial()
    names["second"] = make_denial(
        by=no_officer,
        national_reference="NO-17",
        control_entry="4A005",
        reason_category="diversion",
        item_description="Intrusion software probes for Yangon.",
        parties=[
            {"role": "end_user", "name": "Yangon Watch", "aliases": ["Hawk"], "country": "MM"}
        ],
    )
    names["third"] = make_denial(national_reference="DK-2026/0044")
    denials.revoke(names["third"], by=dk_officer, reason="Granted after all.")

    response = api_for(fr_viewer).get(DENIALS + query)

    assert response.status_code == 200, response.json()
    ids = {item["id"] for item in response.json()["results"]}
    assert ids == {str(names[name].pk) for name in expected}


@pytest.mark.parametrize(
    "query",
    [
        "?status=gone",
        "?state=ZZ",
        "?destination=QQ",
        "?control_entry=not%20a%20code",
        "?q=",
        "?q=a%00b",
        "?updated_since=tomorrow",
        "?page_size=0",
    ],
)
def test_bad_filters_are_a_400(api_for, fr_viewer, denial, query):
    response = api_for(fr_viewer).get(DENIALS + query)

    assert response.status_code == 400
    assert response.json()


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_runs_a_fixed_number_of_queries(
    api_for, dk_officer, fi_officer, no_viewer, make_denial, django_assert_num_queries, size
):
    for number in range(size):
        denial = make_denial(
            national_reference=f"DK-{number}",
            tlp="amber" if number % 2 else "green",
            audience="selected",
            recipient_states=["NO", "FI", "DE"][: 2 + number % 2],
        )
        screening.screen(by=fi_officer, end_user="Nimbus Intercept")
        with time_machine.travel(OPENED, tick=False):
            consultation = denials.open_consultation(
                denial, by=fi_officer, **consultation_content()
            )
        denials.record_outcome(consultation, by=fi_officer, outcome="withdrawn")
    api = api_for(no_viewer)
    api.get("/api/v1/me/")  # the token's first use is recorded: not part of the budget

    # The token, a page of denials (with their screening counts), one query per related
    # list (parties, recipients, circulated outcomes) and one INSERT auditing the
    # restricted ones.
    with django_assert_num_queries(8):
        response = api.get(DENIALS)

    results = response.json()["results"]
    assert len(results) == size
    assert all(len(d["outcomes"]) == 1 for d in results)


def test_the_list_pages_with_a_cursor(api_for, no_viewer, make_denial):
    for number in range(3):
        make_denial(national_reference=f"DK-{number}")
    api = api_for(no_viewer)

    first = api.get(DENIALS + "?page_size=2").json()
    second = api.get(first["next"]).json()

    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert second["next"] is None and second["previous"]
    references = [d["national_reference"] for d in first["results"] + second["results"]]
    assert references == ["DK-2", "DK-1", "DK-0"]  # newest change first
    assert api.get(DENIALS + "?cursor=cD1ub3QtYS1kYXRl").status_code == 404  # p=not-a-date


# --- Amending, revoking, renewing -----------------------------------------------------------


def test_amending_publishes_a_new_version(api_for, dk_officer, denial):
    response = api_for(dk_officer).post(
        url(denial, "amend"),
        {"end_use": "Also border control.", "change_note": "Second end-use"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["version"] == 2 and data["status"] == "amended"
    assert data["end_use"] == "Also border control."
    assert len(data["parties"]) == 2  # what was not sent is kept
    assert denial.revisions.get(version=2).change_note == "Second end-use"
    assert Event.objects.filter(kind="denial.amended", denial=denial).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"end_use": "New"}, "change_note"),
        ({"end_use": "New", "change_note": ""}, "change_note"),
        ({"parties": [], "change_note": "No one"}, "parties"),
        ({"tlp": "red", "change_note": "Redder"}, "audience"),
    ],
)
def test_a_bad_amendment_is_a_400_and_changes_nothing(api_for, dk_officer, denial, body, field):
    response = api_for(dk_officer).post(url(denial, "amend"), body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    denial.refresh_from_db()
    assert denial.version == 1


def test_revoking_needs_a_reason_and_ends_the_denials_force(api_for, dk_officer, denial):
    api = api_for(dk_officer)

    assert api.post(url(denial, "revoke"), {}, format="json").status_code == 400
    response = api.post(url(denial, "revoke"), {"reason": "Granted after all."}, format="json")

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "revoked" and data["revoked_reason"] == "Granted after all."
    assert data["revoked_at"]
    for action, body in (
        ("revoke", {"reason": "Again"}),
        ("amend", {"end_use": "x", "change_note": "y"}),
        ("renew", {}),
    ):
        again = api.post(url(denial, action), body, format="json")
        assert again.status_code == 409, action
        assert "non_field_errors" in again.json()


def test_renewing_sets_the_next_review(api_for, dk_officer, denial):
    api = api_for(dk_officer)
    today = timezone.localdate()

    later = (today + datetime.timedelta(days=400)).isoformat()

    default = api.post(url(denial, "renew"), {}, format="json")
    chosen = api.post(url(denial, "renew"), {"review_on": later}, format="json")
    past = api.post(url(denial, "renew"), {"review_on": "2020-01-01"}, format="json")
    too_far = api.post(
        url(denial, "renew"), {"review_on": review_date(today, 6).isoformat()}, format="json"
    )

    assert default.status_code == 200
    assert default.json()["review_on"] == review_date(today).isoformat()
    assert chosen.status_code == 200 and chosen.json()["review_on"] == later
    assert past.status_code == too_far.status_code == 400 and "review_on" in past.json()
    assert Event.objects.filter(kind="denial.renewed", denial=denial).count() == 2


def test_only_the_notifying_states_officers_change_a_denial(
    api_for, dk_viewer, dk_admin, no_officer, fr_viewer, make_denial
):
    denial = make_denial(audience="selected", recipient_states=["NO"])
    acts = [
        ("amend", {"end_use": "x", "change_note": "y"}),
        ("revoke", {"reason": "no"}),
        ("renew", {}),
    ]

    for user, code in ((dk_viewer, 403), (no_officer, 403), (fr_viewer, 404)):
        api = api_for(user)
        for action, body in acts:
            response = api.post(url(denial, action), body, format="json")
            assert response.status_code == code, (user, action)
    denial.refresh_from_db()
    assert denial.version == 1 and denial.status == "active"
    renewed = api_for(dk_admin).post(url(denial, "renew"), {}, format="json")
    assert renewed.status_code == 200


# --- Screening ------------------------------------------------------------------------------


def test_screening_finds_a_denial_and_says_why(api_for, fi_officer, denial):
    body = {
        "end_user": "NIMBUS SYSTEMS",
        "consignee": "",
        "destination": "ae",
        "control_entry": "5A001.j",
        "item_description": "Deep packet inspection probes",
    }

    response = api_for(fi_officer).post(SCREEN, body, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    record = Screening.objects.get()
    assert data["screening"] == record.pk
    assert record.state_id == "FI" and record.query["destination"] == "AE"
    [match] = data["matches"]
    assert match["denial"]["id"] == str(denial.pk)
    assert match["denial"]["national_reference"] == "DK-2026/0042"
    assert match["denial"]["state"] == "DK" and match["denial"]["status"] == "active"
    assert {p["name"] for p in match["denial"]["parties"]} == {
        "Nimbus Intercept Ltd",
        "Falcon Trading FZE",
    }
    assert match["denial"]["url"].endswith(denial.get_absolute_url())
    assert 0 < match["score"] <= 100
    assert match["reasons"] and all(isinstance(r, str) for r in match["reasons"])
    assert match["matched_names"]
    assert match["matched_names"][0]["entered"] == "NIMBUS SYSTEMS"
    assert match["matched_names"][0]["matched"]
    entry = AuditEntry.objects.get(action="denial.screening")
    assert entry.details == {"shown": [str(denial.pk)]}


def test_screening_shows_only_denials_in_force_the_state_may_read(
    api_for, dk_officer, fr_officer, make_denial
):
    make_denial(audience="selected", recipient_states=["NO"])
    revoked = make_denial(national_reference="DK-2026/0099")
    denials.revoke(revoked, by=dk_officer, reason="Granted.")

    response = api_for(fr_officer).post(SCREEN, {"end_user": "Nimbus Intercept Ltd"}, format="json")

    assert response.status_code == 200 and response.json()["matches"] == []


def test_viewers_do_not_screen(api_for, fi_viewer, denial):
    response = api_for(fi_viewer).post(SCREEN, {}, format="json")  # 403 before the body

    assert response.status_code == 403
    assert not Screening.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "end_user"),
        ({"end_user": " ", "consignee": ""}, "end_user"),
        ({"end_user": "X", "destination": "QQ"}, "destination"),
        ({"end_user": "X", "destination": "ABC"}, "destination"),
        ({"end_user": "X", "control_entry": "nope"}, "control_entry"),
        ({"end_user": ["X"]}, "end_user"),
    ],
)
def test_bad_screening_input_is_a_400(api_for, fi_officer, body, field):
    response = api_for(fi_officer).post(SCREEN, body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Screening.objects.exists()


def test_screenings_are_counted_never_named(
    api_for, dk_officer, fi_officer, fr_officer, no_viewer, denial
):
    for user in (fi_officer, fi_officer, fr_officer, dk_officer):  # the last is its own
        screening.screen(by=user, end_user="Nimbus Intercept")

    for user in (dk_officer, no_viewer):
        data = api_for(user).get(url(denial)).json()
        assert data["screening_counts"] == {"screenings": 3, "states": 2}, user


# --- Consultations --------------------------------------------------------------------------


def test_opening_a_consultation(api_for, fi_officer, denial):
    with time_machine.travel(OPENED, tick=False):
        response = api_for(fi_officer).post(
            url(denial, "consultations"), consultation_content(destination="ae"), format="json"
        )

    assert response.status_code == 201, response.json()
    data = response.json()
    consultation = Consultation.objects.get(pk=data["id"])
    assert data["denial"] == str(denial.pk)
    assert (data["denying_state"], data["consulting_state"]) == ("DK", "FI")
    assert data["application_reference"] == "FI-EXP-2026-311"
    assert data["destination"] == "AE"
    assert data["status"] == "open" and data["working_days"] == 10
    assert data["due_on"] == "2026-12-04"
    assert data["working_days_left"] == 10
    assert data["outcome"] is None and data["answer"] == ""
    assert data["url"] == f"http://testserver{consultation.get_absolute_url()}"
    assert Event.objects.filter(kind="consultation.opened", consultation=consultation).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"application_reference": ""}, "application_reference"),
        ({"end_user": ""}, "end_user"),
        ({"destination": "QQ"}, "destination"),
        ({"control_entry": "nope"}, "control_entry"),
        ({"question": ""}, "question"),
    ],
)
def test_a_bad_consultation_is_a_400(api_for, fi_officer, denial, change, field):
    body = consultation_content(**change)

    response = api_for(fi_officer).post(url(denial, "consultations"), body, format="json")

    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Consultation.objects.exists()


def test_who_may_consult(api_for, dk_officer, fi_viewer, fr_officer, make_denial, fi_officer):
    denial = make_denial()
    narrow = make_denial(
        national_reference="DK-2026/0043", audience="selected", recipient_states=["NO"]
    )
    body = consultation_content()

    own = api_for(dk_officer).post(url(denial, "consultations"), body, format="json")
    viewer = api_for(fi_viewer).post(url(denial, "consultations"), {}, format="json")
    unseen = api_for(fr_officer).post(url(narrow, "consultations"), body, format="json")
    denials.revoke(denial, by=dk_officer, reason="Granted.")
    revoked = api_for(fi_officer).post(url(denial, "consultations"), body, format="json")

    assert own.status_code == 403  # a state does not consult itself
    assert viewer.status_code == 403
    assert unseen.status_code == 404
    assert revoked.status_code == 403
    assert not Consultation.objects.exists()


def test_the_two_states_list_their_consultations_and_no_one_else(
    api_for, consultation, dk_viewer, fi_viewer, no_viewer, fr_viewer
):
    def listed(user, query=""):
        response = api_for(user).get(CONSULTATIONS + query)
        assert response.status_code == 200
        return [c["id"] for c in response.json()["results"]]

    mine = [str(consultation.pk)]
    assert listed(dk_viewer) == listed(fi_viewer) == mine
    assert listed(dk_viewer, "?direction=incoming") == mine
    assert listed(dk_viewer, "?direction=outgoing") == []
    assert listed(fi_viewer, "?direction=outgoing") == mine
    assert listed(fi_viewer, "?direction=incoming") == []
    assert listed(fi_viewer, "?status=open") == mine
    assert listed(fi_viewer, "?status=answered") == []
    assert listed(no_viewer) == listed(fr_viewer) == []
    assert api_for(fi_viewer).get(CONSULTATIONS + "?direction=sideways").status_code == 400
    assert api_for(fi_viewer).get(CONSULTATIONS + "?status=").status_code == 400
    # Norway reads the denial, not the consultation about it.
    for path in (url(consultation), url(consultation, "messages")):
        response = api_for(no_viewer).get(path)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_the_deadline_counts_the_denying_states_working_days(api_for, consultation, fi_viewer):
    api = api_for(fi_viewer)

    # Tuesday 1 December: Wednesday, Thursday and Friday are left.
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False):
        before = api.get(url(consultation)).json()
    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, tzinfo=UTC), tick=False):
        after = api.get(url(consultation)).json()

    assert before["due_on"] == "2026-12-04" and before["working_days_left"] == 3
    assert after["working_days_left"] == 0


def test_the_thread_between_the_two_states(
    api_for, consultation, dk_officer, fi_officer, dk_viewer, no_officer
):
    first = api_for(dk_officer).post(
        url(consultation, "messages"), {"body": "We are checking."}, format="json"
    )
    second = api_for(fi_officer).post(
        url(consultation, "messages"), {"body": "Thank you."}, format="json"
    )
    viewer = api_for(dk_viewer).post(url(consultation, "messages"), {"body": "Hi"}, format="json")
    outsider = api_for(no_officer).post(
        url(consultation, "messages"), {"body": "Hello?"}, format="json"
    )
    empty = api_for(fi_officer).post(url(consultation, "messages"), {"body": " "}, format="json")

    assert first.status_code == second.status_code == 201
    assert first.json()["state"] == "DK" and first.json()["author"] == "dk-officer"
    assert viewer.status_code == 403
    assert outsider.status_code == 404
    assert empty.status_code == 400 and "body" in empty.json()
    thread = api_for(dk_viewer).get(url(consultation, "messages")).json()
    assert [m["body"] for m in thread["results"]] == ["We are checking.", "Thank you."]
    assert thread["next"] is None
    assert ConsultationMessage.objects.count() == 2


def test_answering_extending_and_the_outcome(
    api_for, consultation, dk_officer, fi_officer, dk_viewer, fi_viewer, no_viewer, denial
):
    dk, fi = api_for(dk_officer), api_for(fi_officer)

    # Before the answer: only a withdrawal may be recorded, by the consulting state.
    early = fi.post(url(consultation, "outcome"), {"outcome": "granted"}, format="json")
    assert early.status_code == 409 and "outcome" in early.json()

    # The denying state extends, once, within the cap; the consulting state does not.
    assert (
        fi.post(
            url(consultation, "extend"), {"working_days": 20, "reason": "x"}, format="json"
        ).status_code
        == 403
    )
    assert (
        dk.post(
            url(consultation, "extend"), {"working_days": 10, "reason": "x"}, format="json"
        ).status_code
        == 400
    )
    assert (
        dk.post(
            url(consultation, "extend"), {"working_days": 31, "reason": "x"}, format="json"
        ).status_code
        == 400
    )
    extended = dk.post(
        url(consultation, "extend"),
        {"working_days": 30, "reason": "We must ask the police."},
        format="json",
    )
    assert extended.status_code == 200, extended.json()
    assert extended.json()["working_days"] == 30 and extended.json()["due_on"] == "2027-01-05"
    assert extended.json()["extension_reason"] == "We must ask the police."
    again = dk.post(
        url(consultation, "extend"), {"working_days": 30, "reason": "again"}, format="json"
    )
    assert again.status_code == 409 and "non_field_errors" in again.json()

    # Only the denying state's officers and admins answer.
    for user in (fi_officer, dk_viewer):
        response = api_for(user).post(url(consultation, "answer"), {"answer": "x"}, format="json")
        assert response.status_code == 403
    assert dk.post(url(consultation, "answer"), {"answer": ""}, format="json").status_code == 400
    answered = dk.post(
        url(consultation, "answer"), {"answer": "Yes: the same end-user."}, format="json"
    )
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered" and answered.json()["answered_at"]
    assert answered.json()["working_days_left"] is None
    assert (
        dk.post(url(consultation, "answer"), {"answer": "More"}, format="json").status_code == 409
    )

    # Only the consulting state's officers and admins record the outcome.
    for user in (dk_officer, fi_viewer):
        response = api_for(user).post(
            url(consultation, "outcome"), {"outcome": "refused"}, format="json"
        )
        assert response.status_code == 403
    assert (
        fi.post(url(consultation, "outcome"), {"outcome": "maybe"}, format="json").status_code
        == 400
    )
    closed = fi.post(
        url(consultation, "outcome"), {"outcome": "refused", "note": "Refused."}, format="json"
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["outcome"] == "refused"
    assert closed.json()["outcome_note"] == "Refused."
    assert (
        fi.post(url(consultation, "outcome"), {"outcome": "granted"}, format="json").status_code
        == 409
    )

    # The outcome is circulated with the denial to every state that reads it.
    outcomes = api_for(no_viewer).get(url(denial)).json()["outcomes"]
    assert [(o["outcome"], o["consulting_state"]) for o in outcomes] == [("refused", "FI")]
    assert outcomes[0]["outcome_at"]


def test_a_third_state_cannot_reach_a_consultation(api_for, consultation, no_officer):
    api = api_for(no_officer)
    acts = [
        ("answer", {"answer": "x"}),
        ("extend", {"working_days": 20, "reason": "x"}),
        ("outcome", {"outcome": "withdrawn"}),
        ("messages", {"body": "x"}),
    ]

    for action, body in acts:
        response = api.post(url(consultation, action), body, format="json")
        assert response.status_code == 404, action
    consultation.refresh_from_db()
    assert consultation.status == "open" and not consultation.messages.exists()


@pytest.mark.parametrize("size", [2, 12])
def test_the_consultation_lists_run_a_fixed_number_of_queries(
    api_for, dk_officer, fi_officer, make_denial, django_assert_num_queries, size
):
    for number in range(size):
        denial = make_denial(national_reference=f"DK-{number}")
        with time_machine.travel(OPENED, tick=False):
            consultation = denials.open_consultation(
                denial, by=fi_officer, **consultation_content()
            )
    for number in range(size):
        denials.write_in_consultation(consultation, by=dk_officer, body=f"Message {number}")
    api = api_for(dk_officer)
    api.get("/api/v1/me/")

    # The token, a page with the denials' states, and one audit row for the reading.
    with django_assert_num_queries(3):
        listing = api.get(CONSULTATIONS)
    # The token, the consultation, its audit row, a page of messages.
    with django_assert_num_queries(4):
        thread = api.get(url(consultation, "messages"))

    assert len(listing.json()["results"]) == size
    assert len(thread.json()["results"]) == size


# --- The inbox, and no token ----------------------------------------------------------------


def test_the_inbox_tells_of_denials_and_consultations(
    api_for, dk_officer, fi_officer, no_viewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        denial = denials.publish(by=dk_officer, **denial_content())
    with django_capture_on_commit_callbacks(execute=True):
        consultation = denials.open_consultation(denial, by=fi_officer, **consultation_content())

    [told] = api_for(no_viewer).get("/api/v1/notifications/").json()["results"]
    [asked] = api_for(dk_officer).get("/api/v1/notifications/").json()["results"]

    assert told["kind"] == "denial.issued" and told["subject_type"] == "denial"
    assert told["subject_id"] == str(denial.pk)
    assert told["title"] == "Licence denial DK DK-2026/0042"
    assert told["reference"] == "DK-2026/0042" and told["tlp"] == "amber"
    assert told["url"] == f"http://testserver{denial.get_absolute_url()}"
    assert asked["kind"] == "consultation.opened" and asked["subject_type"] == "denial"
    assert asked["url"] == f"http://testserver{consultation.get_absolute_url()}"


def test_every_new_endpoint_needs_a_token(anonymous_api, consultation, denial):
    for method, path in (
        ("get", DENIALS),
        ("post", DENIALS),
        ("get", url(denial)),
        ("post", url(denial, "amend")),
        ("post", url(denial, "revoke")),
        ("post", url(denial, "renew")),
        ("post", url(denial, "consultations")),
        ("post", SCREEN),
        ("get", CONSULTATIONS),
        ("get", url(consultation)),
        ("get", url(consultation, "messages")),
        ("post", url(consultation, "messages")),
        ("post", url(consultation, "answer")),
        ("post", url(consultation, "extend")),
        ("post", url(consultation, "outcome")),
    ):
        response = getattr(anonymous_api, method)(path, {}, format="json")
        assert response.status_code == 401, (method, path)


@pytest.mark.parametrize("entry", ["5A%01", "%s", "%(codes)s", "100%"])
def test_a_control_entry_filter_with_a_percent_sign_is_refused_plainly(api_for, fr_viewer, entry):
    # What was typed is shown back in the message: a "%" in it is text, not a format.
    response = api_for(fr_viewer).get("/api/v1/denials/", {"control_entry": entry})
    assert response.status_code == 400
    assert entry in str(response.json())
