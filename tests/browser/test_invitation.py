import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_invites_an_officer_who_joins_and_lands_on_the_dashboard(
    page, browser, live_server, sign_in, check_a11y, dk_admin, password
):
    sign_in(page, "dk-admin", password)
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Users of Denmark")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Invite someone").click()
    check_a11y(page)
    page.get_by_label("E-mail address").fill("lars.holm@um.dk")
    page.get_by_label("Role").select_option("officer")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("An invitation has been sent to lars.holm@um.dk.")).to_be_visible()
    expect(page.get_by_role("cell", name="lars.holm@um.dk", exact=True)).to_be_visible()
    check_a11y(page)

    message = mail.outbox[-1]
    assert message.to == ["lars.holm@um.dk"]
    link = re.search(r"https?://\S+(/accounts/invitation/\S+/)", message.body).group(1)

    invitee = browser.new_context(locale="en-GB").new_page()
    invitee.goto(f"{live_server.url}{link}")
    expect(invitee.get_by_text("You have been invited to join Denmark as Officer")).to_be_visible()
    check_a11y(invitee)
    invitee.get_by_label("User name").fill("lars")
    invitee.get_by_label("First name").fill("Lars")
    invitee.get_by_label("Last name").fill("Holm")
    invitee.get_by_label("Password", exact=True).fill("short")
    invitee.get_by_label("Password again").fill("short")
    invitee.get_by_role("button", name="Create my account").click()
    expect(invitee.get_by_text("This password is too short.")).to_be_visible()
    check_a11y(invitee)
    invitee.get_by_label("Password", exact=True).fill("a long and unusual passphrase")
    invitee.get_by_label("Password again").fill("a long and unusual passphrase")
    invitee.get_by_role("button", name="Create my account").click()
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Welcome, Lars Holm — Denmark")
    check_a11y(invitee)
    assert User.objects.get(username="lars").role == "officer"

    # The link is spent.
    invitee.goto(f"{live_server.url}{link}")
    expect(invitee.get_by_text("This invitation has already been used.")).to_be_visible()
    check_a11y(invitee)
