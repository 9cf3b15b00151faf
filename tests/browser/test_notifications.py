import re

import pytest
from playwright.sync_api import expect

from sharing.notices import services as notices
from sharing.notifications.models import WebhookEndpoint
from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_unread_badge_counts_up_without_a_reload_and_leads_to_the_notice(
    browser, live_server, sign_in, check_a11y, settings, dk_officer, no_viewer, password
):
    settings.NOTIFICATION_POLL_SECONDS = 1
    reader = browser.new_context(locale="en-GB").new_page()
    sign_in(reader, "no-viewer", password)
    inbox_link = reader.get_by_test_id("inbox-link")
    badge = inbox_link.locator("[data-unread-badge]")
    expect(badge).to_be_hidden()
    expect(badge).to_have_text("0")
    reader.evaluate("window.stillTheSamePage = true")

    draft = notices.create(
        by=dk_officer,
        **notice_content(
            title="Broker of interception kits in the Baltic",
            audience="selected",
            recipient_states=["NO"],
        ),
    )
    officer = browser.new_context(locale="en-GB").new_page()
    sign_in(officer, "dk-officer", password)
    officer.goto(f"{live_server.url}{draft.get_absolute_url()}")
    officer.get_by_role("link", name="Publish…").click()
    officer.get_by_role("button", name="Publish").click()
    expect(officer.get_by_text("Published.")).to_be_visible()

    expect(badge).to_have_text("1", timeout=10_000)
    expect(badge).to_be_visible()
    expect(inbox_link).to_contain_text("1 unread notification")
    assert reader.evaluate("window.stillTheSamePage") is True  # no reload happened

    inbox_link.click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(reader.locator(".notification-item").get_by_text("Notice published")).to_be_visible()
    check_a11y(reader)
    reader.get_by_role("link", name="Broker of interception kits in the Baltic").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "Broker of interception kits in the Baltic"
    )
    expect(reader.get_by_test_id("inbox-link").locator("[data-unread-badge]")).to_be_hidden()


def test_a_state_admin_chooses_e_mail_and_registers_a_webhook(
    browser, live_server, sign_in, check_a11y, no_admin, password
):
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, "no-admin", password)
    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="E-mail notifications").click()
    check_a11y(page)
    page.get_by_label("A daily digest").check()
    page.get_by_label("Only notices of at least this severity").select_option("high")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your e-mail choices have been saved.")).to_be_visible()
    expect(page.get_by_label("A daily digest")).to_be_checked()

    page.get_by_role("link", name="E-mail defaults").click()
    check_a11y(page)
    page.get_by_label("No e-mail (the inbox only)").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your state's e-mail defaults have been saved.")).to_be_visible()

    page.get_by_role("link", name="Webhooks").click()
    check_a11y(page)
    page.get_by_role("link", name="Add an endpoint").click()
    check_a11y(page)
    page.get_by_label("Address (URL)").fill("https://licensing.example.no/echri")
    page.get_by_label("Notice published").check()
    page.get_by_label("Notice withdrawn").check()
    page.get_by_role("button", name="Add the endpoint").click()

    secret = page.get_by_test_id("webhook-secret")
    expect(secret).to_have_value(re.compile(r"^whsec_"))
    assert secret.input_value() == WebhookEndpoint.objects.get().secret
    check_a11y(page)
    page.reload()
    expect(page.get_by_test_id("webhook-secret")).to_have_count(0)
    expect(page.get_by_text("Nothing has been sent to this endpoint yet.")).to_be_visible()
