"""Personal API tokens: hashed at rest, shown once, what they authenticate and when they
stop, how their use is noted and audited, and the page where people make and revoke them."""

import hashlib
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.choices import Role, StateStatus
from accounts.models import ApiToken
from portal.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
PAGE = "/accounts/tokens/"


def sign_in(client, user):
    """Signed in, and just now confirmed the password again, as the tokens page asks
    before it makes or shows anything."""
    client.force_login(user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})


ACTIVATE = "/accounts/2fa/totp/activate/"
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def bearer(value: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    return client


def revoke_url(token: ApiToken) -> str:
    return reverse("accounts:api-token-revoke", args=[token.pk])


def rows(response) -> list[str]:
    """The rows of the token tables on the page, as HTML."""
    return re.findall(r'<tr data-testid="token-row">(.*?)</tr>', response.content.decode(), re.S)


def row_of(response, token: ApiToken) -> str:
    (row,) = [row for row in rows(response) if revoke_url(token) in row or token.hint in row]
    return row


def used_entries(token: ApiToken):
    return AuditEntry.objects.filter(action="api_token.used", object_id=str(token.pk))


def apitoken_updates(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("UPDATE") and "accounts_apitoken" in q["sql"]
    ]


def assert_unauthorized(response):
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer ")
    assert "username" not in response.json()


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED_ROLES = ["state_admin", "officer", "staff"]


@pytest.fixture
def activate_totp(client, password, django_capture_on_commit_callbacks):
    """Sign ``user`` in on ``client`` and give them an authenticator app, through the
    pages, as tests/accounts/test_mfa.py does."""

    def activate(user):
        client.post("/accounts/login/", {"login": user.username, "password": password})
        client.post("/accounts/reauthenticate/", {"password": password})
        secret = client.get(ACTIVATE).context["form"].secret
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(ACTIVATE, {"code": code})
        assert response.status_code == 302, response.content.decode()
        cache.clear()
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    return activate


# --- Hashed at rest, shown once ------------------------------------------------------------


def test_only_a_hash_and_a_short_hint_of_the_value_are_stored(dk_officer, token_for):
    token, value = token_for(dk_officer)
    assert re.fullmatch(r"echri_[A-Za-z0-9_-]{43}", value)
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(value.encode()).hexdigest()
    assert token.hint == value[:12]
    secret_part = value[len(token.hint) :]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken WHERE id = %s", [token.pk])
        stored = [str(column) for column in cursor.fetchone()]
    assert not any(value in column for column in stored)
    assert not any(secret_part[:16] in column for column in stored)
    # Nor does the audit row of its making hold it.
    entry = AuditEntry.objects.get(action="api_token.created")
    assert value not in str(entry.details) + entry.object_repr


def test_each_token_has_its_own_value(dk_officer, token_for):
    (first, first_value), (second, second_value) = token_for(dk_officer), token_for(dk_officer)
    assert first_value != second_value
    assert first.key_hash != second.key_hash


def test_the_value_is_shown_once_after_making_it_then_never_again(client, dk_viewer):
    sign_in(client, dk_viewer)
    response = client.post(PAGE, {"name": "licensing system", "expires_days": "90"})
    assert response.status_code == 302
    assert response["Location"] == PAGE
    token = ApiToken.objects.get(user=dk_viewer)

    shown = client.get(PAGE)
    assert shown.status_code == 200
    (value,) = re.findall(
        r'value="(echri_[^"]+)" readonly data-testid="new-token"', shown.content.decode()
    )
    assert hashlib.sha256(value.encode()).hexdigest() == token.key_hash
    assert bearer(value).get(ME).json()["username"] == "dk-viewer"

    reloaded = client.get(PAGE)
    assert value not in reloaded.content.decode()
    assert 'data-testid="new-token"' not in reloaded.content.decode()
    assert token.hint in row_of(reloaded, token)  # the token is listed, by its hint only
    # Once shown, no session holds it either.
    assert not any(value in str(s.get_decoded()) for s in Session.objects.all())


def test_the_value_is_not_shown_to_someone_else_on_the_same_browser(client, dk_viewer, dk_admin):
    sign_in(client, dk_viewer)
    client.post(PAGE, {"name": "licensing system", "expires_days": "90"})
    sign_in(client, dk_admin)  # a different user: Django flushes the session
    assert 'data-testid="new-token"' not in client.get(PAGE).content.decode()


# --- What a token authenticates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "role", "state"),
    [
        ("dk_officer", Role.OFFICER, {"code": "DK", "name": "Denmark"}),
        ("dk_admin", Role.STATE_ADMIN, {"code": "DK", "name": "Denmark"}),
        ("no_viewer", Role.VIEWER, {"code": "NO", "name": "Norway"}),
        ("observer_user", Role.VIEWER, {"code": "CL", "name": "Chile"}),
    ],
)
def test_a_token_acts_as_its_user(request, api_for, persona, role, state):
    user = request.getfixturevalue(persona)
    response = api_for(user).get(ME)
    assert response.status_code == 200
    assert response.json() == {"username": user.username, "role": role, "state": state}


