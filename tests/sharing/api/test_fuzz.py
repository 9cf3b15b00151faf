"""Fuzzing the API from its own OpenAPI document (schemathesis): for every operation,
generated requests, valid and invalid, with an officer's and a viewer's token. No
request may answer a 5xx, and every response must be what the document says: its
status code, its content type, its body's schema.

The requests go in-process to the WSGI application, inside the test's transaction;
their ids are sometimes swapped for those of real objects, so that the operations on
existing notices, best practices, files, denials and consultations are reached, not only
their 404s.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from sharing import services
from tests.factories import UserFactory
from tests.sharing.conftest import pdf
from tests.sharing.test_denials import consultation_content, denial_content

# Cases per operation and generation mode: bounded, so that the fuzzing of every
# operation with both personas stays within about a minute.
EXAMPLES = 12


APP = get_wsgi_application()
# Read from the running application, as a state's integrator would; building it needs
# no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", APP)
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    # The token is ours to send (below); generated credentials would only be replaced.
    with_security_parameters=False,
)


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


@pytest.fixture
def world(dk_officer, no_officer, no_viewer, dk_viewer, make_notice, make_practice, token_for):
    """Some of everything, and the ids that requests may name."""
    draft = make_notice(publish=False, title="Fuzzing draft")
    published = make_notice(audience="selected", recipient_states=["NO"], tlp="green")
    services.add_attachment(draft, pdf(), by=dk_officer)
    practice = make_practice()
    services.add_comment(published, by=no_officer, body="Seen in Oslo too.")
    # A Danish denial that Norway consults Denmark about: the officer (Danish) answers,
    # extends and writes; the viewer (Norwegian) reads the consultation but acts in
    # neither. A Finnish screening gives the denial something to count.
    denial = services.issue_denial(by=dk_officer, **denial_content())
    consultation = services.open_consultation(denial, by=no_officer, **consultation_content())
    services.write_in_consultation(consultation, by=no_officer, body="Is it the same deal?")
    fi_officer = UserFactory(username="fi-officer", state_id="FI", role="officer")
    services.screen(by=fi_officer, end_user="Nimbus Intercept")
    return {
        "uuids": [str(draft.pk), str(published.pk), str(practice.pk)]
        + [str(a.pk) for a in draft.attachments.all()]
        + [str(denial.pk), str(consultation.pk)],
        "tokens": {
            "officer": token_for(dk_officer)[1],
            "viewer": token_for(no_viewer)[1],
        },
    }


def _aim(case, world) -> None:
    """Point some cases at real objects: the last hex digit of the generated id picks
    one (or keeps the random id, which must answer 404)."""
    ids = world["uuids"]
    value = case.path_parameters.get("id") if case.path_parameters else None
    if isinstance(value, str) and len(value) == 36 and value[-1:] in "0123456789abcdef":
        pick = int(value[-1], 16) % (len(ids) + 1)
        if pick < len(ids):
            case.path_parameters["id"] = ids[pick]


def _fuzz(case, world, persona) -> None:
    _aim(case, world)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {world['tokens'][persona]}"},
        # A well-formed value may still name nothing (a state code, a topic slug that
        # does not exist): refusing it with a 400 is right, so that check is left out.
        excluded_checks=[positive_data_acceptance],
    )


FUZZ_SETTINGS = settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)


@schema.parametrize()
@FUZZ_SETTINGS
def test_an_officer_meets_no_server_error_and_only_documented_answers(case, world):
    _fuzz(case, world, "officer")


@schema.parametrize()
@FUZZ_SETTINGS
def test_a_viewer_meets_no_server_error_and_only_documented_answers(case, world):
    _fuzz(case, world, "viewer")
