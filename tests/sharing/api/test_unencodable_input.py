"""Text the portal cannot keep or write back: a lone surrogate (U+D800 to U+DFFF, which
has no UTF-8 form) or a NUL (U+0000, which PostgreSQL refuses in text). Wherever it is
sent, in a JSON body, a multipart/form-data body or the query string, it is bad input:
a 400 naming where it was, in words that do not repeat it, and nothing changed."""

import datetime
import json

import pytest
import time_machine
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer

from sharing.api import text
from sharing.api.exceptions import exception_handler
from sharing.common.models import Attachment
from sharing.denials import services as denials
from sharing.denials.models import Consultation, Denial
from sharing.notices.models import Acknowledgement, Notice
from sharing.practices.models import BestPractice, Endorsement
from tests.sharing.conftest import (
    consultation_content,
    denial_content,
    notice_content,
    pdf,
    practice_content,
)

pytestmark = pytest.mark.django_db

# A Friday, when the denying state is open to be consulted.
OPENED = datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)
BAD_TEXT = {"lone surrogate": "\ud800", "NUL": "a\u0000b"}


def as_json(body) -> str:
    # As a client's JSON library writes it: a surrogate escaped as \ud800, NUL as \u0000.
    return json.dumps(body)


def snapshot() -> dict:
    """What a refused request must leave as it was."""
    return {
        "notices": list(Notice.objects.values_list("pk", "version", "title")),
        "practices": list(BestPractice.objects.values_list("pk", "version", "title")),
        "acknowledgements": list(Acknowledgement.objects.values_list("pk", "level")),
        "endorsements": list(Endorsement.objects.values_list("pk", "kind")),
        "denials": list(Denial.objects.values_list("pk", "version")),
        "consultations": list(Consultation.objects.values_list("pk", "status", "outcome")),
        "attachments": list(Attachment.objects.values_list("pk", flat=True)),
    }


def placed(body: dict, path: tuple, value) -> dict:
    """``body`` with ``value`` put at ``path`` (keys, and indexes of lists)."""
    here = body
    for step in path[:-1]:
        here = here[int(step)] if isinstance(here, list) else here[step]
    last = path[-1]
    here[int(last) if isinstance(here, list) else last] = value
    return body


def error_at(data, path: tuple):
    """The messages of a 400 at ``path``: the field errors nest as the body does, a
    list's items by their index."""
    for step in path:
        assert isinstance(data, dict), data
        assert step in data, (step, data)
        data = data[step]
    return data


def assert_refused_at(response, path: tuple, bad: str) -> None:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    messages = error_at(response.json(), path)
    assert isinstance(messages, list) and messages
    assert all(isinstance(m, str) and m for m in messages)
    # The message says what is wrong, and never repeats the value (which JSON would
    # write escaped: \ud800, a\u0000b).
    assert "cannot contain" in " ".join(messages)
    assert json.dumps(bad)[1:-1] not in response.content.decode()


# --- The people and objects the requests act on ---------------------------------------------


@pytest.fixture
def published_notice(make_notice):
    return make_notice(audience="selected", recipient_states=["NO"])


@pytest.fixture
def published_practice(make_practice):
    return make_practice()


@pytest.fixture
def consultation(dk_officer, fi_officer):
    denial = denials.publish(by=dk_officer, **denial_content())
    with time_machine.travel(OPENED, tick=False):
        return denials.open_consultation(denial, by=fi_officer, **consultation_content())


def new_notice(request):
    body = notice_content()
    del body["valid_until"]
    return "dk_officer", "/api/v1/notices/", body


def new_practice(request):
    return "no_officer", "/api/v1/best-practices/", practice_content()


def acknowledgement(request):
    notice = request.getfixturevalue("published_notice")
    return "no_officer", f"/api/v1/notices/{notice.pk}/acknowledge/", {"level": "assessed"}