def test_a_token_acts_with_the_users_current_role(dk_officer, api_for):
    api = api_for(dk_officer)
    dk_officer.role = Role.VIEWER
    dk_officer.save()
    assert api.get(ME).json()["role"] == Role.VIEWER


def test_the_keyword_is_case_insensitive(dk_officer, token_for):
    _token, value = token_for(dk_officer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"bearer {value}")
    assert client.get(ME).status_code == 200


def test_no_header_is_401_with_a_bearer_challenge(anonymous_api, dk_officer, token_for):
    token_for(dk_officer)
    assert_unauthorized(anonymous_api.get(ME))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer {value} extra",
        "Bearer {value}é",  # non-ASCII (a server hands headers over as Latin-1)
        "Bearer échri_{value}",
        "Bearer {value}\u00c3\u00a9",  # "é" sent as UTF-8
        "Token {value}",
        "Token xyz",
        "Basic {value}",
        "Bearer{value}",
        "{value}",
    ],
)
def test_a_malformed_header_is_401(dk_officer, token_for, header):
    _token, value = token_for(dk_officer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(value=value))
    assert_unauthorized(client.get(ME))
    assert not AuditEntry.objects.filter(action="api_token.used").exists()


@pytest.mark.parametrize(
    "value",
    [
        "echri_" + "A" * 43,
        "echri_",
        "{value}x",
        "{upper}",
        "{bare}",  # the value without its prefix
        "echri_" + "A" * 300,
    ],
)
def test_an_unknown_value_is_401(dk_officer, token_for, value):
    _token, real = token_for(dk_officer)
    value = value.format(value=real, upper=real.upper(), bare=real.removeprefix("echri_"))
    assert_unauthorized(bearer(value).get(ME))


def test_an_expired_token_is_401(dk_officer, token_for):
    with time_machine.travel(START, tick=False) as traveller:
        token, value = token_for(dk_officer, expires_days=1)
        assert token.expires_at == START + timedelta(days=1)
        traveller.shift(timedelta(days=1) - timedelta(seconds=1))
        assert bearer(value).get(ME).status_code == 200
        traveller.shift(timedelta(seconds=1))
        assert_unauthorized(bearer(value).get(ME))
        assert token.status == "expired"


def test_a_revoked_token_is_401_and_the_users_other_tokens_still_work(dk_officer, token_for):
    token, value = token_for(dk_officer)
    _other, other_value = token_for(dk_officer)
    assert bearer(value).get(ME).status_code == 200
    used_at = ApiToken.objects.get(pk=token.pk).last_used_at

    assert services.revoke_api_token(token, by=dk_officer) is True
    assert_unauthorized(bearer(value).get(ME))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == used_at  # a refused use is no use
    assert bearer(other_value).get(ME).status_code == 200


