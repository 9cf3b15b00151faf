import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services
from accounts.choices import Role, StateStatus
from accounts.models import Invitation, User
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and unusual passphrase"


def invite(client, email="ingrid@um.dk", role=Role.OFFICER):
    return client.post("/accounts/members/invite/", {"email": email, "role": role})


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/invitation/\S+/", message.body).group(0)


def accept(client, url, username="ingrid", password=NEW_PASSWORD, again=None):
    path = url.split("8000", 1)[-1] if "8000" in url else url
    return client.post(
        path,
        {
            "username": username,
            "first_name": "Ingrid",
            "last_name": "Holm",
            "password": password,
            "password_again": again or password,
        },
    )


@pytest.fixture
def invitation_url(client, dk_admin, django_capture_on_commit_callbacks):
    client.force_login(dk_admin)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client)
    client.logout()
    return link_in(mail.outbox[-1])


def test_state_admin_invites_and_the_mail_leaves_after_commit(
    client, dk_admin, django_capture_on_commit_callbacks
):
    client.force_login(dk_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = invite(client)
    assert response.status_code == 302
    assert mail.outbox == []  # nothing is sent before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    message = mail.outbox[0]
    assert message.to == ["ingrid@um.dk"]
    assert "Denmark" in message.subject
    assert "as Officer" in message.body
    assert message.alternatives[0][1] == "text/html"
    invitation = Invitation.objects.get()
    assert (invitation.state_id, invitation.role, invitation.invited_by) == (
        "DK",
        "officer",
        dk_admin,
    )
    entry = AuditEntry.objects.get(action="invitation.sent")
    assert (entry.actor, entry.state_id, entry.details["email"]) == (dk_admin, "DK", "ingrid@um.dk")


def test_invitee_sets_a_password_and_lands_signed_in(client, invitation_url):
    page = client.get(invitation_url.split("8000", 1)[-1])
    assert page.status_code == 200
    assert "join Denmark as Officer" in page.content.decode()
    response = accept(client, invitation_url)
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="ingrid")
    assert (user.state_id, user.role, user.email) == ("DK", Role.OFFICER, "ingrid@um.dk")
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert client.session[SESSION_KEY] == str(user.pk)
    assert Invitation.objects.get().accepted_user == user
    assert AuditEntry.objects.filter(action="invitation.accepted", actor=user).exists()
    assert AuditEntry.objects.filter(action="auth.login", actor=user).exists()


def test_an_invitation_link_works_only_once(client, invitation_url):
    accept(client, invitation_url)
    client.logout()
    response = accept(client, invitation_url, username="someone-else")
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert User.objects.filter(state_id="DK").count() == 2  # the admin and Ingrid


def test_an_invitation_link_expires(client, invitation_url, settings):
    later = timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS, minutes=1)
    with time_machine.travel(later):
        response = accept(client, invitation_url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(username="ingrid").exists()


def test_a_tampered_link_is_not_found(client, invitation_url):
    token = invitation_url.rstrip("/").rsplit("/", 1)[-1]
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(f"/accounts/invitation/{forged}/")
    assert response.status_code == 404
    assert client.get("/accounts/invitation/not-a-token/").status_code == 404


def test_a_revoked_invitation_cannot_be_used(client, invitation_url, dk_admin):
    services.revoke_invitation(Invitation.objects.get(), by=dk_admin)
    response = accept(client, invitation_url)
    assert response.status_code == 410
    assert not User.objects.filter(username="ingrid").exists()


def test_an_invitation_to_a_suspended_state_cannot_be_used(client, invitation_url):
    Invitation.objects.get().state.__class__.objects.filter(pk="DK").update(
        status=StateStatus.SUSPENDED
    )
    assert accept(client, invitation_url).status_code == 410
    assert not User.objects.filter(username="ingrid").exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password": "short"}, "password", "too short"),
        ({"password": NEW_PASSWORD, "again": NEW_PASSWORD + "x"}, "password_again", "differ"),
        ({"username": "dk-admin"}, "username", "taken"),
        ({"username": "has spaces!"}, "username", "letters, digits"),
        ({"username": "dk-admin@example.org"}, "username", "letters, digits"),
        ({"username": "DK-ADMIN"}, "username", "taken"),
    ],
)
def test_bad_account_details_are_refused_field_by_field(
    client, invitation_url, fields, field, message
):
    response = accept(client, invitation_url, **fields)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not User.objects.filter(email="ingrid@um.dk").exists()
    assert Invitation.objects.get().accepted_at is None


