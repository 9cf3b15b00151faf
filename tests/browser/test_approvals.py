"""Four eyes in a real browser: under Denmark's "AMBER and stricter" policy, an officer
submits an AMBER notice, a second officer reviews and approves it, and Norway's viewer
then reads it; a rejection brings a draft back with its reason; a licence denial goes
the same way, through its draft's pages. axe-core checks every page on the way."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.choices import ApprovalPolicy
from accounts.models import State
from sharing.denials.models import Denial
from sharing.notices import services as notices
from tests.personas import persona
from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def restricted_denmark(seeded_states):
    State.objects.filter(pk="DK").update(approval_policy=ApprovalPolicy.RESTRICTED)


def test_an_amber_notice_leaves_denmark_once_a_second_officer_approves_it(
    browser, live_server, sign_in, check_a11y, restricted_denmark, dk_officer, no_viewer, password
):
    second = persona("dk-officer-2")
    draft = notices.create(
        by=dk_officer,
        **notice_content(
            title="Interception gateway broker",
            tlp="amber",
            audience="selected",
            recipient_states=["NO"],
        ),
    )

    page = browser.new_context().new_page()
    sign_in(page, "dk-officer", password)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    page.get_by_role("link", name="Publish…").click()
    expect(
        page.get_by_text("asks another officer or admin of your state to approve this first")
    ).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Submit for approval").click()
    expect(
        page.get_by_text("Submitted. Your state's officers and admins have been asked")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Awaiting approval")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    check_a11y(page)

    # Norway does not see it yet.
    norway = browser.new_context().new_page()
    sign_in(norway, "no-viewer", password)
    response = norway.goto(f"{live_server.url}{draft.get_absolute_url()}")
    assert response.status == 404

    approver = browser.new_context().new_page()
    sign_in(approver, second.username, password)
    queue = approver.get_by_role("region", name="Awaiting my approval")
    check_a11y(approver)
    queue.get_by_role("link", name="Interception gateway broker").click()
    expect(approver.get_by_role("heading", name="Awaiting approval")).to_be_visible()
    expect(approver.locator("main")).to_contain_text("Norway")
    check_a11y(approver)
    approver.get_by_role("button", name="Approve").click()
    expect(approver.get_by_text("Approved: it has left your state as submitted.")).to_be_visible()
    expect(approver.locator("main")).to_contain_text(
        "submitted by Mette Jensen, approved by Lars Holm"
    )
    check_a11y(approver)

    norway.goto(f"{live_server.url}{draft.get_absolute_url()}")
    expect(norway.get_by_role("heading", level=1)).to_have_text("Interception gateway broker")
    expect(norway.locator("main")).to_contain_text(
        "submitted by Mette Jensen, approved by Lars Holm"
    )
    check_a11y(norway)


def test_a_rejection_brings_the_draft_back_with_its_reason(
    browser, live_server, sign_in, check_a11y, restricted_denmark, dk_officer, password
):
    second = persona("dk-officer-2")
    draft = notices.create(
        by=dk_officer, **notice_content(title="Monitoring centre upgrade", tlp="amber")
    )
    notices.submit(draft, by=dk_officer)

    approver = browser.new_context().new_page()
    sign_in(approver, second.username, password)
    approver.goto(f"{live_server.url}{draft.get_absolute_url()}")
    approver.get_by_label("Reason for rejecting (told to the submitter)").fill(
        "Say which ministry asked."
    )
    approver.get_by_role("button", name="Reject").click()
    expect(
        approver.get_by_text("Rejected: the submitter has been told your reason.")
    ).to_be_visible()

    page = browser.new_context().new_page()
    sign_in(page, "dk-officer", password)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    expect(page.get_by_role("status").filter(has_text="Say which ministry asked.")).to_be_visible()
    expect(page.get_by_role("link", name="Publish…")).to_be_visible()
    check_a11y(page)


def test_a_denial_waits_for_a_second_official_and_a_rejected_one_is_a_draft(
    browser, live_server, sign_in, check_a11y, seeded_states, dk_officer, password
):
    """Denmark asks four eyes for licence denials: the officer submits one from the
    form, the second officer rejects it, the officer edits the draft and submits it
    again from its page, and the second officer approves it."""
    State.objects.filter(pk="DK").update(approve_denials=True)
    second = persona("dk-officer-2")
    decided = timezone.localdate() - datetime.timedelta(days=7)

    page = browser.new_context().new_page()
    sign_in(page, "dk-officer", password)
    page.goto(f"{live_server.url}/denials/new/")
    expect(page.get_by_text("Your state asks another official to approve")).to_be_visible()
    page.get_by_label("Your national reference").fill("DK-EKS-2026-0200")
    page.get_by_label("Date of decision").fill(decided.isoformat())
    page.get_by_label("Reason for the denial").select_option("human_rights")
    page.get_by_label("The reason in words").fill("No judicial oversight of interception.")
    page.get_by_label("Control-list entry").fill("5A001.j")
    page.get_by_label("Item description").fill("IP network surveillance with DPI.")
    page.locator("#id_parties-0-name").fill("Nimbus Intercept Ltd")
    page.locator("#id_parties-0-country").select_option("AE")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("heading", name="Awaiting approval")).to_be_visible()
    check_a11y(page)
    denial = Denial.objects.get()
    assert denial.status == "pending_approval"

    approver = browser.new_context().new_page()
    sign_in(approver, second.username, password)
    approver.get_by_role("region", name="Awaiting my approval").get_by_role(
        "link", name=denial.title
    ).click()
    approver.get_by_label("Reason for rejecting (told to the submitter)").fill("Add the consignee.")
    approver.get_by_role("button", name="Reject").click()
    expect(
        approver.get_by_text("Rejected: the submitter has been told your reason.")
    ).to_be_visible()

    page.goto(f"{live_server.url}{denial.get_absolute_url()}")
    expect(page.get_by_role("status").filter(has_text="Add the consignee.")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Edit draft").click()
    page.locator("#id_parties-1-name").fill("Falcon Trading FZE")
    page.locator("#id_parties-1-role").select_option("consignee")
    page.locator("#id_parties-1-country").select_option("AE")
    check_a11y(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("link", name="Notify…").click()
    check_a11y(page)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("heading", name="Awaiting approval")).to_be_visible()

    approver.goto(f"{live_server.url}{denial.get_absolute_url()}")
    expect(approver.get_by_role("rowheader", name="Falcon Trading FZE")).to_be_visible()
    approver.get_by_role("button", name="Approve").click()
    expect(approver.get_by_text("Approved: it has left your state as submitted.")).to_be_visible()
    expect(approver.locator("main")).to_contain_text(
        "submitted by Mette Jensen, approved by Lars Holm"
    )
    check_a11y(approver)
    assert Denial.objects.get().status == "active"
