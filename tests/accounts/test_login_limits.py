"""The per-account sign-in limit (5 failures in 15 minutes) belongs to the account: the
host the request names, the port, and whether the person types their user name or
their e-mail address (in any case, or in Unicode look-alikes that still sign in) make
no difference; nor does another account's unconfirmed claim to the address."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.utils import timezone

from portal.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
THROTTLED = "Too many failed login attempts"
WRONG = "not the password"


def sign_in(client, login, password, host="testserver", address="127.0.0.1"):
    return client.post(
        LOGIN, {"login": login, "password": password}, HTTP_HOST=host, REMOTE_ADDR=address
    )


def fail_five_times(client, login, host="testserver"):
    for attempt in range(5):
        response = sign_in(client, login, WRONG, host=host)
        assert "not correct" in response.content.decode(), attempt


def assert_refused(client, response):
    assert response.status_code == 200
    assert THROTTLED in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_allowed_hosts_used_here_are_accepted(client):
    # Otherwise the tests below would pass for the wrong reason (a 400, not a refusal).
    for host in ("localhost", "localhost:9999", "127.0.0.1:8443"):
        assert client.get(LOGIN, HTTP_HOST=host).status_code == 200, host


@pytest.mark.parametrize("host", ["localhost:9999", "localhost", "127.0.0.1:8443"])
def test_another_host_or_port_does_not_reset_the_accounts_limit(client, dk_officer, password, host):
    fail_five_times(client, "dk-officer")
    assert_refused(client, sign_in(client, "dk-officer", password, host=host))


def test_the_email_address_does_not_get_round_the_limit_on_the_user_name(
    client, dk_officer, password
):
    fail_five_times(client, "dk-officer")
    assert_refused(client, sign_in(client, dk_officer.email, password))


def test_the_user_name_does_not_get_round_the_limit_on_the_email_address(
    client, dk_officer, password
):
    fail_five_times(client, dk_officer.email)
    assert_refused(client, sign_in(client, "dk-officer", password))


def test_case_makes_no_difference(client, dk_officer, password):
    fail_five_times(client, "DK-Officer")
    assert_refused(client, sign_in(client, "dk-officer", password))
    assert_refused(client, sign_in(client, dk_officer.email.upper(), password))


# "\u212a" is the Kelvin sign. allauth lowercases an e-mail address typed at sign-in
# before it looks it up, and Python lowercases the Kelvin sign to a plain "k": this
# login reaches dk-officer's account, though the database, asked case-insensitively,
# finds no such address.
KELVIN_LOOK_ALIKE = "d\u212a-officer@example.org"


def test_a_unicode_look_alike_of_the_address_signs_in_to_the_account(client, dk_officer, password):
    # Otherwise the two tests below would prove nothing.
    response = sign_in(client, KELVIN_LOOK_ALIKE, password)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(dk_officer.pk)


def test_a_unicode_look_alike_does_not_get_round_the_limit_on_the_user_name(
    client, dk_officer, password
):
    fail_five_times(client, "dk-officer")
    assert_refused(client, sign_in(client, KELVIN_LOOK_ALIKE, password))


def test_failures_with_a_unicode_look_alike_count_against_the_account(client, dk_officer, password):
    fail_five_times(client, KELVIN_LOOK_ALIKE)
    assert_refused(client, sign_in(client, "dk-officer", password))
    assert_refused(client, sign_in(client, dk_officer.email, password))


def claim_address(client, user, email):
    """``user`` adds ``email`` to their account; it stays unconfirmed."""
    client.force_login(user)
    client.post("/accounts/email/", {"email": email, "action_add": ""})
    client.logout()
    assert EmailAddress.objects.filter(user=user, email=email, verified=False).exists()


def test_another_accounts_unconfirmed_claim_to_the_address_does_not_split_the_limit(
    client, dk_officer, dk_viewer, password
):
    # Anyone may add any address to their own account; until it is confirmed it says
    # nothing about whose address it is.
    claim_address(client, dk_viewer, dk_officer.email)
    fail_five_times(client, "dk-officer")
    assert_refused(client, sign_in(client, dk_officer.email, password))
    # ... and the failures were dk-officer's, not dk-viewer's.
    response = sign_in(client, "dk-viewer", password, host="localhost:9999")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(dk_viewer.pk)


def test_an_address_still_awaiting_confirmation_counts_against_its_account(
    client, dk_viewer, password
):
    # allauth checks the password of an account whose only claim to the address typed
    # is unconfirmed (and then asks for the confirmation): that is a guess at the
    # account's password too.
    claim_address(client, dk_viewer, "viewer.new@example.org")
    asked_to_confirm = sign_in(client, "viewer.new@example.org", password)
    assert asked_to_confirm.status_code == 302
    assert asked_to_confirm["Location"] == "/accounts/confirm-email/"
    assert SESSION_KEY not in client.session
    fail_five_times(client, "viewer.new@example.org")
    assert_refused(client, sign_in(client, "dk-viewer", password))


def test_failures_by_every_route_add_up_on_the_one_account(client, dk_officer):
    # Two by name on one host, two by address on another, one in capitals on a third.
    sign_in(client, "dk-officer", WRONG)
    sign_in(client, "dk-officer", WRONG)
    sign_in(client, dk_officer.email, WRONG, host="localhost:9999")
    sign_in(client, dk_officer.email, WRONG, host="localhost:9999")
    sign_in(client, "DK-OFFICER", WRONG, host="127.0.0.1")
    response = sign_in(client, dk_officer.email, WRONG, host="localhost")
    assert THROTTLED in response.content.decode()
    throttled = AuditEntry.objects.get(action="auth.login_throttled")
    assert throttled.actor_username == dk_officer.email  # what was typed


def test_one_accounts_failures_do_not_block_another(client, dk_officer, dk_viewer, password):
    fail_five_times(client, "dk-officer")
    response = sign_in(client, "dk-viewer", password, host="localhost:9999")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(dk_viewer.pk)


def test_an_unknown_login_is_limited_like_a_real_one(client, dk_officer):
    # Same answers, in the same order, as for an account that exists: the limit does not
    # tell an attacker which names are real. Its key is the login as typed, normalised.
    for login in ("mallory", "Mallory", "MALLORY", " mallory", "mallory"):
        response = sign_in(client, login, WRONG, host="localhost:9999")
        assert "not correct" in response.content.decode()
    assert THROTTLED in sign_in(client, "mallory", WRONG).content.decode()
    # ... and it is that login's own limit, not the real account's.
    assert "not correct" in sign_in(client, "dk-officer", WRONG).content.decode()


def test_the_right_password_works_again_once_the_window_has_passed(client, dk_officer, password):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail_five_times(client, "dk-officer")
        assert_refused(client, sign_in(client, dk_officer.email, password, host="localhost:9999"))
        clock.shift(timedelta(minutes=15, seconds=1))
        response = sign_in(client, dk_officer.email, password, host="localhost:9999")
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(dk_officer.pk)


def test_a_deactivated_account_is_limited_by_account_too(client, dk_officer, password):
    dk_officer.is_active = False
    dk_officer.save()
    fail_five_times(client, "dk-officer")
    response = sign_in(client, dk_officer.email, password, host="localhost:9999")
    assert THROTTLED in response.content.decode()


def test_resetting_the_password_lifts_the_accounts_limit(
    client, dk_officer, django_capture_on_commit_callbacks
):
    new_password = "a different and long passphrase"
    fail_five_times(client, "dk-officer")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": dk_officer.email})
    link = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/password/reset/key/\S+/)", mail.outbox[0].body
    ).group(1)
    page = client.get(link, follow=True)
    action = page.redirect_chain[-1][0] if page.redirect_chain else link
    with django_capture_on_commit_callbacks(execute=True):
        client.post(action, {"password1": new_password, "password2": new_password})
    # The failures were by user name, the reset by e-mail address: one account, one count.
    response = sign_in(client, "dk-officer", new_password)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(dk_officer.pk)