def test_signed_in_user_is_told_to_sign_out_first(client, invitation_url, dk_viewer):
    client.force_login(dk_viewer)
    response = client.get(invitation_url.split("8000", 1)[-1])
    assert response.status_code == 409
    assert not User.objects.filter(username="ingrid").exists()


@pytest.mark.parametrize(
    ("email", "role", "field", "message"),
    [
        ("not-an-address", Role.OFFICER, "email", "valid email"),
        ("dk-officer@example.org", Role.OFFICER, "email", "already has an account"),
        ("someone@um.dk", "superuser", "role", "valid choice"),
    ],
)
def test_bad_invitations_are_refused(client, dk_admin, dk_officer, email, role, field, message):
    client.force_login(dk_admin)
    response = invite(client, email=email, role=role)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Invitation.objects.exists()
    assert not AuditEntry.objects.filter(action="invitation.sent").exists()


def test_a_second_open_invitation_to_one_address_is_refused(client, dk_admin, no_admin):
    services.invite_user(email="dual@example.org", role=Role.VIEWER, by=no_admin)
    client.force_login(dk_admin)
    response = invite(client, email="DUAL@example.org")
    assert response.status_code == 400
    assert "still open" in " ".join(response.context["form"].errors["email"])
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_does_not_block_a_new_one(dk_admin, settings):
    old = services.invite_user(email="late@example.org", role=Role.VIEWER, by=dk_admin)
    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS + 1)):
        fresh = services.invite_user(email="late@example.org", role=Role.OFFICER, by=dk_admin)
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert fresh.status == "open"


