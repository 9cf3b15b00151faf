import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache

from accounts.adapters import MFAAdapter
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED_ROLES = ["state_admin", "officer"]


def sign_in(client, user, password):
    return client.post("/accounts/login/", {"login": user.username, "password": password})


@pytest.fixture
def activate_totp(django_capture_on_commit_callbacks):
    def activate(client, password) -> str:
        # allauth asks for the password again before any change to MFA.
        client.post("/accounts/reauthenticate/", {"password": password})
        secret = client.get(ACTIVATE).context["form"].secret
        # allauth announces the change (which we audit and mail) after commit.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(ACTIVATE, {"code": current_code(secret)})
        assert response.status_code == 302, response.content.decode()
        cache.clear()  # the code just used may not be used again within its period
        return secret

    return activate


def test_required_role_is_sent_to_set_up_an_authenticator(
    client, mfa_required, dk_officer, password
):
    sign_in(client, dk_officer, password)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    assert client.get("/accounts/members/").status_code == 302  # nothing else either
    confirm = client.get(ACTIVATE)
    assert confirm.status_code == 302
    assert confirm["Location"].startswith("/accounts/reauthenticate/")  # allowed, not blocked
    client.post("/accounts/reauthenticate/", {"password": password})
    assert client.get(ACTIVATE).status_code == 200


def test_viewers_are_not_required_to_use_mfa(client, mfa_required, dk_viewer, password):
    sign_in(client, dk_viewer, password)
    assert client.get("/").status_code == 200


def test_nothing_is_required_when_the_setting_is_empty(client, settings, dk_officer, password):
    settings.MFA_REQUIRED_ROLES = []
    sign_in(client, dk_officer, password)
    assert client.get("/").status_code == 200


def test_activating_totp_unlocks_the_portal_and_is_audited(
    client, activate_totp, mfa_required, dk_officer, password
):
    sign_in(client, dk_officer, password)
    secret = activate_totp(client, password)
    assert client.get("/").status_code == 200
    totp = Authenticator.objects.get(user=dk_officer, type=Authenticator.Type.TOTP)
    assert totp.data["secret"] != secret  # encrypted at rest
    assert MFAAdapter().decrypt(totp.data["secret"]) == secret
    assert Authenticator.objects.filter(user=dk_officer, type="recovery_codes").exists()
    assert AuditEntry.objects.filter(action="mfa.enabled", actor=dk_officer).exists()
    assert any("Authenticator App Activated" in m.subject for m in mail.outbox)


def test_sign_in_then_asks_for_the_code(client, activate_totp, mfa_required, dk_officer, password):
    sign_in(client, dk_officer, password)
    secret = activate_totp(client, password)
    client.post("/accounts/logout/")

    response = sign_in(client, dk_officer, password)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert SESSION_KEY not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "Incorrect code" in wrong.content.decode()
    assert SESSION_KEY not in client.session
    right = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert right.status_code == 302
    assert client.session[SESSION_KEY] == str(dk_officer.pk)


def test_a_required_authenticator_cannot_be_removed(
    client, activate_totp, mfa_required, dk_officer, password
):
    sign_in(client, dk_officer, password)
    activate_totp(client, password)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert Authenticator.objects.filter(user=dk_officer, type="totp").exists()
    assert not AuditEntry.objects.filter(action="mfa.disabled").exists()


def test_an_optional_authenticator_can_be_removed_and_that_is_audited(
    client, activate_totp, dk_viewer, password, django_capture_on_commit_callbacks
):
    sign_in(client, dk_viewer, password)
    activate_totp(client, password)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=dk_viewer, type="totp").exists()
    assert AuditEntry.objects.filter(action="mfa.disabled", actor=dk_viewer).exists()


def test_an_unreadable_secret_never_accepts_a_code():
    adapter = MFAAdapter()
    garbage = adapter.decrypt("not-a-fernet-token")
    assert len(garbage) == 32 and garbage != adapter.decrypt("not-a-fernet-token")


def test_a_wrong_code_at_sign_in_is_audited(client, activate_totp, dk_viewer, password):
    client.post("/accounts/login/", {"login": "dk-viewer", "password": password})
    activate_totp(client, password)
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": "dk-viewer", "password": password})
    client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    entry = AuditEntry.objects.get(action="mfa.failed")
    assert (entry.actor, entry.details["type"]) == (dk_viewer, "totp")


def test_secrets_survive_a_key_rotation(settings):
    settings.ENCRYPTION_KEY = "old key " * 8
    settings.ENCRYPTION_KEY_FALLBACKS = []
    stored = MFAAdapter().encrypt("JBSWY3DPEHPK3PXP")
    settings.ENCRYPTION_KEY = "new key " * 8
    settings.ENCRYPTION_KEY_FALLBACKS = ["old key " * 8]
    assert MFAAdapter().decrypt(stored) == "JBSWY3DPEHPK3PXP"
    settings.ENCRYPTION_KEY_FALLBACKS = []
    assert MFAAdapter().decrypt(stored) != "JBSWY3DPEHPK3PXP"  # fails closed


def test_a_recovery_code_signs_in_once_in_place_of_the_app(
    client, activate_totp, mfa_required, dk_officer, password
):
    sign_in(client, dk_officer, password)
    activate_totp(client, password)
    # allauth shows the codes once, right after activation.
    shown = client.get("/accounts/2fa/recovery-codes/")
    codes = shown.context["unused_codes"]
    assert len(codes) == 10 and codes[0] in shown.content.decode()
    client.post("/accounts/logout/")

    response = sign_in(client, dk_officer, password)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(dk_officer.pk)
    assert client.get("/").status_code == 200  # the required MFA is satisfied
    assert AuditEntry.objects.filter(action="auth.login", actor=dk_officer).count() == 2
    client.post("/accounts/logout/")

    sign_in(client, dk_officer, password)
    spent = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert "Incorrect code" in spent.content.decode()
    assert SESSION_KEY not in client.session
    assert AuditEntry.objects.get(action="mfa.failed").actor == dk_officer
    client.post("/accounts/2fa/authenticate/", {"code": codes[1]})
    assert client.session[SESSION_KEY] == str(dk_officer.pk)
    recovery = Authenticator.objects.get(user=dk_officer, type="recovery_codes").wrap()
    assert recovery.get_unused_codes() == codes[2:]
