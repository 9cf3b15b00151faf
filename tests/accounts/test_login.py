import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from accounts.choices import StateStatus
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, login, password):
    return client.post(LOGIN, {"login": login, "password": password})


def actions():
    return list(AuditEntry.objects.order_by("id").values_list("action", "actor_username"))


def test_officer_signs_in_and_sees_their_state(client, dk_officer, password):
    response = sign_in(client, "dk-officer", password)
    assert response.status_code == 302
    assert response["Location"] == "/"
    dashboard = client.get("/")
    assert "Welcome, Mette Jensen — Denmark" in dashboard.content.decode()
    assert ("auth.login", "dk-officer") in actions()


def test_sign_in_by_email_address_works(client, dk_officer, password):
    assert sign_in(client, dk_officer.email, password).status_code == 302
    assert client.session[SESSION_KEY] == str(dk_officer.pk)


def test_wrong_password_shows_an_error_and_signs_nobody_in(client, dk_officer):
    response = sign_in(client, "dk-officer", "not the password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert actions() == [("auth.login_failed", "dk-officer")]


def test_failed_sign_in_for_an_unknown_name_is_audited(client, seeded_states):
    sign_in(client, "mallory", "guess")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_username, entry.actor) == (
        "auth.login_failed",
        "mallory",
        None,
    )
    assert entry.ip_address == "127.0.0.1"


def test_repeated_failures_lock_the_account_for_a_while(client, dk_officer, password):
    for _ in range(5):
        sign_in(client, "dk-officer", "wrong")
    response = sign_in(client, "dk-officer", password)  # even the right password now
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert ("auth.login_throttled", "dk-officer") in actions()


def test_sign_out_is_audited_and_ends_the_session(client, dk_officer):
    client.force_login(dk_officer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert ("auth.logout", "dk-officer") in actions()


def test_suspended_states_users_cannot_sign_in(client, suspended_user, password):
    response = sign_in(client, "pe-officer", password)
    assert response.status_code == 403
    assert "access to the exchange is suspended" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert ("auth.login_refused", "pe-officer") in actions()
    assert client.get("/").status_code == 302  # still signed out


def test_suspending_a_state_ends_its_users_sessions(client, dk_officer):
    client.force_login(dk_officer)
    assert client.get("/").status_code == 200
    dk_officer.state.status = StateStatus.SUSPENDED
    dk_officer.state.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_deactivated_user_cannot_sign_in(client, dk_officer, password):
    dk_officer.is_active = False
    dk_officer.save()
    response = sign_in(client, "dk-officer", password)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/inactive/"
    assert SESSION_KEY not in client.session
    assert "deactivated" in client.get("/accounts/inactive/").content.decode()


def test_there_is_no_public_sign_up(client, seeded_states):
    page = client.get("/accounts/signup/")
    assert "Accounts are by invitation" in page.content.decode()
    client.post(
        "/accounts/signup/",
        {
            "email": "me@example.org",
            "username": "me",
            "password1": "x" * 20,
            "password2": "x" * 20,
        },
    )
    from accounts.models import User

    assert not User.objects.filter(username="me").exists()


def test_dashboard_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"


def test_pages_carry_security_headers(client, dk_officer):
    client.force_login(dk_officer)
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_absurdly_long_login_is_refused_cleanly(client, seeded_states):
    response = client.post(LOGIN, {"login": "x" * 100_000, "password": "whatever"})
    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()


def test_repeated_failures_from_one_address_block_it_for_a_minute(client, dk_officer, password):
    # Password spraying: one guess at each of many names, so no account's own limit trips.
    attacker, colleague = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.20"}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(10):
            response = client.post(LOGIN, {"login": f"guess{n}", "password": "x"}, **attacker)
            assert "not correct" in response.content.decode()
        response = client.post(LOGIN, {"login": "dk-officer", "password": password}, **attacker)
        assert "Too many failed login attempts" in response.content.decode()
        assert SESSION_KEY not in client.session
        entry = AuditEntry.objects.get(action="auth.login_throttled")
        assert (entry.actor_username, entry.ip_address) == ("dk-officer", "203.0.113.7")

        # The limit is the address's, not the account's, and it lasts a minute.
        response = client.post(LOGIN, {"login": "dk-officer", "password": password}, **colleague)
        assert response.status_code == 302
        client.post("/accounts/logout/")
        clock.shift(61)
        response = client.post(LOGIN, {"login": "dk-officer", "password": password}, **attacker)
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(dk_officer.pk)