def endorsement(request):
    practice = request.getfixturevalue("published_practice")
    return "dk_officer", f"/api/v1/best-practices/{practice.pk}/endorse/", {"kind": "adopted"}


def new_denial(request):
    return "dk_officer", "/api/v1/denials/", denial_content()


def outcome(request):
    consultation = request.getfixturevalue("consultation")
    return (
        "fi_officer",
        f"/api/v1/consultations/{consultation.pk}/outcome/",
        {"outcome": "withdrawn", "note": "We withdrew the application."},
    )


# The choice fields whose error message once repeated the value (and so answered 500 to
# a lone surrogate), with the act that reads each and where it sits in the body.
CHOICE_FIELDS = {
    "notice kind": (new_notice, ("kind",)),
    "notice severity": (new_notice, ("severity",)),
    "notice tlp": (new_notice, ("tlp",)),
    "notice audience": (new_notice, ("audience",)),
    "entity kind": (new_notice, ("entities", "0", "kind")),
    "best-practice doc_type": (new_practice, ("doc_type",)),
    "best-practice audience": (new_practice, ("audience",)),
    "acknowledgement level": (acknowledgement, ("level",)),
    "endorsement kind": (endorsement, ("kind",)),
    "denial reason_category": (new_denial, ("reason_category",)),
    "denial tlp": (new_denial, ("tlp",)),
    "party role": (new_denial, ("parties", "0", "role")),
    "consultation outcome": (outcome, ("outcome",)),
}


@pytest.fixture(params=list(BAD_TEXT.values()), ids=list(BAD_TEXT))
def bad(request):
    return request.param


@pytest.mark.parametrize("field", list(CHOICE_FIELDS))
def test_unencodable_text_in_a_choice_field_is_a_400_naming_it(request, api_for, field, bad):
    act, path = CHOICE_FIELDS[field]
    persona, url, body = act(request)
    api = api_for(request.getfixturevalue(persona))
    before = snapshot()

    response = api.post(url, as_json(placed(body, path, bad)), content_type="application/json")

    assert_refused_at(response, path, bad)
    assert snapshot() == before


# --- Anywhere else in a body ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ("title",),
        ("body",),
        ("control_codes", "1"),
        ("entities", "0", "aliases", "0"),
        ("entities", "0", "notes"),
        # A value that is no field of the serializer is read all the same.
        ("unknown",),
        ("entities", "0", "unknown"),
    ],
    ids="/".join,
)
def test_unencodable_text_anywhere_in_a_json_body_is_a_400(api_for, dk_officer, path, bad):
    body = notice_content(control_codes=["4A005", "4D004"])
    del body["valid_until"]
    before = snapshot()

    response = api_for(dk_officer).post(
        "/api/v1/notices/", as_json(placed(body, path, bad)), content_type="application/json"
    )

    assert_refused_at(response, path, bad)
    assert snapshot() == before


def test_unencodable_text_in_a_key_is_a_400(api_for, dk_officer, bad):
    body = notice_content()
    del body["valid_until"]
    body["entities"][0][bad] = "x"
    before = snapshot()

    response = api_for(dk_officer).post(
        "/api/v1/notices/", as_json(body), content_type="application/json"
    )

    assert_refused_at(response, ("entities", "0", "non_field_errors"), bad)
    assert snapshot() == before


def test_unencodable_text_as_the_whole_body_is_a_400(api_for, dk_officer, bad):
    response = api_for(dk_officer).post(
        "/api/v1/notices/", as_json(bad), content_type="application/json"
    )

    assert_refused_at(response, ("non_field_errors",), bad)


def test_a_surrogate_deep_in_a_body_is_reported_as_deep_as_an_answer_goes(api_for, dk_officer):
    body = "\ud800"
    for _level in range(200):
        body = [body]

    response = api_for(dk_officer).post(
        "/api/v1/notices/", as_json(body), content_type="application/json"
    )

    assert_refused_at(response, ("0",) * text.MAX_DEPTH, "\ud800")