def test_a_deactivated_users_token_is_401(dk_officer, dk_admin, token_for):
    _token, value = token_for(dk_officer)
    services.set_active(dk_officer, active=False, by=dk_admin)
    assert_unauthorized(bearer(value).get(ME))


def test_a_suspended_states_tokens_are_401(dk_officer, token_for):
    _token, value = token_for(dk_officer)
    dk_officer.state.status = StateStatus.SUSPENDED
    dk_officer.state.save()
    assert_unauthorized(bearer(value).get(ME))


def test_an_official_made_platform_staff_loses_their_tokens(dk_officer, token_for):
    _token, value = token_for(dk_officer)
    dk_officer.state = None
    dk_officer.is_staff = True
    dk_officer.save()
    assert_unauthorized(bearer(value).get(ME))


# --- Platform staff and MFA --------------------------------------------------------------------


def test_platform_staff_cannot_hold_a_token(client, staff_user):
    with pytest.raises(PermissionDenied):
        services.create_api_token(staff_user, name="secretariat", by=staff_user)

    sign_in(client, staff_user)
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "API tokens are for the officials of a state." in html
    assert 'name="name"' not in html
    assert "one of 's" not in html  # the introduction does not name a state they lack
    assert client.post(PAGE, {"name": "secretariat", "expires_days": ""}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_token_of_platform_staff_does_not_authenticate(staff_user):
    # However it came to exist (the database, a past version), it opens nothing.
    value = ApiToken.VALUE_PREFIX + "s" * 43
    ApiToken.objects.create(
        user=staff_user, name="x", key_hash=services.hash_token(value), hint=value[:12]
    )
    assert_unauthorized(bearer(value).get(ME))


def test_a_role_requiring_mfa_cannot_make_a_token_without_it(mfa_required, dk_officer):
    with pytest.raises(PermissionDenied, match="two-factor"):
        services.create_api_token(dk_officer, name="licensing", by=dk_officer)
    assert not ApiToken.objects.exists()


def test_the_tokens_page_sends_a_role_requiring_mfa_to_set_it_up(client, mfa_required, dk_officer):
    sign_in(client, dk_officer)
    page = client.get(PAGE)
    assert page.status_code == 302
    assert page["Location"] == ACTIVATE
    posted = client.post(PAGE, {"name": "licensing", "expires_days": "30"})
    assert posted.status_code == 302
    assert posted["Location"] == ACTIVATE
    assert not ApiToken.objects.exists()


def test_the_tokens_page_itself_refuses_a_role_requiring_mfa(
    client, settings, mfa_required, dk_officer
):
    # Were the middleware that sends them to MFA set-up ever missing, the page still
    # refuses: the rule lives in the service.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "MFARequired" not in m]
    sign_in(client, dk_officer)
    html = client.get(PAGE).content.decode()
    assert "Your role requires two-factor authentication" in html
    assert reverse("mfa_activate_totp") in html
    assert 'name="name"' not in html
    assert client.post(PAGE, {"name": "licensing", "expires_days": "30"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_token_stops_working_when_its_role_comes_to_require_mfa(
    settings, dk_officer, token_for, activate_totp
):
    _token, value = token_for(dk_officer)
    assert bearer(value).get(ME).status_code == 200
    settings.MFA_REQUIRED_ROLES = ["officer"]
    assert_unauthorized(bearer(value).get(ME))
    activate_totp(dk_officer)
    assert bearer(value).get(ME).status_code == 200


def test_with_an_authenticator_a_role_requiring_mfa_makes_and_uses_tokens(
    client, mfa_required, dk_officer, activate_totp
):
    activate_totp(dk_officer)
    _token, value = services.create_api_token(dk_officer, name="service", by=dk_officer)
    assert bearer(value).get(ME).json()["username"] == "dk-officer"

    page = client.get(PAGE)
    assert page.status_code == 200
    assert 'name="name"' in page.content.decode()
    assert client.post(PAGE, {"name": "page", "expires_days": "30"}).status_code == 302
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"service", "page"}


def test_nobody_makes_a_token_for_someone_else(dk_admin, dk_officer):
    with pytest.raises(PermissionDenied):
        services.create_api_token(dk_officer, name="x", by=dk_admin)
    assert not ApiToken.objects.exists()


# --- Last used, and the audit of use ----------------------------------------------------------


def test_last_used_moves_on_use_at_most_once_a_minute(dk_officer, token_for):
    with time_machine.travel(START, tick=False) as traveller:
        token, value = token_for(dk_officer)
        assert token.last_used_at is None
        api = bearer(value)

        with CaptureQueriesContext(connection) as first:
            assert api.get(ME).status_code == 200
        assert len(apitoken_updates(first)) == 2  # last used, and the hourly audit claim
        assert ApiToken.objects.get(pk=token.pk).last_used_at == START

        traveller.shift(timedelta(seconds=59))
        with CaptureQueriesContext(connection) as within:
            assert api.get(ME).status_code == 200
        assert apitoken_updates(within) == []
        assert ApiToken.objects.get(pk=token.pk).last_used_at == START

        traveller.shift(timedelta(seconds=2))
        with CaptureQueriesContext(connection) as later:
            assert api.get(ME).status_code == 200
        assert len(apitoken_updates(later)) == 1  # last used only: audited a minute ago
        assert ApiToken.objects.get(pk=token.pk).last_used_at == START + timedelta(seconds=61)


def test_use_is_audited_at_most_once_an_hour_per_token(dk_officer, token_for):
    with time_machine.travel(START, tick=False) as traveller:
        token, value = token_for(dk_officer)
        api = bearer(value)
        for minutes in (0, 1, 2, 30, 59):
            traveller.move_to(START + timedelta(minutes=minutes))
            assert api.get(ME).status_code == 200
            api.get(ME)
        traveller.move_to(START + timedelta(minutes=59, seconds=59))
        api.get(ME)
        (entry,) = used_entries(token)
        assert entry.at == START
        assert (entry.actor, entry.state_id) == (dk_officer, "DK")
        assert entry.object_type == "accounts.apitoken"
        assert entry.details == {"method": "GET", "path": ME}
        assert value not in entry.object_repr + str(entry.details)

        traveller.move_to(START + timedelta(minutes=61))
        api.get(ME)
        api.get(ME)
        assert [e.at for e in used_entries(token).order_by("at")] == [
            START,
            START + timedelta(minutes=61),
        ]


def test_each_token_is_audited_on_its_own(dk_officer, no_viewer, token_for):
    with time_machine.travel(START, tick=False) as traveller:
        tokens = [token_for(dk_officer), token_for(dk_officer), token_for(no_viewer)]
        for seconds in range(0, 600, 45):
            traveller.move_to(START + timedelta(seconds=seconds))
            for _token, value in tokens:
                assert bearer(value).get(ME).status_code == 200
        for token, _value in tokens:
            assert used_entries(token).count() == 1
        assert AuditEntry.objects.filter(action="api_token.used").count() == 3


def test_concurrent_first_uses_write_one_audit_row(dk_officer, token_for):
    # Two requests (perhaps on two web hosts) that both read the token before either
    # noted its use: the conditional UPDATE lets only one of them audit it.
    token, _value = token_for(dk_officer)
    first, second = ApiToken.objects.get(pk=token.pk), ApiToken.objects.get(pk=token.pk)
    services.record_token_use(first)
    services.record_token_use(second)
    assert used_entries(token).count() == 1


def test_a_refused_request_is_not_recorded_as_use(dk_officer, token_for):
    token, value = token_for(dk_officer)
    services.revoke_api_token(token, by=dk_officer)
    bearer(value).get(ME)
    assert not used_entries(token).exists()


# --- The tokens page -------------------------------------------------------------------------


def test_the_page_requires_sign_in(client, dk_officer, token_for):
    token, _value = token_for(dk_officer)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert client.post(PAGE, {"name": "x", "expires_days": ""}).status_code == 302
    assert client.post(revoke_url(token)).status_code == 302
    assert ApiToken.objects.get().revoked_at is None
    assert ApiToken.objects.count() == 1


def test_the_page_lists_ones_own_tokens_with_their_status(client, dk_viewer, dk_officer, token_for):
    active, _ = token_for(dk_viewer, name="licensing, production")
    expired, _ = token_for(dk_viewer, name="old pilot", expires_days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    revoked, _ = token_for(dk_viewer, name="leaked one")
    services.revoke_api_token(revoked, by=dk_viewer)
    colleague, _ = token_for(dk_officer, name="colleague's")

    sign_in(client, dk_viewer)
    page = client.get(PAGE)
    assert page.status_code == 200
    listed = rows(page)
    assert len(listed) == 3
    assert "leaked one" in listed[-1]  # revoked tokens come after the others, on any database
    active_row, expired_row, revoked_row = (row_of(page, t) for t in (active, expired, revoked))
    assert "Active" in active_row and "licensing, production" in active_row
    assert revoke_url(active) in active_row
    assert "Expired" in expired_row and "old pilot" in expired_row
    assert "Revoked" in revoked_row and "leaked one" in revoked_row
    assert revoke_url(revoked) not in revoked_row
    assert "colleague" not in page.content.decode()
    assert colleague.hint not in page.content.decode()


def test_the_page_has_a_fixed_query_count(client, dk_admin, dk_officer, dk_viewer, token_for):
    sign_in(client, dk_admin)
    token_for(dk_admin)
    client.get(PAGE)  # what the first page caches (the unread count) is cached for both
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE).status_code == 200
    for user in (dk_admin, dk_officer, dk_viewer, dk_officer):
        token_for(user)
    with CaptureQueriesContext(connection) as many:
        page = client.get(PAGE)
    assert len(rows(page)) == 5
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 101, "Ensure this value has at most 100 characters"),
        ("tab\there", "no control characters"),
    ],
)
def test_making_a_token_needs_a_proper_name(client, dk_viewer, name, message):
    sign_in(client, dk_viewer)
    response = client.post(PAGE, {"name": name, "expires_days": "30"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert message in " ".join(response.context["form"].errors["name"])
    assert response.context["new_value"] is None
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action="api_token.created").exists()


def test_making_a_token_needs_a_offered_lifetime(client, dk_viewer):
    sign_in(client, dk_viewer)
    response = client.post(PAGE, {"name": "licensing", "expires_days": "99999"})
    assert response.status_code == 400
    assert response.context["form"].errors["expires_days"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(("days", "expected"), [("30", timedelta(days=30)), ("", None)])
def test_a_token_made_on_the_page_expires_as_chosen(client, dk_viewer, days, expected):
    with time_machine.travel(START, tick=False):
        sign_in(client, dk_viewer)
        assert client.post(PAGE, {"name": "  licensing  ", "expires_days": days}).status_code == 302
    token = ApiToken.objects.get()
    assert token.name == "licensing"
    assert token.expires_at == (START + expected if expected else None)


def test_a_state_admin_sees_and_revokes_the_tokens_of_their_states_users(
    client, dk_admin, dk_viewer, no_viewer, token_for
):
    theirs, value = token_for(dk_viewer, name="danish viewer")
    foreign, foreign_value = token_for(no_viewer, name="norwegian viewer")
    sign_in(client, dk_admin)

    page = client.get(PAGE)
    html = page.content.decode()
    assert "danish viewer" in row_of(page, theirs)
    assert "norwegian" not in html
    assert "(dk-viewer)" in row_of(page, theirs)
    assert "norwegian viewer" not in html and foreign.hint not in html

    response = client.post(revoke_url(theirs), follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert "has been revoked" in response.content.decode()
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is not None
    assert_unauthorized(bearer(value).get(ME))
    entry = AuditEntry.objects.get(action="api_token.revoked")
    assert (entry.actor, entry.state_id, entry.object_id) == (dk_admin, "DK", str(theirs.pk))

    assert client.post(revoke_url(foreign)).status_code == 404
    assert ApiToken.objects.get(pk=foreign.pk).revoked_at is None
    assert bearer(foreign_value).get(ME).status_code == 200


@pytest.mark.parametrize(
    ("persona", "owner"), [("dk_viewer", "dk_officer"), ("no_admin", "dk_viewer")]
)
def test_others_cannot_revoke_a_token_they_do_not_manage(
    client, request, token_for, persona, owner
):
    token, _ = token_for(request.getfixturevalue(owner))
    sign_in(client, request.getfixturevalue(persona))
    assert client.post(revoke_url(token)).status_code == 404
    assert token.hint not in client.get(PAGE).content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    with pytest.raises(PermissionDenied):
        services.revoke_api_token(token, by=request.getfixturevalue(persona))
    assert not AuditEntry.objects.filter(action="api_token.revoked").exists()


def test_revoking_is_a_post(client, dk_viewer, token_for):
    token, _ = token_for(dk_viewer)
    sign_in(client, dk_viewer)
    assert client.get(revoke_url(token)).status_code == 405
    assert ApiToken.objects.get().revoked_at is None


def test_revoking_twice_says_it_was_already_revoked(client, dk_viewer, token_for):
    token, _ = token_for(dk_viewer)
    sign_in(client, dk_viewer)
    first = client.post(revoke_url(token), follow=True).content.decode()
    assert "has been revoked" in first
    revoked_at = ApiToken.objects.get().revoked_at
    second = client.post(revoke_url(token), follow=True).content.decode()
    assert "was already revoked" in second
    assert ApiToken.objects.get().revoked_at == revoked_at
    assert AuditEntry.objects.filter(action="api_token.revoked").count() == 1


def test_made_and_revoked_are_audited_by_hint_never_by_value(client, dk_viewer):
    sign_in(client, dk_viewer)
    client.post(PAGE, {"name": "case management", "expires_days": "365"})
    value = re.search(r'value="(echri_[^"]+)"', client.get(PAGE).content.decode())[1]
    token = ApiToken.objects.get()
    client.post(revoke_url(token))

    made = AuditEntry.objects.get(action="api_token.created")
    revoked = AuditEntry.objects.get(action="api_token.revoked")
    for entry in (made, revoked):
        assert (entry.actor, entry.state_id) == (dk_viewer, "DK")
        assert (entry.object_type, entry.object_id) == ("accounts.apitoken", str(token.pk))
        assert token.hint in entry.object_repr
        assert entry.details["user"] == "dk-viewer"
        stored = " ".join(str(getattr(entry, f.attname)) for f in entry._meta.concrete_fields)
        assert value not in stored
        assert value[len(token.hint) :][:16] not in stored
    assert made.details["expires_days"] == 365


def test_the_tokens_page_asks_for_the_password_again_first(client, dk_viewer, password):
    client.force_login(dk_viewer)  # signed in, but not just now

    page = client.get(PAGE)
    made = client.post(PAGE, {"name": "Sneaky", "expires_days": "30"})

    assert page.status_code == 302 and page["Location"].startswith("/accounts/reauthenticate/")
    assert made.status_code == 302 and made["Location"].startswith("/accounts/reauthenticate/")
    assert not ApiToken.objects.exists()
    client.post("/accounts/reauthenticate/", {"password": password})
    assert client.get(PAGE).status_code == 200


def test_a_value_kept_too_long_is_not_shown(client, dk_viewer):
    sign_in(client, dk_viewer)
    client.post(PAGE, {"name": "Forgotten", "expires_days": "30"})
    kept = client.session["api-token"]["value"]

    assert not kept.startswith("echri_")  # encrypted in the session
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        sign_in(client, dk_viewer)
        page = client.get(PAGE)
    assert "echri_" not in page.content.decode().replace(ApiToken.objects.get().hint, "")
