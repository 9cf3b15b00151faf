"""An advisory for industry in a real browser: a Norwegian officer writes one from an
AMBER notice, the copy guard refuses a pasted passage, another officer approves it, and
a signed-out visitor reads it on /advisories/ and screens one of its entities on
/screening/. axe-core checks every page served on the way, public ones included."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from sharing.advisories.models import Advisory
from sharing.notices import services as notices
from tests.personas import persona
from tests.sharing.advisories.conftest import SECRET_SENTENCE
from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_an_amber_notice_to_an_exporter_screening_its_entity(
    browser, live_server, sign_in, check_a11y, no_officer, password
):
    approver = persona("no-admin")
    notice = notices.create(
        by=no_officer,
        **notice_content(
            title="Interception suite routed through a free zone",
            body=f"## What we know\n\n{SECRET_SENTENCE}.",
        ),
    )
    notice = notices.publish(notice, by=no_officer)

    page = browser.new_context().new_page()
    sign_in(page, "no-officer", password)
    page.goto(f"{live_server.url}{notice.get_absolute_url()}")
    page.get_by_role("link", name="Write an advisory for industry…").click()
    check_a11y(page)
    page.get_by_label("Title").fill("Interception suites sold through free-zone resellers")
    page.get_by_label("Summary").fill(f"Be careful. {SECRET_SENTENCE}.")
    page.get_by_label("Red flags").fill("Delivery to a free-zone warehouse.\nPayment in cash.")
    page.get_by_role("group", name="Entities to name").get_by_label("Nimbus Intercept Ltd").check()
    page.get_by_role(
        "group", name="I confirm each of these may be named outside government"
    ).get_by_label("Nimbus Intercept Ltd").check()
    page.get_by_label("TLP:CLEAR").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="Copied from a restricted source")).to_be_visible()
    check_a11y(page)

    # Submitting is refused while the passage is there, and says which notice it repeats.
    page.get_by_role("link", name="Submit for release…").click()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("main")).to_contain_text(f"repeat {notice.reference}")
    check_a11y(page)

    # Rewritten in the officer's own words, it goes to a second officer.
    page.goto(f"{live_server.url}{Advisory.objects.get().get_absolute_url()}")
    page.get_by_role("link", name="Edit draft").click()
    page.get_by_label("Summary").fill("Resellers route interception suites through free zones.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="Copied from a restricted source")).to_have_count(0)
    page.get_by_role("link", name="Submit for release…").click()
    check_a11y(page)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("heading", name="Awaiting approval")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    check_a11y(page)

    second = browser.new_context().new_page()
    sign_in(second, approver.username, password)
    second.get_by_role("region", name="Awaiting my approval").get_by_role(
        "link", name="Interception suites sold through free-zone resellers"
    ).click()
    check_a11y(second)
    second.get_by_role("button", name="Approve").click()
    expect(second.get_by_text("Approved: it has left your state as submitted.")).to_be_visible()
    expect(second.locator("main")).to_contain_text("NO-ADV-")
    check_a11y(second)

    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/advisories/")
    check_a11y(visitor)
    visitor.get_by_role("link", name="Interception suites sold through free-zone resellers").click()
    expect(visitor.locator("main")).to_contain_text("Delivery to a free-zone warehouse.")
    expect(visitor.locator("main")).not_to_contain_text(SECRET_SENTENCE)
    expect(visitor.get_by_role("link", name="Sign out")).to_have_count(0)
    check_a11y(visitor)
    visitor.goto(f"{live_server.url}/screening/")
    check_a11y(visitor)
    visitor.get_by_label("Name of a party").fill("NIMBUS INTERCEPT LIMITED")
    visitor.get_by_label("Its country").select_option("CY")
    visitor.get_by_role("button", name="Screen").click()
    results = visitor.get_by_role("table", name="Entities of concern that match, closest first")
    expect(results).to_contain_text("Nimbus Intercept Ltd")
    expect(results).to_contain_text("Same country: CY")
    check_a11y(visitor)
    # The other public surfaces are served (and axe-checked by the fixture) too.
    for path in ("/advisories/feed/", "/.well-known/csaf/white/"):
        assert Client().get(path).status_code == 200
    visitor.goto(f"{live_server.url}/.well-known/csaf/white/")
    check_a11y(visitor)
