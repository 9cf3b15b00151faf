"""Platform staff read the status page in the portal's layout; nobody else finds it."""

import pytest
from playwright.sync_api import expect

from sharing.notifications import tasks

pytestmark = pytest.mark.django_db(transaction=True)


def test_platform_staff_read_the_status_page(
    page, live_server, sign_in, check_a11y, staff_user, password
):
    tasks.sweep.delay()  # a heartbeat to show
    sign_in(page, "secretariat", password)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    page.get_by_role("link", name="Platform status").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Platform status")
    expect(page.get_by_test_id("status-summary")).to_contain_text("Everything flows")
    for section in ("Task queues", "Events (the outbox)", "E-mail", "Webhook deliveries"):
        expect(page.get_by_role("heading", level=2, name=section)).to_be_visible()
    expect(page.get_by_test_id("sweep")).to_contain_text("ago")
    check_a11y(page)
    page.get_by_role("link", name="The same as JSON").click()
    expect(page.locator("body")).to_contain_text('"status": "ok"')


def test_a_state_admin_finds_no_status_page(
    page, live_server, sign_in, check_a11y, dk_admin, password
):
    sign_in(page, "dk-admin", password)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.get_by_role("link", name="Platform status")).to_have_count(0)
    response = page.goto(f"{live_server.url}/admin/status/")
    assert response.status == 404
    check_a11y(page)
