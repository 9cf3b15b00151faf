import pytest
from django.test import Client

from accounts.choices import Role
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, dk_admin):
    client.force_login(dk_admin)
    return client


def test_admin_sees_only_own_states_users(admin_client, dk_officer, no_viewer):
    page = admin_client.get("/accounts/members/").content.decode()
    assert "dk-officer" in page
    assert "no-viewer" not in page


def test_admin_changes_a_role(admin_client, dk_admin, dk_viewer):
    response = admin_client.post(f"/accounts/members/{dk_viewer.pk}/", {"role": Role.OFFICER})
    assert response.status_code == 302
    dk_viewer.refresh_from_db()
    assert dk_viewer.role == Role.OFFICER
    entry = AuditEntry.objects.get(action="user.role_changed")
    assert (entry.actor, entry.object_id, entry.details) == (
        dk_admin,
        str(dk_viewer.pk),
        {"from": "viewer", "to": "officer"},
    )


def test_a_tampered_role_is_refused_and_changes_nothing(admin_client, dk_viewer):
    response = admin_client.post(f"/accounts/members/{dk_viewer.pk}/", {"role": "superuser"})
    assert response.status_code == 400
    assert "valid choice" in response.content.decode()
    dk_viewer.refresh_from_db()
    assert dk_viewer.role == Role.VIEWER
    assert not AuditEntry.objects.filter(action="user.role_changed").exists()


def test_admin_cannot_change_own_role(admin_client, dk_admin):
    response = admin_client.post(f"/accounts/members/{dk_admin.pk}/", {"role": Role.VIEWER})
    assert response.status_code == 400
    assert "cannot change your own account" in response.content.decode()
    dk_admin.refresh_from_db()
    assert dk_admin.role == Role.STATE_ADMIN


def test_another_states_user_is_not_found(admin_client, no_viewer):
    assert admin_client.get(f"/accounts/members/{no_viewer.pk}/").status_code == 404
    assert (
        admin_client.post(
            f"/accounts/members/{no_viewer.pk}/", {"role": Role.STATE_ADMIN}
        ).status_code
        == 404
    )
    assert admin_client.post(f"/accounts/members/{no_viewer.pk}/deactivate/").status_code == 404
    no_viewer.refresh_from_db()
    assert (no_viewer.role, no_viewer.is_active) == (Role.VIEWER, True)
    assert not AuditEntry.objects.exclude(action="auth.login").exists()


def test_platform_staff_are_not_managed_by_state_admins(admin_client, staff_user):
    assert admin_client.post(f"/accounts/members/{staff_user.pk}/deactivate/").status_code == 404
    staff_user.refresh_from_db()
    assert staff_user.is_active


@pytest.mark.parametrize("persona", ["dk_officer", "dk_viewer"])
def test_officers_and_viewers_cannot_manage_users(client, persona, request, dk_viewer):
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.post(f"/accounts/members/{dk_viewer.pk}/", {"role": Role.STATE_ADMIN}).status_code
        == 404
    )
    assert client.post(f"/accounts/members/{dk_viewer.pk}/deactivate/").status_code == 404
    dk_viewer.refresh_from_db()
    assert (dk_viewer.role, dk_viewer.is_active) == (Role.VIEWER, True)


def test_deactivation_signs_the_user_out_and_reactivation_lets_them_back(
    admin_client, dk_admin, dk_officer
):
    officer_client = Client()
    officer_client.force_login(dk_officer)
    assert officer_client.get("/").status_code == 200

    admin_client.post(f"/accounts/members/{dk_officer.pk}/deactivate/")
    dk_officer.refresh_from_db()
    assert not dk_officer.is_active
    assert officer_client.get("/").status_code == 302  # their session no longer works

    admin_client.post(f"/accounts/members/{dk_officer.pk}/reactivate/")
    dk_officer.refresh_from_db()
    assert dk_officer.is_active
    assert list(
        AuditEntry.objects.filter(object_id=str(dk_officer.pk)).values_list("action", flat=True)
    ) == ["user.reactivated", "user.deactivated"]


def test_deactivation_only_by_post(admin_client, dk_officer):
    assert admin_client.get(f"/accounts/members/{dk_officer.pk}/deactivate/").status_code == 405
    dk_officer.refresh_from_db()
    assert dk_officer.is_active


def test_admin_cannot_deactivate_themselves(admin_client, dk_admin):
    admin_client.post(f"/accounts/members/{dk_admin.pk}/deactivate/")
    dk_admin.refresh_from_db()
    assert dk_admin.is_active
