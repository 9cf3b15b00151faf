"""Deactivation and suspension end access for good: the sessions and API tokens a user
had stay dead after reactivation or after the suspension is lifted; coming back means
signing in again and making new tokens. Pins finding 5 of issue 17."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import services
from accounts.choices import StateStatus
from accounts.models import ApiToken, State
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _signed_in(client) -> bool:
    response = client.get("/")
    return response.status_code == 200


def _api(value: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    return client.get("/api/v1/me/").status_code


def test_a_reactivated_users_old_session_stays_signed_out(client, no_viewer, no_admin):
    client.force_login(no_viewer)
    assert _signed_in(client)
    services.set_active(no_viewer, active=False, by=no_admin)
    services.set_active(no_viewer, active=True, by=no_admin)
    assert not _signed_in(client)


def test_a_reactivated_user_signs_in_again(client, no_viewer, no_admin, password):
    services.set_active(no_viewer, active=False, by=no_admin)
    services.set_active(no_viewer, active=True, by=no_admin)
    client.post(LOGIN, {"login": "no-viewer", "password": password})
    assert _signed_in(client)


def test_deactivation_revokes_the_users_tokens_for_good(no_viewer, no_admin):
    token, value = services.create_api_token(no_viewer, name="system", by=no_viewer)
    assert _api(value) == 200
    services.set_active(no_viewer, active=False, by=no_admin)
    services.set_active(no_viewer, active=True, by=no_admin)
    assert _api(value) == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoked = AuditEntry.objects.get(action="api_token.revoked")
    assert revoked.details["reason"] == "user deactivated"


@pytest.fixture
def staff(staff_user):
    """Platform staff in a browser of their own (``client`` is the official's)."""
    browser = Client()
    browser.force_login(staff_user)
    return browser


def test_lifting_a_suspension_revives_no_session_and_no_token(client, staff, no_viewer):
    _token, value = services.create_api_token(no_viewer, name="system", by=no_viewer)
    client.force_login(no_viewer)
    assert _signed_in(client)
    norway = {"name": "Norway", "founding": "on", "joined": "2021-12-10"}
    staff.post("/admin/accounts/state/NO/change/", {**norway, "status": "suspended"})
    assert State.objects.get(pk="NO").is_suspended
    staff.post("/admin/accounts/state/NO/change/", {**norway, "status": "subscribing"})
    assert State.objects.get(pk="NO").status == StateStatus.SUBSCRIBING
    assert not _signed_in(client)
    assert _api(value) == 401
    assert not ApiToken.objects.usable().filter(user__state_id="NO").exists()


def test_suspending_one_state_leaves_the_others_signed_in(client, staff, dk_viewer):
    client.force_login(dk_viewer)
    staff.post(
        "/admin/accounts/state/NO/change/",
        {"name": "Norway", "founding": "on", "joined": "2021-12-10", "status": "suspended"},
    )
    assert _signed_in(client)
