"""The notice endpoints of /api/v1/: the whole workflow over the services, and the same
visibility as the pages."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from portal.models import AuditEntry
from sharing.common.models import Event
from sharing.notices import services as notices
from sharing.notices.models import Acknowledgement, Notice
from tests.personas import persona
from tests.sharing.conftest import notice_content, pdf

pytestmark = pytest.mark.django_db

NOTICES = "/api/v1/notices/"


def draft_body(**overrides) -> dict:
    body = notice_content(**overrides)
    if body["valid_until"] is None:
        del body["valid_until"]
    return body


def url(notice, action="") -> str:
    return f"{NOTICES}{notice.pk}/{action + '/' if action else ''}"


# --- Creating, changing, deleting drafts ----------------------------------------------------


def test_an_officer_creates_a_draft_with_every_field(api_for, dk_officer):
    api = api_for(dk_officer)
    body = draft_body(audience="selected", recipient_states=["NO", "FI"], valid_until="2031-01-31")

    response = api.post(NOTICES, body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    notice = Notice.objects.get(pk=data["id"])
    assert notice.status == "draft" and notice.author_state_id == "DK"
    assert data["reference"] is None
    assert data["author_state"] == "DK" and data["created_by"] == "dk-officer"
    assert data["categories"] == ["intrusion-software"]
    assert data["control_codes"] == ["4A005", "4D004"]
    assert data["countries_of_concern"] == ["AE"]
    assert data["entities"][0]["name"] == "Nimbus Intercept Ltd"
    assert data["entities"][0]["aliases"] == ["Nimbus"]
    assert sorted(data["recipient_states"]) == ["FI", "NO"]
    assert data["valid_until"] == "2031-01-31"
    assert "<h3>Background</h3>" in data["body_html"]
    assert data["url"] == f"http://testserver/notices/{notice.pk}/"
    assert AuditEntry.objects.filter(action="notice.drafted", object_id=str(notice.pk)).exists()


def test_a_viewer_cannot_create_a_notice(api_for, dk_viewer):
    response = api_for(dk_viewer).post(NOTICES, draft_body(), format="json")

    assert response.status_code == 403
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "rumour"}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"categories": []}, "categories"),
        ({"categories": ["no-such-category"]}, "categories"),
        ({"control_codes": ["not a code"]}, "control_codes"),
        ({"countries_of_concern": ["QQ"]}, "countries_of_concern"),
        ({"entities": [{"aliases": ["nameless"]}]}, "entities"),
        ({"tlp": "red", "audience": "subscribing"}, "audience"),
        ({"audience": "selected", "recipient_states": []}, "recipient_states"),
        ({"audience": "selected", "recipient_states": ["DK"]}, "recipient_states"),
        ({"audience": "selected", "recipient_states": ["ZZ"]}, "recipient_states"),
        ({"valid_until": "2001-01-01"}, "valid_until"),
        ({"valid_until": "tomorrow"}, "valid_until"),
        ({"body": "a\x01b"}, "body"),
    ],
)
def test_bad_content_is_a_400_naming_the_field_and_changes_nothing(
    api_for, dk_officer, change, field
):
    response = api_for(dk_officer).post(NOTICES, draft_body(**change), format="json")

    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert all(isinstance(messages, list | dict) for messages in errors.values())
    assert not Notice.objects.exists()


def test_a_body_that_is_not_json_is_a_400(api_for, dk_officer):
    response = api_for(dk_officer).post(NOTICES, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()


def test_patch_changes_only_the_fields_given(api_for, dk_officer, make_notice):
    notice = make_notice(publish=False)

    response = api_for(dk_officer).patch(url(notice), {"title": "Renamed"}, format="json")

    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.title == "Renamed"
    assert notice.summary == notice_content()["summary"]
    assert notice.entities.count() == 1


def test_a_published_notice_is_amended_not_patched(api_for, dk_officer, make_notice):
    notice = make_notice()

    response = api_for(dk_officer).patch(url(notice), {"title": "Renamed"}, format="json")

    assert response.status_code == 409
    assert "amend" in response.json()["non_field_errors"][0]


def test_another_states_officer_may_read_but_not_change(api_for, no_officer, make_notice):
    notice = make_notice()
    api = api_for(no_officer)

    assert api.get(url(notice)).status_code == 200
    assert api.patch(url(notice), {"title": "Mine now"}, format="json").status_code == 403
    assert api.post(url(notice, "withdraw"), {"reason": "no"}, format="json").status_code == 403
    assert api.post(url(notice, "amend"), {"change_note": "x"}, format="json").status_code == 403
    assert api.delete(url(notice)).status_code == 403


def test_a_draft_of_another_state_does_not_exist_for_you(api_for, no_officer, make_notice):
    draft = make_notice(publish=False)
    api = api_for(no_officer)

    for response in (
        api.get(url(draft)),
        api.patch(url(draft), {"title": "x"}, format="json"),
        api.post(url(draft, "publish")),
        api.delete(url(draft)),
        api.get(url(draft, "attachments")),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert draft.pk not in [n["id"] for n in api.get(NOTICES).json()["results"]]


def test_deleting_a_draft_and_refusing_to_delete_a_published_notice(
    api_for, dk_officer, make_notice
):
    draft, published = make_notice(publish=False), make_notice()
    api = api_for(dk_officer)

    assert api.delete(url(draft)).status_code == 204
    assert not Notice.objects.filter(pk=draft.pk).exists()
    response = api.delete(url(published))
    assert response.status_code == 409
    assert Notice.objects.filter(pk=published.pk).exists()


# --- Publishing and after -------------------------------------------------------------------


def test_publishing_gives_a_reference_and_announces_it(api_for, dk_officer, make_notice):
    draft = make_notice(publish=False)
    api = api_for(dk_officer)

    response = api.post(url(draft, "publish"))

    assert response.status_code == 200
    data = response.json()
    year = timezone.now().year
    assert data["reference"] == f"DK-{year}-0001"
    assert data["status"] == "published" and data["published_at"]
    assert Event.objects.filter(kind="notice.published", notice=draft).count() == 1
    again = api.post(url(draft, "publish"))
    assert again.status_code == 409
    assert Event.objects.filter(kind="notice.published", notice=draft).count() == 1


def test_amending_publishes_a_new_version(api_for, dk_officer, make_notice):
    notice = make_notice()
    api = api_for(dk_officer)

    response = api.post(
        url(notice, "amend"),
        {"summary": "Now with a second shell company.", "change_note": "Second company"},
        format="json",
    )

    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 2 and data["acknowledge_version"] == 2  # material by default
    assert data["summary"] == "Now with a second shell company."
    assert notice.revisions.get(version=2).change_note == "Second company"
    assert Event.objects.filter(kind="notice.amended", notice=notice).exists()


def test_a_minor_correction_is_neither_announced_nor_asked_again(api_for, dk_officer, make_notice):
    notice = make_notice()

    response = api_for(dk_officer).post(
        url(notice, "amend"),
        {
            "title": "Spyware reseller approaching licensing authority",
            "change_note": "Typo",
            "material": False,
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2 and response.json()["acknowledge_version"] == 1
    assert not Event.objects.filter(kind="notice.amended", notice=notice).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "New"}, "change_note"),
        ({"title": "New", "change_note": ""}, "change_note"),
        ({"audience": "community", "change_note": "Wider", "material": False}, "material"),
        ({"title": "", "change_note": "Blank"}, "title"),
    ],
)
def test_a_bad_amendment_is_a_400_and_changes_nothing(
    api_for, dk_officer, make_notice, body, field
):
    notice = make_notice()

    response = api_for(dk_officer).post(url(notice, "amend"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    notice.refresh_from_db()
    assert notice.version == 1


def test_withdrawing_needs_a_reason_and_keeps_the_notice_readable(
    api_for, dk_officer, no_viewer, make_notice
):
    notice = make_notice()
    api = api_for(dk_officer)

    assert api.post(url(notice, "withdraw"), {}, format="json").status_code == 400
    response = api.post(url(notice, "withdraw"), {"reason": "Superseded"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["withdrawn_reason"] == "Superseded"
    read = api_for(no_viewer).get(url(notice))
    assert read.status_code == 200 and read.json()["status"] == "withdrawn"
    amend = api.post(url(notice, "amend"), {"title": "x", "change_note": "y"}, format="json")
    assert amend.status_code == 409
    assert "withdrawn" in amend.json()["non_field_errors"][0]


# --- Acknowledgements -----------------------------------------------------------------------


def test_acknowledging_201_then_200_and_a_higher_level_replaces(api_for, no_viewer, make_notice):
    notice = make_notice(audience="selected", recipient_states=["NO", "FI"])
    api = api_for(no_viewer)

    first = api.post(url(notice, "acknowledge"), {}, format="json")
    repeat = api.post(url(notice, "acknowledge"), {"level": "received"}, format="json")
    raised = api.post(
        url(notice, "acknowledge"), {"level": "assessed", "note": "Checked"}, format="json"
    )
    lower = api.post(url(notice, "acknowledge"), {"level": "received"}, format="json")

    assert first.status_code == 201
    assert first.json() | {"acknowledged_at": None} == {
        "state": "NO",
        "version": 1,
        "level": "received",
        "note": "",
        "acknowledged_at": None,
        "by": "no-viewer",
    }
    assert repeat.status_code == 200
    assert raised.status_code == 200 and raised.json()["level"] == "assessed"
    assert lower.status_code == 400 and "level" in lower.json()
    assert Acknowledgement.objects.get(notice=notice, state_id="NO").level == "assessed"


def test_only_recipient_states_acknowledge(api_for, dk_officer, fr_viewer, make_notice):
    notice = make_notice(audience="selected", recipient_states=["NO"])

    own = api_for(dk_officer).post(url(notice, "acknowledge"), {}, format="json")
    outsider = api_for(fr_viewer).post(url(notice, "acknowledge"), {}, format="json")

    assert own.status_code == 403  # the author state reads it but is not asked
    assert outsider.status_code == 404  # France cannot see it at all
    assert not Acknowledgement.objects.exists()


def test_the_author_sees_every_answer_and_who_is_pending(
    api_for, dk_officer, no_viewer, make_notice, seeded_states
):
    notice = make_notice(audience="selected", recipient_states=["NO", "FI"])
    notices.acknowledge(notice, by=no_viewer, level="assessed", note="Seen")

    data = api_for(dk_officer).get(url(notice, "acknowledgements")).json()

    assert [(a["state"], a["version"], a["level"], a["by"]) for a in data["acknowledgements"]] == [
        ("NO", 1, "assessed", "no-viewer")
    ]
    assert data["pending_states"] == ["FI"]


def test_a_recipient_sees_only_its_own_states_answer(
    api_for, no_viewer, make_notice, seeded_states
):
    fi_viewer = persona("fi-viewer")
    notice = make_notice(audience="selected", recipient_states=["NO", "FI"])
    notices.acknowledge(notice, by=fi_viewer)

    before = api_for(no_viewer).get(url(notice, "acknowledgements")).json()
    notices.acknowledge(notice, by=no_viewer)
    after = api_for(no_viewer).get(url(notice, "acknowledgements")).json()

    assert before == {"acknowledgements": [], "pending_states": ["NO"]}
    assert [a["state"] for a in after["acknowledgements"]] == ["NO"]
    assert after["pending_states"] == []


def test_a_material_amendment_asks_again(api_for, dk_officer, no_viewer, make_notice):
    notice = make_notice(audience="selected", recipient_states=["NO"])
    notices.acknowledge(notice, by=no_viewer)
    notices.amend(notice, by=dk_officer, change_note="New facts", material=True, summary="Changed.")

    data = api_for(dk_officer).get(url(notice, "acknowledgements")).json()
    again = api_for(no_viewer).post(url(notice, "acknowledge"), {}, format="json")

    assert data["pending_states"] == ["NO"]
    assert again.status_code == 201 and again.json()["version"] == 2


# --- Comments and attachments ---------------------------------------------------------------


def test_the_discussion_oldest_first_and_who_may_post(
    api_for, dk_officer, no_officer, no_viewer, make_notice
):
    notice = make_notice()
    first = api_for(no_officer).post(
        url(notice, "comments"), {"body": "Seen in Oslo"}, format="json"
    )
    second = api_for(dk_officer).post(url(notice, "comments"), {"body": "Thanks"}, format="json")
    viewer = api_for(no_viewer).post(url(notice, "comments"), {"body": "Me too"}, format="json")
    empty = api_for(no_officer).post(url(notice, "comments"), {"body": " "}, format="json")

    thread = api_for(no_viewer).get(url(notice, "comments")).json()

    assert first.status_code == second.status_code == 201
    assert first.json()["state"] == "NO" and first.json()["author"] == "no-officer"
    assert viewer.status_code == 403
    assert empty.status_code == 400 and "body" in empty.json()
    assert [c["body"] for c in thread["results"]] == ["Seen in Oslo", "Thanks"]
    assert thread["next"] is None


def test_a_draft_is_not_discussed(api_for, dk_officer, make_notice):
    draft = make_notice(publish=False)

    response = api_for(dk_officer).post(url(draft, "comments"), {"body": "x"}, format="json")

    assert response.status_code == 403


def test_files_are_uploaded_to_drafts_listed_and_downloaded(
    api_for, dk_officer, no_viewer, make_notice
):
    draft = make_notice(publish=False, audience="selected", recipient_states=["NO"])
    api = api_for(dk_officer)

    upload = api.post(url(draft, "attachments"), {"file": pdf("report.pdf")}, format="multipart")
    fake = api.post(
        url(draft, "attachments"),
        {"file": pdf("report.pdf", content=b"MZ\x90\x00 not a pdf")},
        format="multipart",
    )
    missing = api.post(url(draft, "attachments"), {}, format="multipart")

    assert upload.status_code == 201, upload.json()
    assert fake.status_code == 400 and "file" in fake.json()
    assert missing.status_code == 400 and "file" in missing.json()
    attachment = upload.json()
    assert attachment["filename"] == "report.pdf" and attachment["size"] > 0
    listed = api.get(url(draft, "attachments")).json()["results"]
    assert [a["id"] for a in listed] == [attachment["id"]]

    notices.publish(draft, by=dk_officer)
    reader = api_for(no_viewer)
    download = reader.get(attachment["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(
        action="attachment.downloaded", actor__username="no-viewer"
    ).exists()
    late = api.post(url(draft, "attachments"), {"file": pdf()}, format="multipart")
    assert late.status_code == 409  # a published notice gets files by amendment


def test_a_file_of_a_notice_you_cannot_see_is_404(api_for, dk_officer, fr_viewer, make_notice):
    notice = make_notice(audience="selected", recipient_states=["NO"])
    notices.attach(make_notice(publish=False), pdf(), by=dk_officer)
    attachment = notices.attach(
        make_notice(publish=False, audience="selected", recipient_states=["NO"]),
        pdf(),
        by=dk_officer,
    )

    response = api_for(fr_viewer).get(f"/api/v1/attachments/{attachment.pk}/")

    assert response.status_code == 404
    assert api_for(fr_viewer).get(url(notice, "attachments")).status_code == 404


# --- Lists ----------------------------------------------------------------------------------


def test_the_list_shows_exactly_what_the_reader_may_read(
    api_for, fr_viewer, no_viewer, make_notice
):
    to_norway = make_notice(audience="selected", recipient_states=["NO"])
    to_all = make_notice(audience="subscribing", title="For everyone")
    make_notice(publish=False, title="A draft")

    def ids(user):
        return {n["id"] for n in api_for(user).get(NOTICES).json()["results"]}

    assert ids(no_viewer) == {str(to_norway.pk), str(to_all.pk)}
    assert ids(fr_viewer) == {str(to_all.pk)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("severity=critical", {"critical"}),
        ("tlp=green", {"green"}),
        ("kind=threat", {"threat-notice"}),
        ("category=biometric-recognition", {"biometrics"}),
        ("country=MM", {"myanmar"}),
        ("status=withdrawn", {"withdrawn"}),
        ("author_state=NO", {"norwegian"}),
        ("q=Nimbus", {"critical", "green", "threat-notice", "myanmar", "withdrawn"}),
        ("severity=critical&tlp=green", set()),
    ],
)
def test_filters_narrow_the_list(api_for, dk_officer, no_officer, make_notice, query, expected):
    make_notice(title="critical", severity="critical")
    make_notice(title="green", tlp="green")
    make_notice(title="threat-notice", kind="threat")
    make_notice(title="biometrics", categories=["biometric-recognition"], entities=[])
    make_notice(title="myanmar", countries_of_concern=["MM"])
    withdrawn = make_notice(title="withdrawn")
    notices.withdraw(withdrawn, by=dk_officer, reason="Old")
    make_notice(by=no_officer, title="norwegian", entities=[])

    response = api_for(dk_officer).get(f"{NOTICES}?{query}")

    assert response.status_code == 200, response.json()
    assert {n["title"] for n in response.json()["results"]} == expected


@pytest.mark.parametrize(
    "query",
    [
        "severity=dire",
        "tlp=",
        "updated_since=yesterday",
        "author_state=ZZ",
        "category=no-such",
        "page_size=0",
        "page_size=1000",
        "cursor=garbage",
    ],
)
def test_bad_list_parameters_are_refused(api_for, dk_officer, make_notice, query):
    make_notice()

    response = api_for(dk_officer).get(f"{NOTICES}?{query}")

    assert response.status_code in {400, 404}
    assert response.json()


def test_polling_for_changes_with_updated_since(api_for, dk_officer, make_notice):
    with time_machine.travel(datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC), tick=False):
        make_notice(title="old")
    with time_machine.travel(datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC), tick=False):
        make_notice(title="new")

    response = api_for(dk_officer).get(f"{NOTICES}?updated_since=2026-03-03T00:00:00%2B01:00")

    assert [n["title"] for n in response.json()["results"]] == ["new"]


def test_cursor_pages_newest_change_first(api_for, dk_officer, make_notice):
    for day in range(1, 6):
        moment = datetime.datetime(2026, 4, day, tzinfo=datetime.UTC)
        with time_machine.travel(moment, tick=False):
            make_notice(title=f"day {day}")
    api = api_for(dk_officer)

    seen, page = [], api.get(f"{NOTICES}?page_size=2").json()
    while True:
        seen += [n["title"] for n in page["results"]]
        if not page["next"]:
            break
        page = api.get(page["next"]).json()

    assert seen == ["day 5", "day 4", "day 3", "day 2", "day 1"]
    assert page["previous"] is not None


def test_reading_restricted_notices_is_audited_list_and_detail(api_for, no_viewer, make_notice):
    amber = make_notice(tlp="amber", title="amber")
    make_notice(tlp="green", title="green")
    api = api_for(no_viewer)

    api.get(NOTICES)
    api.get(url(amber))

    views = AuditEntry.objects.filter(action="notice.viewed", actor__username="no-viewer")
    assert [v.object_id for v in views] == [str(amber.pk), str(amber.pk)]
    assert all(v.details == {"tlp": "amber", "version": 1} for v in views)


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_runs_a_fixed_number_of_queries(
    api_for, dk_officer, no_viewer, make_notice, django_assert_num_queries, size
):
    for number in range(size):
        notice = make_notice(
            title=f"n{number}",
            tlp="amber" if number % 2 else "green",
            categories=["intrusion-software", "biometric-recognition"],
            countries_of_concern=["AE", "MM"],
            audience="selected",
            recipient_states=["NO", "FI"][: 1 + number % 2],
        )
        notices.acknowledge(notice, by=no_viewer)
    api = api_for(no_viewer)
    api.get("/api/v1/me/")  # the token's first use is recorded: not part of the budget

    # The token, a page of notices, one query per related list (categories, recipients,
    # entities, countries) and one INSERT auditing the restricted ones.
    with django_assert_num_queries(9):
        response = api.get(NOTICES)

    assert len(response.json()["results"]) == size


def test_reading_a_restricted_notices_discussion_files_or_answers_is_audited(
    api_for, no_viewer, make_notice
):
    notice = make_notice(tlp="amber+strict", audience="selected", recipient_states=["NO"])
    api = api_for(no_viewer)

    for part in ("comments", "attachments", "acknowledgements"):
        assert api.get(url(notice, part)).status_code == 200

    views = AuditEntry.objects.filter(action="notice.viewed", object_id=str(notice.pk))
    assert views.count() == 3


def test_a_file_downloads_whatever_the_accept_header(api_for, dk_officer, make_notice):
    draft = make_notice(publish=False)
    attachment = notices.attach(draft, pdf(), by=dk_officer)
    api = api_for(dk_officer)

    for accept in ("application/pdf", "application/octet-stream", "*/*", "text/html"):
        response = api.get(f"/api/v1/attachments/{attachment.pk}/", HTTP_ACCEPT=accept)
        assert response.status_code == 200, accept
        assert response["Content-Type"] == "application/pdf"
    missing = api.get(
        "/api/v1/attachments/00000000-0000-0000-0000-000000000000/", HTTP_ACCEPT="application/pdf"
    )
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}


def test_an_amendment_sent_as_multipart_adds_files(api_for, dk_officer, make_notice):
    notice = make_notice()
    api = api_for(dk_officer)

    response = api.post(
        url(notice, "amend"),
        {"change_note": "The assessment report", "attachments": [pdf("report.pdf")]},
        format="multipart",
    )
    refused = api.post(
        url(notice, "amend"),
        {"change_note": "A program", "attachments": [pdf("x.pdf", content=b"MZ\x90\x00")]},
        format="multipart",
    )
    empty = api.post(url(notice, "amend"), {"change_note": "Nothing"}, format="multipart")

    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    assert [(a.filename, a.version) for a in notice.attachments.all()] == [("report.pdf", 2)]
    assert refused.status_code == 400 and "attachments" in refused.json()
    assert empty.status_code == 400 and "attachments" in empty.json()
    notice.refresh_from_db()
    assert notice.version == 2


@pytest.mark.parametrize("offset", ["%2B16:00", "-15:59", "%2B23:59"])
def test_updated_since_with_any_offset_python_takes_is_a_moment_not_an_error(
    api_for, dk_officer, make_notice, offset
):
    # PostgreSQL takes offsets up to ±15:59 only; Python's up to ±23:59 reached the
    # database as they were, a 500 the fuzzing found.
    with time_machine.travel(datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC), tick=False):
        make_notice(title="new")
    response = api_for(dk_officer).get(f"{NOTICES}?updated_since=2026-03-03T00:00:00{offset}")
    assert response.status_code == 200
    assert [n["title"] for n in response.json()["results"]] == ["new"]
