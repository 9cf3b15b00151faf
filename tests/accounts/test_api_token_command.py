"""`manage.py create_api_token USERNAME [--name NAME] [--expires-days N]`."""

import hashlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import ApiToken
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def me(value: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    return client.get("/api/v1/me/")


def test_prints_the_value_alone_on_one_line_and_it_works(dk_officer):
    with time_machine.travel(START, tick=False):
        output, errors = run("dk-officer", "--name", "licensing system", "--expires-days", "30")
    assert errors == ""
    lines = output.splitlines()
    assert len(lines) == 1
    assert output == lines[0] + "\n"
    value = lines[0]
    assert value.startswith("echri_") and value.strip() == value

    token = ApiToken.objects.get()
    assert (token.user, token.name) == (dk_officer, "licensing system")
    assert token.expires_at == START + timedelta(days=30)
    assert token.key_hash == hashlib.sha256(value.encode()).hexdigest()
    response = me(value)
    assert response.status_code == 200
    assert response.json()["username"] == "dk-officer"

    entry = AuditEntry.objects.get(action="api_token.created")
    assert (entry.actor, entry.state_id, entry.object_id) == (None, "DK", str(token.pk))
    assert value not in entry.object_repr + str(entry.details)


def test_without_options_the_token_never_expires(dk_viewer):
    output, _ = run("dk-viewer")
    token = ApiToken.objects.get()
    assert (token.name, token.expires_at) == ("command line", None)
    assert me(output.strip()).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "No user is called 'nobody'"),
        (["DK-OFFICER"], "No user is called"),
        (["dk-officer", "--expires-days", "0"], "Between 1 and 3650 days"),
        (["dk-officer", "--expires-days", "-5"], "Between 1 and 3650 days"),
        (["dk-officer", "--expires-days", "99999"], "Between 1 and 3650 days"),
        (["dk-officer", "--expires-days", "soon"], "invalid int value"),
        (["dk-officer", "--name", "   "], "Give the token a name"),
        (["dk-officer", "--name", "x" * 101], "At most 100 characters"),
    ],
)
def test_bad_input_is_refused_and_makes_nothing(dk_officer, args, message):
    out = StringIO()
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *args, stdout=out)
    assert out.getvalue() == ""
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action="api_token.created").exists()


@pytest.mark.parametrize(
    ("persona", "message"),
    [
        ("staff_user", "API tokens are for the officials of a state."),
        ("suspended_user", "API tokens are for the officials of a state."),
        ("inactive_user", "API tokens are for the officials of a state."),
        ("mfa_officer", "Your role requires two-factor authentication"),
    ],
)
def test_a_user_who_may_not_hold_a_token_gets_none(request, persona, message):
    user = request.getfixturevalue(persona)
    out = StringIO()
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", user.username, stdout=out)
    assert out.getvalue() == ""
    assert not ApiToken.objects.exists()


@pytest.fixture
def inactive_user(dk_viewer):
    dk_viewer.is_active = False
    dk_viewer.save()
    return dk_viewer


@pytest.fixture
def mfa_officer(settings, dk_officer):
    settings.MFA_REQUIRED_ROLES = ["officer"]
    return dk_officer
