"""Fuzzing the API from its own OpenAPI document (schemathesis): for every operation,
generated requests, valid and invalid, with an officer's and a viewer's token, in every
phase (examples, coverage, fuzzing, and stateful workflows that chain the operations
through their ids). No request may answer a 5xx, and every response must be what the
document says: its status code, its content type, its body's schema; a request the
document calls invalid must be refused.

Every check of schemathesis runs but one, ``positive_data_acceptance`` ("a request the
document calls valid must succeed"): the server also refuses, with a 400 naming the
field, what OpenAPI 3.0 cannot say of a request, and that check would count those as
failures. They are values that name data (a category or topic slug, a state code:
their lists are GET /api/v1/categories/, /topics/, /states/, and the document says so),
rules between fields (a review date after the decision date; a control-list entry
unless the item is non-listed; an end-user among a denial's parties; recipient states
for a selected audience; a name to screen, the end-user's or the consignee's), and what
a file holds (its type is read from its bytes). Everything OpenAPI can say is in the
document (text without control characters, the form of control-list codes, state and
country codes and cursors, enumerations, lengths, no unknown fields), and the check
that such a request is refused runs.

The requests go in-process to the WSGI application, inside the test's transaction;
their ids are sometimes swapped for those of real objects, so that the operations on
existing notices, best practices, files, denials and consultations are reached, not only
their 404s.

About half the cases are sent carrying text the portal cannot keep: a lone surrogate
(U+D800 to U+DFFF), which schemathesis never generates, or a NUL, put into a string or
a key of the JSON body, or into a query parameter's value or name. Such a request, and
one where schemathesis itself put a NUL, is refused (400), unless what the caller may
not do, or may not see, answers first (403, 404).
"""

import copy
import datetime
import json
from urllib.parse import parse_qsl

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.core import NotSet
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts import services as accounts
from sharing.denials import services as denials
from sharing.notices import services as notices
from sharing.practices import services as practices
from sharing.screening import services as screening
from tests.personas import ensure_seeded, persona
from tests.sharing.conftest import (
    consultation_content,
    denial_content,
    notice_content,
    pdf,
    practice_content,
)

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Cases per operation and generation mode: bounded, so that the fuzzing of every
# operation with both personas stays within about a minute.
EXAMPLES = 12
# The one check left out, for the reasons above.
LEFT_OUT = [positive_data_acceptance]


_DJANGO = get_wsgi_application()
# The query string the application last received, as it received it: schemathesis's
# record of a request shows a nested value (a query parameter generated as an object)
# as it would encode it, while the WSGI client sends that value's repr, in which a NUL
# is the four characters "\x00".
_received = {"query": ""}


def APP(environ, start_response):
    _received["query"] = environ.get("QUERY_STRING", "")
    return _DJANGO(environ, start_response)


# Read from the running application, as a state's integrator would; building it needs
# no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", APP)
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    # The token is ours to send (below); generated credentials would only be replaced.
    with_security_parameters=False,
)


# --- Text the portal cannot keep ------------------------------------------------------------

NUL = st.just("\x00")
LONE_SURROGATE = st.characters(categories=["Cs"])


def unencodable_text(bad=NUL | LONE_SURROGATE):
    """A NUL or a lone surrogate, alone or among ordinary text."""
    return st.builds(
        lambda before, character, after: before + character + after,
        st.text(max_size=6),
        bad,
        st.text(max_size=6),
    )


def _places(value, path=()) -> list:
    """Where bad text can go in ``value``: ``(path, None)`` for a string to replace,
    ``(path, key)`` for a key of the object at ``path`` to rename."""
    if isinstance(value, str):
        return [(path, None)]
    places = []
    if isinstance(value, dict):
        for key, item in value.items():
            if type(key) is str:
                places.append((path, key))
                places += _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            places += _places(item, (*path, index))
    return places


def _put(value, place, bad):
    """A copy of ``value`` with ``bad`` put at ``place`` (the whole of it for the
    empty path)."""
    path, key = place
    if key is None and not path:
        return bad
    value = copy.deepcopy(value)
    target = value
    for step in path if key is not None else path[:-1]:
        target = target[step]
    if key is None:
        target[path[-1]] = bad
    else:
        target[bad] = target.pop(key)
    return value


@st.composite
def _unencodable_input(draw, case, where):
    if where == "json":
        body = case.body
        place = draw(st.sampled_from([((), None), *_places(body)]))
        return {"json": _put(body, place, draw(unencodable_text()))}
    # A query string is bytes on the wire, where only the NUL can be written (Django
    # reads what is not UTF-8 as U+FFFD).
    bad = draw(unencodable_text(NUL))
    name = draw(st.sampled_from(sorted(case.query)))
    if draw(st.booleans()):
        return {"params": {name: bad}}
    return {"params": {bad: "x"}}


def unencodable_input(case):
    """What to send instead of, or besides, the generated case so that it carries text
    the portal cannot keep: its JSON body with a NUL or a lone surrogate in a string or
    a key (sent as JSON escapes), or a query parameter with a NUL in its value or name.
    (A multipart part can carry only a NUL, and schemathesis puts some there itself;
    test_unencodable_input checks that they are refused.)"""
    wheres = []
    if not isinstance(case.body, NotSet) and "json" in (case.media_type or ""):
        wheres.append("json")
    if isinstance(case.query, dict) and case.query:
        wheres.append("query")
    if not wheres:
        return st.nothing()
    return st.sampled_from(wheres).flatmap(lambda where: _unencodable_input(case, where))


def _holds_unencodable(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, dict):
        return any(_holds_unencodable(k) or _holds_unencodable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_unencodable(item) for item in value)
    return False


