"""An advisory for industry in a real browser: a Norwegian officer writes one from an
AMBER notice, the copy guard refuses a pasted passage, another officer approves it, and
a signed-out visitor reads it on /advisories/ and screens one of its entities on
/screening/. axe-core checks every page served on the way, public ones included."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from sharing.advisories import contacts
from sharing.advisories import services as advisories
from sharing.advisories.models import Advisory, DisseminationList
from sharing.notices import services as notices
from tests.personas import persona
from tests.sharing.advisories.conftest import SECRET_SENTENCE, advisory_content
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


def test_someone_outside_government_joins_reads_a_green_advisory_and_unsubscribes(
    browser, live_server, sign_in, check_a11y, no_officer, password, settings, mailoutbox
):
    settings.SITE_URL = live_server.url
    contacts.create_list(by=no_officer, name="Surveillance exporters")
    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/industry/sign-up/")
    check_a11y(visitor)
    visitor.get_by_label("State").select_option("NO")
    visitor.get_by_label("Your name").fill("Lea Moe")
    visitor.get_by_label("Organisation").fill("Fjord Sensors AS")
    visitor.get_by_label("E-mail address").fill("lea@fjord.example")
    visitor.get_by_role("button", name="Ask to receive them").click()
    expect(visitor.get_by_text("Thank you. The state will look at your request")).to_be_visible()
    check_a11y(visitor)

    officer = browser.new_context().new_page()
    sign_in(officer, "no-officer", password)
    officer.goto(f"{live_server.url}/industry/contacts/")
    requests = officer.get_by_role("region", name="Asking to join")
    requests.get_by_label("Surveillance exporters").check()
    check_a11y(officer)
    requests.get_by_role("button", name="Accept Lea Moe").click()
    expect(officer.get_by_text("Accepted: they have been asked to confirm")).to_be_visible()
    check_a11y(officer)

    (confirmation,) = [m for m in mailoutbox if m.to == ["lea@fjord.example"]]
    link = next(w for w in confirmation.body.split() if "/industry/confirm/" in w)
    visitor.goto(link)
    check_a11y(visitor)
    visitor.get_by_role("button", name="Confirm my address").click()
    expect(visitor.get_by_text("Confirmed.")).to_be_visible()
    check_a11y(visitor)

    listed = DisseminationList.objects.get()
    advisory = advisories.create(
        by=no_officer,
        **advisory_content(tlp="green", title="For Norway's exporters", lists=[listed]),
    )
    advisories.submit(advisory, by=no_officer)
    advisories.approve(advisory, by=persona("no-admin"))
    (message,) = [m for m in mailoutbox if "NO-ADV" in m.subject]
    read = next(w for w in message.body.split() if "/industry/read/" in w)
    visitor.goto(read)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("For Norway's exporters")
    check_a11y(visitor)
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    visitor.goto(unsubscribe)
    check_a11y(visitor)
    visitor.get_by_role("button", name="Unsubscribe").click()
    expect(visitor.get_by_text("Done: you will receive no more advisories")).to_be_visible()
    check_a11y(visitor)
    visitor.goto(read)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("This link does not work")
    check_a11y(visitor)


def test_an_officer_amends_withdraws_and_keeps_contacts(
    browser, live_server, sign_in, check_a11y, no_officer, password
):
    approver = persona("no-admin")
    advisory = advisories.create(by=no_officer, **advisory_content(title="Resellers of spyware"))
    advisories.submit(advisory, by=no_officer)
    advisories.approve(advisory, by=approver)

    page = browser.new_context().new_page()
    sign_in(page, "no-officer", password)
    page.goto(f"{live_server.url}{advisory.get_absolute_url()}")
    page.get_by_role("link", name="Amend…").click()
    check_a11y(page)
    page.get_by_label("What changed").fill("A red flag added.")
    page.get_by_label("Red flags").fill("The buyer will not name the end-user.\nCash.")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("heading", name="Awaiting approval")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Withdraw…").click()
    check_a11y(page)
    page.get_by_label("Reason for withdrawal").fill("Superseded by new guidance.")
    page.get_by_role("button", name="Withdraw the advisory").click()
    expect(page.get_by_text("The advisory has been withdrawn.")).to_be_visible()
    check_a11y(page)

    page.goto(f"{live_server.url}/industry/contacts/")
    page.get_by_label("Name of the list").fill("Universities")
    page.get_by_role("button", name="Add the list").click()
    page.get_by_role("link", name="Invite a contact").click()
    check_a11y(page)
    page.get_by_label("Name", exact=True).fill("Ola Dahl")
    page.get_by_label("Organisation").fill("Arctic Signals AS")
    page.get_by_label("E-mail address").fill("ola@arctic.example")
    page.get_by_label("Universities").check()
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text("Invited: they are sent nothing until")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Ola Dahl").click()
    check_a11y(page)
    page.get_by_role("link", name="Erase…").click()
    check_a11y(page)
    page.get_by_role("button", name="Erase").click()
    expect(page.get_by_text("The contact has been erased.")).to_be_visible()
    check_a11y(page)
