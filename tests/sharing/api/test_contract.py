"""The contract as a whole: the OpenAPI document, the error shapes that are not about
one endpoint (throttling, unknown addresses, wrong methods and media types), and the
documentation page."""

import json
import re

import pytest
from django.test import Client
from openapi_spec_validator import validate

from portal.inputs import CONTROL_CLASS
from sharing.common.validators import CONTROL_CODE

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def document(django_db_setup, django_db_blocker):
    """The served document, fetched once: the tests only read it."""
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_openapi_document_is_valid(document):
    validate(document)  # raises on any violation of OpenAPI 3
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


CONTRACT = [
    ("get", "/api/v1/me/"),
    ("get", "/api/v1/states/"),
    ("get", "/api/v1/notices/"),
    ("post", "/api/v1/notices/"),
    ("get", "/api/v1/notices/{id}/"),
    ("patch", "/api/v1/notices/{id}/"),
    ("delete", "/api/v1/notices/{id}/"),
    ("post", "/api/v1/notices/{id}/publish/"),
    ("post", "/api/v1/notices/{id}/amend/"),
    ("post", "/api/v1/notices/{id}/withdraw/"),
    ("post", "/api/v1/notices/{id}/acknowledge/"),
    ("get", "/api/v1/notices/{id}/acknowledgements/"),
    ("get", "/api/v1/notices/{id}/comments/"),
    ("post", "/api/v1/notices/{id}/comments/"),
    ("get", "/api/v1/notices/{id}/attachments/"),
    ("post", "/api/v1/notices/{id}/attachments/"),
    ("get", "/api/v1/attachments/{id}/"),
    ("get", "/api/v1/best-practices/"),
    ("post", "/api/v1/best-practices/"),
    ("get", "/api/v1/best-practices/{id}/"),
    ("patch", "/api/v1/best-practices/{id}/"),
    ("post", "/api/v1/best-practices/{id}/publish/"),
    ("post", "/api/v1/best-practices/{id}/amend/"),
    ("post", "/api/v1/best-practices/{id}/archive/"),
    ("post", "/api/v1/best-practices/{id}/endorse/"),
    ("delete", "/api/v1/best-practices/{id}/endorse/"),
    ("get", "/api/v1/notifications/"),
    ("post", "/api/v1/notifications/{id}/read/"),
    ("post", "/api/v1/notifications/read-all/"),
    ("get", "/api/v1/search/"),
    ("get", "/api/v1/denials/"),
    ("post", "/api/v1/denials/"),
    ("get", "/api/v1/denials/{id}/"),
    ("post", "/api/v1/denials/{id}/amend/"),
    ("post", "/api/v1/denials/{id}/revoke/"),
    ("post", "/api/v1/denials/{id}/renew/"),
    ("post", "/api/v1/denials/{id}/consultations/"),
    ("post", "/api/v1/denials/screen/"),
    ("get", "/api/v1/consultations/"),
    ("get", "/api/v1/consultations/{id}/"),
    ("get", "/api/v1/consultations/{id}/messages/"),
    ("post", "/api/v1/consultations/{id}/messages/"),
    ("post", "/api/v1/consultations/{id}/answer/"),
    ("post", "/api/v1/consultations/{id}/extend/"),
    ("post", "/api/v1/consultations/{id}/outcome/"),
]


@pytest.mark.parametrize(("method", "path"), CONTRACT)
def test_every_operation_of_the_contract_is_described_with_its_errors(document, method, path):
    operation = document["paths"][path][method]
    codes = set(operation["responses"])
    assert codes & {"200", "201", "204"}
    assert {"401", "429"} <= codes
    takes_input = method != "get" or (
        "parameters" in operation
        and any(parameter["in"] == "query" for parameter in operation["parameters"])
    )
    assert ("400" in codes) == takes_input
    if takes_input:
        assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/FieldErrors"
        }
    if "{id}" in path:
        assert "404" in codes
    assert ("403" in codes) == (method != "get")
    # A body of a media type the operation does not read (or none said) answers 415.
    assert ("415" in codes) == ("requestBody" in operation)
    assert operation["security"] == [{"bearerAuth": []}]
    assert operation.get("summary")


def test_every_field_and_enum_is_described(document):
    schemas = document["components"]["schemas"]
    notice = schemas["Notice"]["properties"]
    for field in (
        "id", "reference", "kind", "title", "summary", "body", "body_html", "categories",
        "control_codes", "countries_of_concern", "entities", "severity", "tlp", "audience",
        "recipient_states", "valid_until", "status", "version", "author_state", "created_by",
        "created_at", "published_at", "updated_at", "withdrawn_reason", "url",
    ):  # fmt: skip
        assert field in notice, field
    assert schemas["TlpEnum"]["enum"] == ["clear", "green", "amber", "amber+strict", "red"]
    assert set(schemas["NoticeAudienceEnum"]["enum"]) == {"selected", "subscribing", "community"}
    assert set(schemas["LevelEnum"]["enum"]) == {"received", "assessed", "action_taken"}
    practice = schemas["BestPractice"]["properties"]
    for field in ("doc_type", "topics", "lead_state", "co_authors", "audience", "public"):
        assert field in practice, field


