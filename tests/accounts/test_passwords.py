import re

import pytest
from django.conf import settings
from django.core import mail

from portal.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a different and long passphrase"


def test_password_reset_by_email(client, dk_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": dk_officer.email})
    assert response.status_code == 302
    message = mail.outbox[0]
    assert message.to == [dk_officer.email]
    link = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/password/reset/key/\S+/)", message.body
    ).group(1)
    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    dk_officer.refresh_from_db()
    assert dk_officer.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="auth.password_reset", actor=dk_officer).exists()
    # The owner is told by e-mail that the password changed.
    assert any("Password Reset" in m.subject for m in mail.outbox[1:])


def test_password_reset_for_an_unknown_address_reveals_nothing(
    client, seeded_states, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302  # same answer as for a real address
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


def test_password_change_is_validated_and_audited(client, dk_officer, password):
    client.force_login(dk_officer)
    weak = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": password,
            "password1": "short",
            "password2": "short",
        },
    )
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()
    dk_officer.refresh_from_db()
    assert dk_officer.check_password(password)

    client.post(
        "/accounts/password/change/",
        {
            "oldpassword": password,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    dk_officer.refresh_from_db()
    assert dk_officer.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="auth.password_changed", actor=dk_officer).exists()
