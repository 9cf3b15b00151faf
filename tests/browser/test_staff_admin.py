"""Platform staff in the admin, in a real browser: a state official's page offers no way
to set their password or remove their authenticator, only a reset link sent to their
own address, and the official and their state's admins are told (finding 2 of issue 17)."""

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from playwright.sync_api import expect

from tests.personas import persona

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_help_a_locked_out_official_without_ever_holding_their_password(
    page, live_server, sign_in, check_a11y, staff_user, password, seeded_states
):
    official = persona("fi-officer")
    admin = persona("fi-admin")
    totp = Authenticator.objects.create(user=official, type="totp", data={"secret": "x"})
    sign_in(page, "secretariat", password)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    page.goto(f"{live_server.url}/admin/accounts/user/{official.pk}/change/")
    expect(page.get_by_role("heading", name="fi-officer")).to_be_visible()
    expect(page.get_by_role("link", name="this form")).to_have_count(0)
    expect(page.locator('a[href$="/password/"]')).to_have_count(0)
    check_a11y(page)
    page.get_by_role("button", name="Send a password reset link").click()
    expect(
        page.get_by_text("A password reset link has been sent to fi-officer@example.org")
    ).to_be_visible()
    check_a11y(page)
    assert any(
        "/accounts/password/reset/key/" in m.body for m in mail.outbox if m.to == [official.email]
    )
    assert any(m.to == [admin.email] and "fi-officer" in m.body for m in mail.outbox)

    refused = page.goto(f"{live_server.url}/admin/accounts/user/{official.pk}/password/")
    assert refused.status == 403
    refused = page.goto(f"{live_server.url}/admin/mfa/authenticator/{totp.pk}/delete/")
    assert refused.status == 403
    page.goto(f"{live_server.url}/admin/mfa/authenticator/{totp.pk}/change/")
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    check_a11y(page)
    assert Authenticator.objects.filter(pk=totp.pk).exists()
