"""The Django admin is no side door: it signs in through the portal (MFA, limits), and
what staff change there is audited through the same services as everywhere else."""

import pytest
from allauth.mfa.models import Authenticator

from portal.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_sign_in_goes_through_the_portals_sign_in(client, staff_user, password):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    # Posting credentials to the admin's own form signs nobody in.
    client.post("/admin/login/", {"username": "secretariat", "password": password})
    assert client.get("/admin/").status_code == 302


def test_staff_must_set_up_mfa_when_required(client, settings, staff_user, password):
    settings.MFA_REQUIRED_ROLES = ["state_admin", "officer", "staff"]
    client.post("/accounts/login/", {"login": "secretariat", "password": password})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_cannot_create_users_in_the_admin(staff_client):
    assert staff_client.get("/admin/accounts/user/add/").status_code == 403
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "sneaky",
            "password1": "x" * 20,
            "password2": "x" * 20,
            "state": "",
        },
    )
    assert response.status_code == 403


def test_reach_deciding_fields_are_read_only(staff_client, dk_viewer):
    page = staff_client.get(f"/admin/accounts/user/{dk_viewer.pk}/change/").content.decode()
    for field in ("state", "is_staff", "is_superuser", "email"):
        assert f'name="{field}"' not in page


@pytest.fixture
def colleague(seeded_states):
    """Another member of the platform staff."""
    return UserFactory(username="colleague", state=None, is_staff=True)


def test_staff_password_change_of_a_colleague_is_audited(staff_client, staff_user, colleague):
    new = "a brand new and long passphrase"
    response = staff_client.post(
        f"/admin/accounts/user/{colleague.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.check_password(new)
    entry = AuditEntry.objects.get(action="auth.password_changed")
    assert (entry.actor, entry.object_id, entry.details) == (
        staff_user,
        str(colleague.pk),
        {"by_staff": True},
    )


def test_staff_removing_a_colleagues_authenticator_is_audited(staff_client, staff_user, colleague):
    totp = Authenticator.objects.create(user=colleague, type="totp", data={"secret": "x"})
    assert staff_client.get(f"/admin/mfa/authenticator/{totp.pk}/change/").status_code == 200
    staff_client.post(f"/admin/mfa/authenticator/{totp.pk}/delete/", {"post": "yes"})
    assert not Authenticator.objects.filter(pk=totp.pk).exists()
    entry = AuditEntry.objects.get(action="mfa.disabled")
    assert (entry.actor, entry.object_id) == (staff_user, str(colleague.pk))


def test_authenticators_cannot_be_added_or_edited_in_the_admin(staff_client, dk_officer):
    totp = Authenticator.objects.create(user=dk_officer, type="totp", data={"secret": "x"})
    assert staff_client.get("/admin/mfa/authenticator/add/").status_code == 403
    staff_client.post(
        f"/admin/mfa/authenticator/{totp.pk}/change/", {"user": dk_officer.pk, "type": "totp"}
    )
    totp.refresh_from_db()
    assert totp.data == {"secret": "x"}


def test_email_addresses_are_not_editable_in_the_admin(staff_client):
    assert staff_client.get("/admin/account/emailaddress/").status_code == 404


def test_staff_cannot_deactivate_themselves(staff_client, staff_user):
    page = staff_client.get(f"/admin/accounts/user/{staff_user.pk}/change/")
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and key not in {"password", "last_login", "date_joined"}
    }
    data["is_active"] = ""
    response = staff_client.post(f"/admin/accounts/user/{staff_user.pk}/change/", data, follow=True)
    assert "cannot change your own account" in response.content.decode()
    staff_user.refresh_from_db()
    assert staff_user.is_active
