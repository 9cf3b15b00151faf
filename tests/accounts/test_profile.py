import pytest

from portal.models import AuditEntry

pytestmark = pytest.mark.django_db


def save_profile(client, **fields):
    data = {"first_name": "Mette", "last_name": "Jensen", "language": "", "time_zone": "UTC"}
    data.update(fields)
    return client.post("/accounts/", data)


def test_user_chooses_french_and_pages_follow(client, dk_officer):
    client.force_login(dk_officer)
    assert save_profile(client, language="fr").status_code == 302
    dk_officer.refresh_from_db()
    assert dk_officer.language == "fr"
    page = client.get("/accounts/password/change/")
    assert page["Content-Language"] == "fr"
    assert "Modifier le mot de passe" in page.content.decode()  # allauth's own catalogue
    assert AuditEntry.objects.get(action="user.profile_changed").details == {"fields": ["language"]}


def test_the_users_choice_wins_over_the_browser(client, dk_officer):
    dk_officer.language = "en"
    dk_officer.save()
    client.force_login(dk_officer)
    page = client.get("/accounts/password/change/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page["Content-Language"] == "en"


def test_anonymous_visitors_get_their_browsers_language(client, seeded_states):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page["Content-Language"] == "fr"


def test_time_zone_is_applied_to_pages(client, dk_officer):
    dk_officer.time_zone = "Asia/Tokyo"
    dk_officer.save()
    client.force_login(dk_officer)
    response = client.get("/")
    assert response.context["TIME_ZONE"] == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"time_zone": "Mars/Olympus_Mons"}, "time_zone"), ({"language": "xx"}, "language")],
)
def test_bad_preferences_are_refused(client, dk_officer, fields, field):
    client.force_login(dk_officer)
    response = save_profile(client, **fields)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    dk_officer.refresh_from_db()
    assert (dk_officer.time_zone, dk_officer.language) == ("UTC", "")
    assert not AuditEntry.objects.filter(action="user.profile_changed").exists()


def test_role_and_state_cannot_be_changed_on_the_profile(client, dk_viewer):
    client.force_login(dk_viewer)
    save_profile(client, role="state_admin", state="NO", is_staff="on")
    dk_viewer.refresh_from_db()
    assert (dk_viewer.role, dk_viewer.state_id, dk_viewer.is_staff) == ("viewer", "DK", False)


def test_the_portals_own_pages_are_translated(client, dk_admin):
    dk_admin.language = "fr"
    dk_admin.save()
    client.force_login(dk_admin)
    page = client.get("/").content.decode()
    assert "Bienvenue, Test dk-admin — Danemark" in page
    assert "Tableau de bord" in page
    assert "25 États partagent par l'échange." in page
    members = client.get("/accounts/members/").content.decode()
    assert "Inviter quelqu" in members


def test_changing_the_email_address_is_verified_and_audited(
    client, dk_officer, django_capture_on_commit_callbacks
):
    import re

    from django.conf import settings
    from django.core import mail

    client.force_login(dk_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"action_add": "", "email": "mette@um.dk"})
    assert AuditEntry.objects.get(action="email.added").details == {"email": "mette@um.dk"}
    dk_officer.refresh_from_db()
    assert dk_officer.email != "mette@um.dk"  # not until confirmed
    link = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/confirm-email/\S+/)", mail.outbox[-1].body
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link.group(1))
    dk_officer.refresh_from_db()
    assert dk_officer.email == "mette@um.dk"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"email.confirmed", "email.changed"} <= actions