def test_a_body_that_is_not_utf8_is_a_400(api_for, dk_officer):
    response = api_for(dk_officer).post(
        "/api/v1/notices/", b'{"title": "\xed\xa0\x80"}', content_type="application/json"
    )

    assert response.status_code == 400
    assert "detail" in response.json()


def test_the_check_comes_after_the_403_of_a_role_that_may_not(api_for, dk_viewer, bad):
    body = notice_content(kind=bad)
    del body["valid_until"]

    response = api_for(dk_viewer).post(
        "/api/v1/notices/", as_json(body), content_type="application/json"
    )

    assert response.status_code == 403


# --- multipart/form-data --------------------------------------------------------------------


def test_a_nul_in_a_multipart_amendment_is_a_400(api_for, dk_officer, published_notice):
    before = snapshot()

    response = api_for(dk_officer).post(
        f"/api/v1/notices/{published_notice.pk}/amend/",
        {"change_note": "New\u0000file", "attachments": [pdf()]},
        format="multipart",
    )

    assert_refused_at(response, ("change_note",), "New\u0000file")
    assert snapshot() == before


def test_a_nul_in_any_part_of_an_upload_is_a_400(api_for, dk_officer, make_notice):
    draft = make_notice(publish=False)
    before = snapshot()

    response = api_for(dk_officer).post(
        f"/api/v1/notices/{draft.pk}/attachments/",
        {"file": pdf(), "comment": "a\u0000b"},
        format="multipart",
    )

    assert_refused_at(response, ("comment",), "a\u0000b")
    assert snapshot() == before


# --- The query string -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/notices/?q=%00", "q"),
        ("/api/v1/notices/?q=export%00control", "q"),
        ("/api/v1/notices/?author_state=D%00", "author_state"),
        ("/api/v1/notices/?kind=%00", "kind"),
        ("/api/v1/best-practices/?q=%00", "q"),
        ("/api/v1/best-practices/?lead_state=%00", "lead_state"),
        ("/api/v1/best-practices/?topic=%00", "topic"),
        ("/api/v1/denials/?state=%00", "state"),
        ("/api/v1/denials/?control_entry=5A%00", "control_entry"),
        ("/api/v1/consultations/?status=%00", "status"),
        ("/api/v1/notifications/?unread=%00", "unread"),
        ("/api/v1/search/?q=%00", "q"),
        ("/api/v1/search/?q=export&type=%00", "type"),
        ("/api/v1/states/?cursor=%00", "cursor"),
        ("/api/v1/notices/?page_size=%00", "page_size"),
    ],
)
def test_a_nul_in_the_query_string_is_a_400_naming_the_parameter(api_for, no_viewer, url, name):
    response = api_for(no_viewer).get(url)

    assert_refused_at(response, (name,), "\u0000")


def test_a_nul_in_a_parameters_name_is_a_400(api_for, no_viewer):
    response = api_for(no_viewer).get("/api/v1/notices/?q%00=export")

    assert_refused_at(response, ("non_field_errors",), "\u0000")


def test_invalid_utf8_in_the_query_string_is_not_an_error_of_ours(api_for, no_viewer):
    # Django reads it with replacement characters: plain text, searched for.
    response = api_for(no_viewer).get("/api/v1/notices/?q=%ED%A0%80")

    assert response.status_code == 200


# --- What renders the errors ----------------------------------------------------------------


def test_an_error_holding_a_surrogate_is_still_rendered():
    # Should a message ever repeat such a value again, the answer is still a 400.
    error = ValidationError({"kind": ['"\ud800" is not a valid choice.'], "x\ud800": ["y"]})
    response = exception_handler(error, {})
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}

    content = response.rendered_content

    assert json.loads(content) == {
        "kind": ['"\ufffd" is not a valid choice.'],
        "x\ufffd": ["y"],
    }
