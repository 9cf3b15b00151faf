import datetime
import re

import pytest
from django.utils import timezone
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


def test_a_draft_open_for_public_comment_takes_a_comment_from_outside(
    browser, live_server, sign_in, check_a11y, no_officer, password, settings, mailoutbox
):
    settings.SITE_URL = live_server.url
    draft = practices.create(
        by=no_officer, **practice_content(title="Guidance for universities", co_authors=["DK"])
    )
    officer = browser.new_context().new_page()
    sign_in(officer, "no-officer", password)
    officer.goto(f"{live_server.url}{draft.get_absolute_url()}")
    officer.get_by_role("link", name="Open a public comment window…").click()
    check_a11y(officer)
    officer.get_by_label("Introduction").fill("Is this workable for your office?")
    officer.get_by_label("Comments until").fill(
        (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    )
    officer.get_by_role("button", name="Open it: make the draft public").click()
    expect(officer.get_by_text("The comment window is open: the draft is public.")).to_be_visible()
    check_a11y(officer)
    address = officer.url

    visitor = browser.new_context().new_page()
    visitor.goto(address)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Guidance for universities")
    check_a11y(visitor)
    visitor.get_by_label("Your name").fill("Ana Lima")
    visitor.get_by_label("You comment for").select_option("academia")
    visitor.get_by_label("E-mail address").fill("ana@fjord.example")
    visitor.get_by_label("Your comment").fill("Add visiting researchers.")
    visitor.get_by_label("My comment, name and organisation may be published here").check()
    visitor.get_by_role("button", name="Send my comment").click()
    expect(visitor.get_by_text("Thank you. We sent you an e-mail")).to_be_visible()
    check_a11y(visitor)
    (message,) = [m for m in mailoutbox if m.to == ["ana@fjord.example"]]
    link = next(w for w in message.body.split() if "/comment-windows/confirm/" in w)
    visitor.goto(link)
    check_a11y(visitor)
    visitor.get_by_role("button", name="Confirm my comment").click()
    expect(visitor.get_by_text("Confirmed: the states that wrote the draft")).to_be_visible()
    check_a11y(visitor)

    officer.goto(address)
    officer.get_by_label("Public reply").fill("Thank you: added.")
    officer.get_by_role("button", name="Reply").click()
    expect(officer.get_by_text("Your reply is shown with the comment.")).to_be_visible()
    check_a11y(officer)
    visitor.goto(address)
    expect(visitor.locator("main")).to_contain_text("Thank you: added.")
    check_a11y(visitor)
