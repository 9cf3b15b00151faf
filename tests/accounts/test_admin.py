import pytest
from django.core import mail

from accounts.choices import Role, StateStatus
from accounts.models import Invitation, State
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_staff_invite_a_states_first_admin(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/accounts/invitation/add/",
            {"email": "admin@gov.ee", "state": "EE", "role": Role.STATE_ADMIN},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.state_id, invitation.role, invitation.invited_by) == (
        "EE",
        Role.STATE_ADMIN,
        staff_user,
    )
    assert mail.outbox[0].to == ["admin@gov.ee"]


def test_admin_form_explains_a_refused_invitation(staff_client, dk_officer):
    response = staff_client.post(
        "/admin/accounts/invitation/add/",
        {"email": dk_officer.email, "state": "DK", "role": Role.OFFICER},
    )
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert not Invitation.objects.exists()


def test_staff_create_and_suspend_a_state_with_audit(staff_client):
    staff_client.post(
        "/admin/accounts/state/add/",
        {
            "code": "CL",
            "name": "Chile",
            "status": StateStatus.OBSERVER,
            "joined": "2026-01-15",
        },
    )
    chile = State.objects.get(pk="CL")
    assert chile.status == StateStatus.OBSERVER
    staff_client.post(
        "/admin/accounts/state/CL/change/",
        {
            "name": "Chile",
            "status": StateStatus.SUSPENDED,
            "joined": "2026-01-15",
        },
    )
    chile.refresh_from_db()
    assert chile.is_suspended
    assert list(AuditEntry.objects.filter(state=chile).values_list("action", flat=True)) == [
        "state.changed",
        "state.created",
    ]


def test_admin_refuses_an_invalid_state_code(staff_client):
    response = staff_client.post(
        "/admin/accounts/state/add/",
        {
            "code": "QQ",
            "name": "Nowhere",
            "status": StateStatus.SUBSCRIBING,
        },
    )
    assert "not an ISO 3166-1 alpha-2 country code" in response.content.decode()
    assert not State.objects.filter(pk="QQ").exists()


def test_users_and_states_are_never_deleted_in_the_admin(staff_client, dk_viewer):
    assert (
        staff_client.post(
            f"/admin/accounts/user/{dk_viewer.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert staff_client.post("/admin/accounts/state/DK/delete/", {"post": "yes"}).status_code == 403


@pytest.mark.parametrize("persona", ["dk_admin", "dk_officer"])
def test_state_users_cannot_open_the_admin(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_changes_to_a_user_are_audited(staff_client, staff_user, dk_viewer):
    response = staff_client.get(f"/admin/accounts/user/{dk_viewer.pk}/change/")
    data = {
        key: value
        for key, value in response.context["adminform"].form.initial.items()
        if value is not None and key not in {"groups", "user_permissions", "password"}
    }
    data.update(
        role=Role.OFFICER,
        is_active="",
        date_joined_0=dk_viewer.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=dk_viewer.date_joined.strftime("%H:%M:%S"),
        state="DK",
        time_zone="UTC",
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    result = staff_client.post(f"/admin/accounts/user/{dk_viewer.pk}/change/", data)
    assert result.status_code == 302, result.context["adminform"].form.errors
    dk_viewer.refresh_from_db()
    assert (dk_viewer.role, dk_viewer.is_active) == (Role.OFFICER, False)
    rows = AuditEntry.objects.filter(object_id=str(dk_viewer.pk))
    assert {"user.role_changed", "user.deactivated"} <= set(rows.values_list("action", flat=True))
    assert rows.get(action="user.role_changed").details == {"from": "viewer", "to": "officer"}
    assert {row.actor for row in rows} == {staff_user}