@pytest.mark.parametrize("persona", ["dk_officer", "dk_viewer", "staff_user"])
def test_only_state_admins_reach_the_invitation_pages(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/accounts/members/invite/").status_code == 403
    assert invite(client).status_code == 403
    assert client.get("/accounts/members/").status_code == 403
    assert not Invitation.objects.exists()


def test_an_admin_cannot_invite_into_another_state_through_the_service(dk_admin, seeded_states):
    from django.core.exceptions import PermissionDenied

    from accounts.models import State

    with pytest.raises(PermissionDenied):
        services.invite_user(
            email="x@example.org", role=Role.VIEWER, by=dk_admin, state=State.objects.get(pk="NO")
        )
    assert not Invitation.objects.exists()


def test_admin_resends_and_revokes_own_states_invitations(
    client, dk_admin, django_capture_on_commit_callbacks
):
    invitation = services.invite_user(email="r@example.org", role=Role.VIEWER, by=dk_admin)
    first_expiry = invitation.expires_at
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        client.force_login(dk_admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/accounts/invitations/{invitation.pk}/resend/")
    assert response["Location"] == "/accounts/members/"
    # Resending issues a new link and kills the old one (issue 17, finding 11): a link
    # that leaked never gets a fresh expiry.
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    fresh = Invitation.objects.get(email="r@example.org", revoked_at__isnull=True)
    assert fresh.pk != invitation.pk and fresh.expires_at > first_expiry
    assert mail.outbox[-1].to == ["r@example.org"]
    token = link_in(mail.outbox[-1]).rstrip("/").rsplit("/", 1)[-1]
    assert Invitation.id_from_token(token) == fresh.pk
    client.logout()
    assert client.get(f"/accounts/invitation/{invitation.token}/").status_code == 410
    assert client.get(f"/accounts/invitation/{fresh.token}/").status_code == 200
    client.force_login(dk_admin)
    client.post(f"/accounts/invitations/{fresh.pk}/revoke/")
    fresh.refresh_from_db()
    assert fresh.status == "revoked"
    assert {"invitation.resent", "invitation.revoked"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_another_states_invitation_is_not_found(client, dk_admin, no_admin):
    invitation = services.invite_user(email="n@example.org", role=Role.VIEWER, by=no_admin)
    client.force_login(dk_admin)
    assert client.post(f"/accounts/invitations/{invitation.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/invitations/{invitation.pk}/resend/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "open"


def test_members_page_lists_open_invitations(client, dk_admin, no_admin):
    services.invite_user(email="mine@example.org", role=Role.VIEWER, by=dk_admin)
    services.invite_user(email="theirs@example.org", role=Role.VIEWER, by=no_admin)
    client.force_login(dk_admin)
    page = client.get("/accounts/members/").content.decode()
    assert "mine@example.org" in page
    assert "theirs@example.org" not in page


def test_an_address_taken_after_the_invitation_was_sent_is_refused(
    client, invitation_url, dk_viewer
):
    EmailAddress.objects.create(user=dk_viewer, email="ingrid@um.dk", verified=True)
    response = accept(client, invitation_url)
    assert response.status_code == 400
    assert "already has an account" in response.content.decode()
    assert not User.objects.filter(username="ingrid").exists()


def test_the_subject_of_the_invitation_is_plain_text(
    dk_admin, staff_user, seeded_states, django_capture_on_commit_callbacks
):
    from accounts.models import State

    state = State.objects.create(code="CI", name="Côte d'Ivoire")
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_user(
            email="x@example.org", role=Role.STATE_ADMIN, by=staff_user, state=state
        )
    assert "Côte d'Ivoire" in mail.outbox[0].subject


def test_an_admin_demoted_meanwhile_can_no_longer_act(dk_admin, dk_viewer):
    from django.core.exceptions import PermissionDenied

    stale = User.objects.get(pk=dk_admin.pk)  # loaded at the start of a request
    User.objects.filter(pk=dk_admin.pk).update(role=Role.VIEWER)  # another admin acted
    with pytest.raises(PermissionDenied):
        services.change_role(dk_viewer, role=Role.STATE_ADMIN, by=stale)
    with pytest.raises(PermissionDenied):
        services.invite_user(email="y@example.org", role=Role.VIEWER, by=stale)
    dk_viewer.refresh_from_db()
    assert dk_viewer.role == Role.VIEWER


# --- An unverified address reserves nothing (issue 17, finding 4) ---------------------------


def _claim_unverified(client, user, address):
    """What anyone signed in can do at /accounts/email/: ask to change their address to
    ``address``, which stays unverified until its owner follows the link."""
    client.force_login(user)
    client.post("/accounts/email/", {"email": address, "action_add": ""})
    client.logout()
    return EmailAddress.objects.filter(user=user, email__iexact=address, verified=False).exists()


def test_an_unverified_address_of_another_user_does_not_block_an_invitation(
    client, dk_admin, fr_viewer
):
    assert _claim_unverified(client, fr_viewer, "target@um.dk")
    invitation = services.invite_user(email="target@um.dk", role=Role.VIEWER, by=dk_admin)
    assert invitation.status == "open"


def test_an_unverified_address_claimed_after_the_invitation_does_not_block_accepting(
    client, dk_admin, fr_viewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_user(email="target@um.dk", role=Role.VIEWER, by=dk_admin)
    url = link_in(mail.outbox[-1])
    assert _claim_unverified(client, fr_viewer, "target@um.dk")
    response = accept(client, url)
    assert response.status_code == 302, response.content.decode()[:500]
    user = User.objects.get(username="ingrid")
    assert (user.email, user.state_id) == ("target@um.dk", "DK")
    invitation.refresh_from_db()
    assert invitation.accepted_user == user
    # The claim that could never be verified is gone; the address is the invitee's.
    assert not EmailAddress.objects.filter(user=fr_viewer, email__iexact="target@um.dk").exists()
    assert EmailAddress.objects.get(email__iexact="target@um.dk").user == user


def test_a_verified_address_still_blocks_an_invitation(dk_admin, fr_viewer):
    with pytest.raises(ValidationError) as refused:
        services.invite_user(email=fr_viewer.email, role=Role.VIEWER, by=dk_admin)
    assert "already has an account" in str(refused.value)
