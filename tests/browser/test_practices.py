import re

import pytest
from playwright.sync_api import expect

from sharing.practices import services as practices
from sharing.practices.models import BestPractice
from tests.sharing.conftest import practice_content

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_best_practice_from_norway_is_found_read_and_adopted_in_japan(
    browser, live_server, sign_in, check_a11y, no_officer, jp_viewer, jp_admin, password
):
    norway = browser.new_context(locale="en-GB").new_page()
    sign_in(norway, "no-officer", password)
    norway.get_by_role("link", name="Best practices").click()
    check_a11y(norway)
    norway.get_by_role("link", name="New best practice").click()
    norway.get_by_label("Document type").select_option("checklist")
    norway.get_by_label("Title").fill("Verifying the end-use of monitoring centres")
    norway.get_by_label("Summary").fill("Questions to ask before and after delivery.")
    norway.get_by_label("Body").fill(
        "Check the operator's **interconnection** agreements and the installed capacity."
    )
    norway.get_by_label("End-use and end-user checks").check()
    norway.get_by_label("Denmark").check()
    norway.get_by_label("All subscribing states").check()
    check_a11y(norway)
    norway.get_by_role("button", name="Save draft").click()
    expect(norway.get_by_text("Draft saved.")).to_be_visible()
    norway.get_by_role("link", name="Publish…").click()
    norway.get_by_role("button", name="Publish").click()
    expect(norway.get_by_text("Published.", exact=True)).to_be_visible()
    expect(norway.get_by_text("led by Norway with Denmark")).to_be_visible()
    check_a11y(norway)

    japan = browser.new_context(locale="en-GB").new_page()
    sign_in(japan, "jp-viewer", password)
    japan.get_by_role("searchbox", name="Search notices and best practices").fill("interconnection")
    japan.keyboard.press("Enter")
    expect(
        japan.get_by_role("heading", name="Verifying the end-use of monitoring centres")
    ).to_be_visible()
    expect(japan.locator("mark", has_text="interconnection")).to_be_visible()
    check_a11y(japan)
    japan.get_by_role("link", name="Best practices").click()
    japan.get_by_label("Search the library").fill("interconnection")
    japan.get_by_role("button", name="Search", exact=True).click()
    facet = japan.get_by_role("region", name="Topic")
    facet.get_by_role("link", name="End-use and end-user checks").click()
    expect(japan.get_by_text("1 best practice", exact=True)).to_be_visible()
    check_a11y(japan)
    japan.get_by_role("link", name="Verifying the end-use of monitoring centres").click()
    expect(japan.get_by_role("heading", level=1)).to_have_text(
        "Verifying the end-use of monitoring centres"
    )
    check_a11y(japan)

    admin = browser.new_context(locale="en-GB").new_page()
    sign_in(admin, "jp-admin", password)
    admin.goto(f"{live_server.url}{BestPractice.objects.get().get_absolute_url()}")
    admin.get_by_label("Adopted").check()
    admin.get_by_role("button", name="Save for my state").click()
    expect(admin.get_by_test_id("endorsement-summary")).to_contain_text(
        "1 state endorses or adopted it"
    )
    expect(admin.get_by_text(re.compile(r"Japan\s*: Adopted"))).to_be_visible()
    check_a11y(admin)


def test_an_anonymous_visitor_reads_public_best_practices_only(
    page, live_server, check_a11y, no_officer
):
    public = practices.publish(
        practices.create(
            by=no_officer,
            **practice_content(
                title="Public guidance on licensing", audience="community", public=True
            ),
        ),
        by=no_officer,
    )
    community = practices.publish(
        practices.create(
            by=no_officer, **practice_content(title="Community-only guidance", audience="community")
        ),
        by=no_officer,
    )
    public = practices.amend(
        public,
        by=no_officer,
        change_note="Dropped the name of our contact at the licensing unit.",
        material=False,
        body="Ask for the **network diagram**.",
    )
    page.goto(f"{live_server.url}/best-practices/")
    expect(page.get_by_role("link", name="Public guidance on licensing")).to_be_visible()
    expect(page.get_by_text("Community-only guidance")).to_have_count(0)
    expect(page.get_by_role("link", name="Notices")).to_have_count(0)
    check_a11y(page)
    page.get_by_role("link", name="Public guidance on licensing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Public guidance on licensing")
    # That there were versions shows; what earlier ones said, or why they changed, not.
    expect(page.get_by_text("Version 2", exact=True)).to_be_visible()
    expect(page.get_by_text("What changed")).to_have_count(0)
    expect(page.get_by_text("Dropped the name")).to_have_count(0)
    check_a11y(page)
    response = page.goto(f"{live_server.url}{community.get_absolute_url()}")
    assert response.status == 404
    assert public.public
