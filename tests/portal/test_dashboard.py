import pytest

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_officer_is_greeted_with_their_state(client, dk_officer):
    client.force_login(dk_officer)
    page = client.get("/").content.decode()
    assert "Welcome, Mette Jensen — Denmark" in page
    assert "You are signed in as Officer for Denmark." in page
    assert 'data-testid="user-state">Denmark<' in page
    assert "Manage your state's users" not in page


def test_admin_sees_counts_for_their_own_state_only(
    client, dk_admin, dk_officer, no_viewer, settings
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from accounts import services

    services.invite_user(email="old@example.org", role="viewer", by=dk_admin)
    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS + 1)):
        services.invite_user(email="new@example.org", role="viewer", by=dk_admin)
        services.invite_user(
            email="norway@example.org",
            role="viewer",
            by=User.objects.create(username="no-admin2", state_id="NO", role="state_admin"),
        )
        client.force_login(dk_admin)
        response = client.get("/")
    assert response.context["member_count"] == 2  # the admin and the officer, not Norway's
    assert response.context["open_invitations"] == 1  # the expired one does not count
    assert "Manage your state's users" in response.content.decode()


def test_staff_are_pointed_to_the_administration(client, staff_user):
    client.force_login(staff_user)
    page = client.get("/").content.decode()
    assert "You are platform staff" in page
    assert 'href="/admin/"' in page


@pytest.mark.parametrize("extra", [0, 25])
def test_dashboard_runs_a_fixed_number_of_queries(
    client, dk_admin, django_assert_num_queries, extra
):
    from accounts.models import State

    UserFactory.create_batch(extra, state_id="DK")
    for n in range(extra):
        State.objects.create(code=f"{chr(65 + n)}Q", name=f"Observer {n}", status="observer")
    client.force_login(dk_admin)
    # session, user, three notice lists, consultations awaiting an answer, member count,
    # invitation count, states
    with django_assert_num_queries(11):
        assert client.get("/").status_code == 200
