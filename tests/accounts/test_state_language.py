"""A state's default language: its admin sets it, and it applies to its users who have
not chosen a language of their own, on pages and in e-mails. Costa Rica, seeded by a
migration, works in Spanish."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from rest_framework.test import APIClient

from accounts import services
from accounts.models import State
from portal.countries import reading_order
from portal.models import AuditEntry
from sharing.denials import services as denials
from tests.sharing.conftest import denial_content

pytestmark = pytest.mark.django_db


def test_a_fresh_install_has_costa_rica_among_25_subscribing_states():
    # The test database was built by the migrations: no fixture has seeded anything.
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder.Migration.objects.filter(app="accounts")
    assert applied.filter(name="0008_costa_rica").exists()
    costa_rica = State.objects.get(pk="CR")
    assert costa_rica.name == "Costa Rica"
    assert costa_rica.joined == datetime.date(2023, 3, 30) and not costa_rica.founding
    assert costa_rica.zone.key == "America/Costa_Rica"
    assert costa_rica.language == "es"
    assert State.objects.filter(status="subscribing").count() == 25


def test_the_demo_has_costa_ricas_three_users(seeded_states):
    call_command("seed_demo", verbosity=0, force=True)
    for role in ("admin", "officer", "viewer"):
        user = State.objects.get(pk="CR").users.get(username=f"cr-{role}")
        assert user.time_zone == "America/Costa_Rica"
        assert user.language == "" and user.preferred_language == "es"


def test_the_states_default_applies_to_users_who_have_not_chosen(client, cr_viewer):
    client.force_login(cr_viewer)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "es"
    assert '<html lang="es"' in page.content.decode()
    assert "Panel" in page.content.decode()


def test_a_users_own_choice_wins_over_the_states_default(client, cr_viewer):
    cr_viewer.language = "fr"
    cr_viewer.save()
    client.force_login(cr_viewer)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "fr"


def test_without_either_the_browser_decides(client, dk_viewer):
    client.force_login(dk_viewer)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "es"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "fr"


def test_a_state_admin_sets_the_default_and_it_is_audited(client, dk_admin, dk_viewer):
    client.force_login(dk_admin)
    page = client.get("/accounts/state/")
    assert page.status_code == 200
    assert "Settings of Denmark" in page.content.decode()

    response = client.post("/accounts/state/", {"language": "es", "approval_policy": "nothing"})

    assert response.status_code == 302
    assert State.objects.get(pk="DK").language == "es"
    entry = AuditEntry.objects.get(action="state.settings_changed")
    assert (entry.actor, entry.state_id, entry.details) == (dk_admin, "DK", {"language": "es"})
    client.force_login(dk_viewer)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "es"


def test_saving_the_same_setting_again_records_nothing(client, dk_admin):
    client.force_login(dk_admin)
    client.post("/accounts/state/", {"language": "", "approval_policy": "nothing"})
    assert not AuditEntry.objects.filter(action="state.settings_changed").exists()


@pytest.mark.parametrize("value", ["xx", "en-GB", "%00", "%ED%A0%80", "%FF", "e" * 500])
def test_a_language_the_portal_does_not_speak_is_refused(client, dk_admin, value):
    # Sent as the bytes a browser would (a lone surrogate, invalid UTF-8, a NUL).
    client.force_login(dk_admin)
    response = client.post(
        "/accounts/state/",
        f"language={value}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "language" in response.context["form"].errors
    assert State.objects.get(pk="DK").language == ""
    assert not AuditEntry.objects.filter(action="state.settings_changed").exists()


@pytest.mark.parametrize("who", ["dk_officer", "dk_viewer", "staff_user"])
def test_only_the_states_admins_change_it(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/accounts/state/").status_code == 403
    assert client.post("/accounts/state/", {"language": "fr"}).status_code == 403
    assert State.objects.get(pk="DK").language == ""


def test_the_service_refuses_another_states_admin_and_unknown_settings(no_admin):
    denmark = State.objects.get(pk="DK")
    with pytest.raises(services.PermissionDenied):
        services.change_state_settings(denmark, by=no_admin, language="fr")
    with pytest.raises(services.ValidationError):
        services.change_state_settings(
            State.objects.get(pk="NO"), by=no_admin, time_zone="Asia/Tokyo"
        )


def test_e_mails_follow_the_states_default(
    cr_viewer, dk_officer, settings, django_capture_on_commit_callbacks
):
    # Denmark notifies a denial to every subscribing state: Costa Rica's viewer reads
    # the e-mail in Spanish, with the date in Spanish.
    with django_capture_on_commit_callbacks(execute=True):
        denials.publish(by=dk_officer, **denial_content(decided_on="2026-11-02"))

    (message,) = [m for m in mail.outbox if m.to == [cr_viewer.email]]
    html = message.alternatives[0][0]
    assert "Denegación de licencia" in message.subject, message.subject
    assert "2 nov 2026" in message.body and "2 nov 2026" in html
    assert "Nov" not in message.body and "licence denial" not in message.body.lower()


def api_for(user) -> APIClient:
    _token, value = services.create_api_token(user, by=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    return client


def test_the_api_answers_in_its_users_language(cr_officer, dk_officer):
    # Costa Rica's officer (Spanish by the state's default): the errors are in Spanish,
    # whatever Accept-Language says; Denmark's follows Accept-Language.
    bad = {"kind": "end_user_alert", "title": "", "tlp": "purple"}
    spanish = api_for(cr_officer).post("/api/v1/notices/", bad, format="json")
    assert spanish.status_code == 400
    assert spanish["Content-Language"] == "es"
    text = str(spanish.json())
    assert "marking" not in text.lower() and "required" not in text.lower(), text

    english = api_for(dk_officer).post("/api/v1/notices/", bad, format="json")
    assert english["Content-Language"] == "en"
    french = api_for(dk_officer).post(
        "/api/v1/notices/", bad, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert french["Content-Language"] == "fr"
    assert str(french.json()) != str(english.json()) != text


def test_an_unknown_token_is_refused_in_the_browsers_language(client):
    response = client.get(
        "/api/v1/me/", HTTP_AUTHORIZATION="Bearer echri_nope", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 401
    assert response["Content-Language"] == "es"
    assert "token" in response.json()["detail"].lower()
    assert "unknown" not in response.json()["detail"].lower()


@pytest.mark.parametrize(
    ("path", "select"),
    [
        ("/notices/", 'name="author_state"'),
        ("/denials/", 'name="state"'),
        ("/search/?q=x", 'name="state"'),
    ],
)
def test_state_lists_follow_the_readers_alphabet(client, cr_officer, path, select):
    client.force_login(cr_officer)
    page = client.get(path).content.decode()
    block = page[page.index(select) :]
    block = block[: block.index("</select>")]
    names = [
        html.unescape(n) for n in re.findall(r"<option value=\"[A-Z]{2}\"[^>]*>([^<]+)<", block)
    ]
    assert len(names) >= 25, names
    assert names == sorted(names, key=reading_order)
    assert names.index("Alemania") < names.index("Francia") < names.index("Reino Unido")


def test_recipient_boxes_follow_the_readers_alphabet(client, cr_officer):
    client.force_login(cr_officer)
    page = client.get("/notices/new/").content.decode()
    boxes = re.findall(r'name="recipient_states" value="([A-Z]{2})"', page)
    with translation.override("es"):
        names = [State.objects.get(pk=code).local_name for code in boxes]
    assert len(names) >= 24 and names == sorted(names, key=reading_order)