def test_every_denial_and_consultation_field_and_enum_is_described(document):
    schemas = document["components"]["schemas"]
    denial = schemas["Denial"]["properties"]
    for field in (
        "id", "state", "national_reference", "decided_on", "control_entry", "catch_all",
        "item_description", "end_use", "reason_category", "reason", "parties", "status",
        "review_on", "tlp", "audience", "recipient_states", "version", "created_by",
        "created_at", "updated_at", "revoked_at", "revoked_reason", "expired_at",
        "screening_counts", "outcomes", "url",
    ):  # fmt: skip
        assert field in denial, field
    assert set(schemas["Party"]["properties"]) == {"role", "name", "aliases", "address", "country"}
    consultation = schemas["Consultation"]["properties"]
    for field in (
        "id", "denial", "denying_state", "consulting_state", "application_reference",
        "end_user", "consignee", "destination", "control_entry", "item_description",
        "question", "status", "working_days", "due_on", "working_days_left", "extended_at",
        "extension_reason", "answer", "answered_at", "outcome", "outcome_note", "outcome_at",
        "opened_at", "url",
    ):  # fmt: skip
        assert field in consultation, field
    assert schemas["DenialStatusEnum"]["enum"] == [
        "draft",
        "pending_approval",
        "active",
        "amended",
        "revoked",
        "expired",
    ]
    assert schemas["ConsultationStatusEnum"]["enum"] == ["open", "overdue", "answered", "closed"]
    assert schemas["OutcomeEnum"]["enum"] == ["granted", "refused", "withdrawn"]
    assert set(schemas["ScreeningResult"]["properties"]) == {"screening", "matches", "notices"}
    assert set(schemas["Match"]["properties"]) == {"denial", "score", "reasons", "matched_names"}
    assert "denial" in schemas["SubjectTypeEnum"]["enum"]


def test_throttling_answers_429_with_retry_after_per_token_and_per_user(
    api_for, token_for, no_viewer, settings
):
    settings.API_TOKEN_RATE = "3/min"
    settings.API_USER_RATE = "5/min"
    first = api_for(no_viewer)
    responses = [first.get("/api/v1/me/") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert int(responses[-1]["Retry-After"]) > 0
    assert "detail" in responses[-1].json()

    # A second token of the same person has its own 3, but the person's 5 are near gone
    # (a request the token's limit refused still counts for the person).
    second = api_for(no_viewer)
    assert [second.get("/api/v1/me/").status_code for _ in range(2)] == [200, 429]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/notices/not-a-uuid/",
        "/api/v1/notices/null,null/",
        "/api/v1/nothing-here/",
        "/api/v1/notifications/abc/read/",
        "/api/v2/notices/",
        "/api/",
        "/public/v1/nothing-here",
    ],
)
def test_unknown_addresses_answer_json_404_whatever_the_method_and_debug(
    api_for, no_viewer, path, method, debug, settings
):
    # With DEBUG on, Django's own page for an unknown address is HTML: not here.
    settings.DEBUG = debug
    response = getattr(api_for(no_viewer), method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_address_without_its_final_slash_says_so(api_for, no_viewer, settings):
    settings.DEBUG = True
    api = api_for(no_viewer)
    response = api.post("/api/v1/notices", {}, format="json")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "Not found. Did you mean /api/v1/notices/ (with a final slash)?"
    }
    # A read goes on there, as Django's APPEND_SLASH sends it (HTML pages included).
    for path, target in [
        ("/api/v1/notices?tlp=red", "/api/v1/notices/?tlp=red"),
        ("/api/v1/docs", "/api/v1/docs/"),
        ("/taxii2/echri", "/taxii2/echri/"),
    ]:
        moved = api.get(path)
        assert (moved.status_code, moved["Location"]) == (301, target)


def test_a_wrong_method_and_a_wrong_media_type(api_for, dk_officer):
    api = api_for(dk_officer)

    put = api.put("/api/v1/notices/", {}, format="json")
    form = api.post("/api/v1/notices/", "title=x", content_type="application/x-www-form-urlencoded")

    assert put.status_code == 405 and "detail" in put.json()
    assert form.status_code == 415 and "detail" in form.json()