def sent_unencodable(request) -> bool:
    """Whether the request as the application received it carried such text in its
    query string or its JSON body, whoever put it there (schemathesis generates NULs
    too)."""
    query = parse_qsl(_received["query"], keep_blank_values=True)
    if _holds_unencodable(query):
        return True
    if request.body and "json" in request.headers.get("Content-Type", ""):
        try:
            return _holds_unencodable(json.loads(request.body))
        except ValueError:
            return False
    return False


@pytest.fixture(autouse=True)
def _in_process(settings):
    settings.API_TOKEN_RATE = settings.API_USER_RATE = "100000/min"
    # Django's own test client keeps the test's connection open across a request; a
    # bare WSGI call would close it at the end of the request, inside the transaction.
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def build_world() -> dict:
    """Some of everything, and the ids that requests may name."""
    dk_officer, no_officer = persona("dk-officer"), persona("no-officer")
    draft = notices.create(by=dk_officer, **notice_content(title="Fuzzing draft"))
    published = notices.publish(
        notices.create(
            by=dk_officer,
            **notice_content(audience="selected", recipient_states=["NO"], tlp="green"),
        ),
        by=dk_officer,
    )
    notices.attach(draft, pdf(), by=dk_officer)
    practice = practices.publish(
        practices.create(by=no_officer, **practice_content()), by=no_officer
    )
    notices.comment(published, by=no_officer, body="Seen in Oslo too.")
    # A Danish denial that Norway consults Denmark about: the officer (Danish) answers,
    # extends and writes; the viewer (Norwegian) reads the consultation but acts in
    # neither. A Finnish screening gives the denial something to count.
    denial = denials.publish(by=dk_officer, **denial_content())
    consultation = denials.open_consultation(denial, by=no_officer, **consultation_content())
    denials.write_in_consultation(consultation, by=no_officer, body="Is it the same deal?")
    screening.screen(by=persona("fi-officer"), end_user="Nimbus Intercept")
    # An application Denmark watches, for the officer to read and decide.
    screened = screening.screen(by=dk_officer, end_user="Orion Signals")
    watch = screening.create(
        by=dk_officer,
        screening=screened.screening.pk,
        application_reference="DK-FUZZ-1",
        decide_by=(timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    )
    return {
        "uuids": [str(draft.pk), str(published.pk), str(practice.pk)]
        + [str(a.pk) for a in draft.attachments.all()]
        + [str(denial.pk), str(consultation.pk), str(watch.pk)],
        "tokens": {
            "officer": accounts.create_api_token(dk_officer, by=dk_officer, name="fuzz")[1],
            "viewer": accounts.create_api_token(
                viewer := persona("no-viewer"), by=viewer, name="fuzz"
            )[1],
        },
    }


@pytest.fixture(scope="module")
def world_once(django_db_setup, django_db_blocker, module_media):
    """The world every fuzzed operation shares, made once for this module inside a
    transaction rolled back when they are done: each test's own transaction is a
    savepoint within it, so what a generated request changes is gone for the next."""
    with (
        override_settings(PRIVATE_MEDIA_ROOT=module_media, PASSWORD_HASHERS=FAST_HASHERS),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        ensure_seeded()
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(world_once, db, shared_media):
    return world_once


def _aim(case, world) -> None:
    """Point some cases at real objects: the last hex digit of the generated id picks
    one (or keeps the random id, which must answer 404)."""
    ids = world["uuids"]
    value = case.path_parameters.get("id") if case.path_parameters else None
    if isinstance(value, str) and len(value) == 36 and value[-1:] in "0123456789abcdef":
        pick = int(value[-1], 16) % (len(ids) + 1)
        if pick < len(ids):
            case.path_parameters["id"] = ids[pick]


def _fuzz(case, data, world, persona) -> None:
    _aim(case, world)
    # About half the cases: the same request carrying text the portal cannot keep.
    instead = data.draw(st.none() | unencodable_input(case), label="unencodable input")
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {world['tokens'][persona]}"},
        excluded_checks=LEFT_OUT,
        **(instead or {}),
    )
    carried = sent_unencodable(response.request)
    assert carried or not instead, "the unencodable input was not sent"
    if carried:
        # Refused, unless what the caller may not do or see answers first.
        assert response.status_code in (400, 403, 404), (response.status_code, response.text)


FUZZ_SETTINGS = settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)


@schema.parametrize()
@schema.given(data=st.data())
@FUZZ_SETTINGS
def test_an_officer_meets_no_server_error_and_only_documented_answers(case, data, world):
    _fuzz(case, data, world, "officer")


@schema.parametrize()
@schema.given(data=st.data())
@FUZZ_SETTINGS
def test_a_viewer_meets_no_server_error_and_only_documented_answers(case, data, world):
    _fuzz(case, data, world, "viewer")


# --- Stateful workflows -----------------------------------------------------------------------

# The token the workflows send, as the persona's (set by each test).
TOKEN = {"value": ""}


@schema.auth(refresh_interval=None)
class PersonaToken:
    """The persona's token, as schemathesis's own authentication: its checks then know
    it is meant to be valid, send the request again without it and with a wrong one,
    and expect those refused."""

    def get(self, case, context):
        return TOKEN["value"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


class Workflows(schema.as_state_machine()):
    """Chains of calls that feed one operation's answer to the next (a created notice's
    id to its publishing, amending, reading...), as schemathesis links them."""

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(response, excluded_checks=LEFT_OUT, transport_kwargs=kwargs or None)


@pytest.mark.parametrize("persona", ["officer", "viewer"])
def test_stateful_workflows_meet_only_documented_answers(world, persona):
    TOKEN["value"] = world["tokens"][persona]
    Workflows.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
