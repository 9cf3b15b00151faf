"""Platform staff manage accounts but can never become a state's official: they cannot
set a state user's password, remove their authenticators or act as them. What they may
do for a locked-out user is send a reset link to the user's verified address; every act
of theirs on a state's accounts is audited and e-mailed to the user and to the state's
admins. Pins finding 2 of issue 17."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail as django_mail
from django.core.exceptions import PermissionDenied

from accounts import services
from accounts.choices import Role
from accounts.models import User
from portal.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # account mail leaves after commit


def _to(address: str) -> list:
    return [m for m in django_mail.outbox if address in m.to]


def test_staff_cannot_set_a_state_users_password(staff_client, fi_officer, password):
    url = f"/admin/accounts/user/{fi_officer.pk}/password/"
    assert staff_client.get(url).status_code == 403
    new = "a brand new and long passphrase"
    response = staff_client.post(
        url, {"password1": new, "password2": new, "usable_password": "true"}
    )
    assert response.status_code == 403
    fi_officer.refresh_from_db()
    assert fi_officer.check_password(password) and not fi_officer.check_password(new)


def test_the_user_page_offers_no_password_change_for_a_state_user(staff_client, fi_officer):
    page = staff_client.get(f"/admin/accounts/user/{fi_officer.pk}/change/").content.decode()
    assert "../password/" not in page
    assert "Send a password reset link" in page


def test_staff_still_set_another_staff_members_password(staff_client, seeded_states):
    colleague = UserFactory(username="colleague", state=None, is_staff=True)
    new = "a brand new and long passphrase"
    response = staff_client.post(
        f"/admin/accounts/user/{colleague.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.check_password(new)


def test_staff_cannot_remove_a_state_users_authenticator(staff_client, fi_officer):
    totp = Authenticator.objects.create(user=fi_officer, type="totp", data={"secret": "x"})
    url = f"/admin/mfa/authenticator/{totp.pk}/delete/"
    assert staff_client.get(url).status_code == 403
    staff_client.post(url, {"post": "yes"})
    staff_client.post(
        "/admin/mfa/authenticator/",
        {"action": "delete_selected", "_selected_action": [totp.pk], "post": "yes"},
    )
    assert Authenticator.objects.filter(pk=totp.pk).exists()


def test_staff_send_a_reset_link_to_the_verified_address_and_everyone_is_told(
    staff_client, staff_user, fi_officer, fi_admin, settings
):
    response = staff_client.post(f"/admin/accounts/user/{fi_officer.pk}/reset-link/", follow=True)
    assert response.status_code == 200
    assert "reset link has been sent" in response.content.decode()
    reset, notice = _to(fi_officer.email)
    link = f"{settings.SITE_URL}/accounts/password/reset/key/"
    assert link in reset.body
    assert "platform staff" in notice.subject.lower()
    assert "reset link" in notice.body
    (admins_notice,) = _to(fi_admin.email)
    assert "fi-officer" in admins_notice.body
    entry = AuditEntry.objects.get(action="user.password_reset_sent")
    assert (entry.actor, entry.object_id) == (staff_user, str(fi_officer.pk))
    fi_officer.refresh_from_db()
    assert fi_officer.has_usable_password()  # nothing changed until the user acts


def test_no_reset_link_without_a_verified_address(staff_client, fi_officer):
    EmailAddress.objects.filter(user=fi_officer).update(verified=False)
    response = staff_client.post(f"/admin/accounts/user/{fi_officer.pk}/reset-link/", follow=True)
    assert "no verified e-mail address" in response.content.decode()
    assert django_mail.outbox == []


def test_staff_deactivating_a_user_tells_the_user_and_the_states_admins(
    staff_user, fi_officer, fi_admin
):
    services.set_active(fi_officer, active=False, by=staff_user)
    assert len(_to(fi_officer.email)) == 1
    (told,) = _to(fi_admin.email)
    assert "deactivated" in told.body and "fi-officer" in told.body


def test_a_state_admin_deactivating_a_user_sends_no_staff_notice(fi_officer, fi_admin):
    services.set_active(fi_officer, active=False, by=fi_admin)
    assert django_mail.outbox == []


def test_staff_inviting_an_admin_into_a_state_tells_its_admins(staff_user, fi_admin):
    services.invite_user(
        email="new.admin@um.fi", role="state_admin", state=fi_admin.state, by=staff_user
    )
    (told,) = _to(fi_admin.email)
    assert "new.admin@um.fi" in told.body
    assert len(_to("new.admin@um.fi")) == 1  # the invitation itself


def test_staff_changing_a_role_tells_the_user_and_the_admins(staff_user, fi_officer, fi_admin):
    services.change_role(fi_officer, role=Role.VIEWER, by=staff_user)
    assert len(_to(fi_officer.email)) == 1 and len(_to(fi_admin.email)) == 1


def test_nothing_in_the_admin_lets_staff_sign_in_as_a_user(staff_client, fi_officer):
    # The only ways to become a user are their password and their authenticator.
    page = staff_client.get(f"/admin/accounts/user/{fi_officer.pk}/change/").content.decode()
    assert 'name="password"' not in page
    assert User.objects.get(pk=fi_officer.pk).password == fi_officer.password


# --- Gaps the outside re-review found -----------------------------------------------------


@pytest.mark.parametrize("bad", ["abc", "1.0", "%20"])
def test_a_malformed_user_id_in_the_password_address_is_a_404(staff_client, bad):
    assert staff_client.get(f"/admin/accounts/user/{bad}/password/").status_code == 404


def test_suspending_a_state_and_lifting_it_tell_its_admins(staff_client, fi_admin, fi_officer):
    finland = {"name": "Finland", "joined": "2023-03-30"}
    staff_client.post("/admin/accounts/state/FI/change/", {**finland, "status": "suspended"})
    (suspended,) = _to(fi_admin.email)
    assert "suspended" in suspended.body
    staff_client.post("/admin/accounts/state/FI/change/", {**finland, "status": "subscribing"})
    assert len(_to(fi_admin.email)) == 2
    assert "suspension" in _to(fi_admin.email)[1].body


def test_no_reset_link_for_a_deactivated_user(staff_client, staff_user, fi_officer):
    services.set_active(fi_officer, active=False, by=staff_user)
    sent = len(django_mail.outbox)
    response = staff_client.post(f"/admin/accounts/user/{fi_officer.pk}/reset-link/", follow=True)
    assert "deactivated" in response.content.decode()
    assert len(django_mail.outbox) == sent


# --- A lost phone: the official's own state admin, never staff -----------------------------


def test_a_state_admin_removes_a_members_lost_second_factor_and_they_are_told(
    client, fi_admin, fi_officer
):
    Authenticator.objects.create(user=fi_officer, type="totp", data={"secret": "x"})
    Authenticator.objects.create(user=fi_officer, type="recovery_codes", data={"seed": "x"})
    client.force_login(fi_admin)
    response = client.post(f"/accounts/members/{fi_officer.pk}/second-factor/remove/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=fi_officer).exists()
    entry = AuditEntry.objects.get(action="mfa.disabled")
    assert (entry.actor, entry.object_id) == (fi_admin, str(fi_officer.pk))
    (told,) = _to(fi_officer.email)
    assert "two-factor" in told.body and fi_admin.display_name in told.body


def test_staff_and_other_states_cannot_remove_a_second_factor(
    client, staff_user, fi_officer, dk_admin
):
    Authenticator.objects.create(user=fi_officer, type="totp", data={"secret": "x"})
    with pytest.raises(PermissionDenied):
        services.remove_second_factor(fi_officer, by=staff_user)
    client.force_login(dk_admin)
    assert (
        client.post(f"/accounts/members/{fi_officer.pk}/second-factor/remove/").status_code == 404
    )
    assert Authenticator.objects.filter(user=fi_officer).exists()