def test_a_body_without_its_media_type_is_a_415_the_document_lists(
    api_for, dk_officer, make_notice, document
):
    """A body sent with no Content-Type (the API fuzzing found one, on a file upload):
    DRF cannot tell how to read it, and the answer is one the document lists."""
    draft = make_notice(publish=False)
    path = f"/api/v1/notices/{draft.pk}/attachments/"
    upload = api_for(dk_officer).generic("POST", path, b"--x\r\n--x--\r\n", content_type="")
    assert upload.status_code == 415 and "detail" in upload.json()
    documented = document["paths"]["/api/v1/notices/{id}/attachments/"]["post"]["responses"]
    assert "415" in documented


def test_the_documentation_page_is_served_from_our_own_files(client):
    page = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/?script=")

    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html and "<style>" not in html  # nothing inline: CSP holds
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert any("swagger-ui-bundle.js" in source for source in sources)
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v1/notices/?page_size=%C2%B2", 400),  # "²" passes str.isdigit()
        ("/api/v1/states/?page_size=%D9%A3", 400),  # an Arabic-Indic three
        ("/api/v1/notices/?updated_since=9999-12-31T23:59:59-23:00", 400),  # past UTC's end
        ("/api/v1/notices/?cursor=cD05OTk5LTEyLTMxVDIzOjU5OjU5LTIzOjAw", 404),  # the same
        ("/api/v1/notices/?cursor=cD1ub3QtYS1kYXRl", 404),  # p=not-a-date
        ("/api/v1/states/?cursor=cD0lMDA%3D", 404),  # p=%00, a NUL in a text position
    ],
)
def test_odd_parameters_are_refused_not_failed_on(api_for, no_viewer, make_notice, path, code):
    make_notice()

    response = api_for(no_viewer).get(path)

    assert response.status_code == code
    assert response.json()


def test_a_body_nested_past_the_recursion_limit_is_a_400(api_for, dk_officer):
    body = '{"title": ' + "[" * 5000 + "]" * 5000 + "}"

    response = api_for(dk_officer).post("/api/v1/notices/", body, content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()


# --- What the server checks, said in the document ---------------------------------------------


def test_request_bodies_take_no_unknown_field_and_text_no_control_character(document):
    schemas = document["components"]["schemas"]
    write = schemas["NoticeWriteRequest"]
    assert write["additionalProperties"] is False
    assert write["properties"]["title"]["pattern"] == f"^[^{CONTROL_CLASS}]*$"
    codes = write["properties"]["control_codes"]["items"]["pattern"]
    # The document's form of a control-list code is the validators' (one in ECMA's syntax).
    for code in ["5A001.j", "5a001.J", "ML21.a", "EAR99", "4D004", "5A001 j", "XX1", "6A003.b.4.a"]:
        assert bool(re.match(codes, code)) == bool(CONTROL_CODE.match(code)), code
    assert write["properties"]["recipient_states"]["items"]["pattern"] == "^[A-Z]{2}$"
    assert schemas["EntityRequest"]["additionalProperties"] is False
    assert "XK" in schemas["CountryCode"]["enum"] and "DK" in schemas["CountryCode"]["enum"]


def test_query_parameters_say_their_form(document):
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/notices/"]["get"]["parameters"]}
    assert parameters["country"]["schema"] == {"$ref": "#/components/schemas/CountryCode"}
    assert parameters["author_state"]["schema"]["pattern"] == "^[A-Z]{2}$"
    assert re.match(parameters["cursor"]["schema"]["pattern"], "cD0yMDI2")
    assert not re.match(parameters["cursor"]["schema"]["pattern"], ":")


def test_what_the_document_refuses_the_server_refuses(api_for, dk_officer, make_notice):
    api = api_for(dk_officer)
    assert api.get("/api/v1/notices/", {"q": "bell\x07"}).status_code == 400
    assert api.get("/api/v1/states/", {"cursor": ":"}).status_code == 404
    notice = make_notice(publish=False)
    response = api.patch(
        f"/api/v1/notices/{notice.pk}/", {"title": "New", "colour": "red"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"colour": ["This field cannot be set."]}
    nested = api.patch(
        f"/api/v1/notices/{notice.pk}/",
        {"entities": [{"name": "A"}, {"name": "B", "colour": "red"}]},
        format="json",
    )
    assert nested.status_code == 400
    assert nested.json() == {"entities": {"1": {"colour": ["This field cannot be set."]}}}
    bell = api.patch(
        f"/api/v1/notices/{notice.pk}/", {"entities": [{"name": "Ding\x07"}]}, format="json"
    )
    assert bell.status_code == 400
    assert api.get("/api/v1/entities/export.csv", {"state": ""}).status_code == 400
