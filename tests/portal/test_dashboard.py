import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_officer_is_greeted_with_their_state(client, dk_officer):
    client.force_login(dk_officer)
    page = client.get("/").content.decode()
    assert "Welcome, Mette Jensen — Denmark" in page
    assert "You are signed in as Officer for Denmark." in page
    assert 'data-testid="user-state">Denmark<' in page
    assert "Manage your state's users" not in page


def test_admin_sees_member_counts(client, dk_admin, dk_officer, dk_viewer):
    client.force_login(dk_admin)
    response = client.get("/")
    assert response.context["member_count"] == 3
    assert "Manage your state's users" in response.content.decode()


def test_staff_are_pointed_to_the_administration(client, staff_user):
    client.force_login(staff_user)
    page = client.get("/").content.decode()
    assert "You are platform staff" in page
    assert 'href="/admin/"' in page


@pytest.mark.parametrize("extra_users", [0, 30])
def test_dashboard_runs_a_fixed_number_of_queries(
    client, dk_admin, django_assert_max_num_queries, extra_users
):
    UserFactory.create_batch(extra_users, state_id="DK")
    client.force_login(dk_admin)
    with django_assert_max_num_queries(6):
        assert client.get("/").status_code == 200
