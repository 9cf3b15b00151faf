"""The implementation report in a real browser: Denmark's admin reads Denmark's figures
and the community's charts, fills and submits the questionnaire, agrees to be named,
and downloads the plenary pack. axe-core checks every page on the way."""

import datetime
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import State
from sharing.notices import services as notices
from sharing.reports.models import Submission
from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db(transaction=True)

YEAR = datetime.date.today().year


def test_a_state_admin_reads_the_figures_submits_the_questionnaire_and_downloads_the_pack(
    browser,
    live_server,
    sign_in,
    check_a11y,
    dk_officer,
    dk_admin,
    no_viewer,
    staff_user,
    password,
):
    notices.publish(
        notices.create(by=dk_officer, **notice_content(title="Counted in the report")),
        by=dk_officer,
    )
    State.objects.filter(pk="NO").update(named_in_reports=True)
    page = browser.new_context(locale="en-GB", accept_downloads=True).new_page()
    sign_in(page, "dk-admin", password)
    page.get_by_role("link", name="Reports").click()
    expect(
        page.get_by_role("heading", name=f"Implementation of the Code in {YEAR}", level=1)
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Denmark and the community")).to_be_visible()
    figures = page.locator("table.report-figures")
    expect(figures.get_by_role("row", name=re.compile("^Notices published"))).to_contain_text(
        "Threat and risk notices the state published"
    )
    # The charts are drawn, each named for screen readers and described in words.
    chart = page.get_by_role("img", name=re.compile("what Denmark first published"))
    expect(chart).to_be_visible()
    expect(page.locator("#activity-own-summary")).to_contain_text(
        "Denmark: 1 items first published"
    )
    # Drawn by Chart.js once the scripts at the end of the page have run.
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('[data-activity=own]'))"
    )
    expect(
        page.get_by_role("img", name=re.compile("acknowledged within 10 working days"))
    ).to_be_visible()
    expect(page.get_by_text("Your state has not agreed: only you see it here.")).to_be_visible()
    check_a11y(page)

    # The questionnaire: a draft first, then submitted and shared.
    page.get_by_role("link", name="Our questionnaire").click()
    expect(page.get_by_text("Not submitted yet.")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Legal or regulatory changes").fill("A new ground for refusal.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_label("Points learnt").fill("Talk to universities early.")
    page.get_by_label("Share these answers with the other states and the secretariat").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Questionnaire submitted.")).to_be_visible()
    expect(page.get_by_role("heading", name="Versions submitted")).to_be_visible()
    check_a11y(page)
    submission = Submission.objects.get()
    assert (submission.version, submission.shareable) == (1, True)
    assert submission.answers["lessons"] == "Talk to universities early."

    # Agree to be named, then download the pack.
    page.goto(f"{live_server.url}/accounts/state/")
    page.get_by_label(re.compile("Name our state in the implementation reports")).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your state's settings have been saved.")).to_be_visible()
    page.get_by_role("link", name="Reports").click()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the plenary pack")).click()
    pdf = PdfReader(download.value.path())
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Denmark" in text and "Norway" in text
    assert "universities early." in text  # the extractor splits a kerned "Ta"
    assert all("TLP:GREEN" in p.extract_text() for p in pdf.pages)

    # Norway reads Denmark's shared answers.
    norway = browser.new_context(locale="en-GB").new_page()
    sign_in(norway, "no-viewer", password)
    norway.goto(f"{live_server.url}/reports/{YEAR}/answers/")
    expect(norway.get_by_role("heading", name="Denmark")).to_be_visible()
    expect(norway.get_by_text("Talk to universities early.")).to_be_visible()
    check_a11y(norway)

    # The secretariat: the community, and who submitted; Denmark's answers, shared.
    staff = browser.new_context(locale="en-GB").new_page()
    sign_in(staff, "secretariat", password)
    staff.get_by_role("link", name="Reports").click()
    expect(staff.get_by_role("heading", name="The community")).to_be_visible()
    check_a11y(staff)
    staff.get_by_role("link", name="Who submitted, and answers shared").click()
    submitted = staff.get_by_role("row", name=re.compile("^Denmark"))
    expect(submitted).to_contain_text("Yes")
    expect(staff.get_by_role("row", name=re.compile("^Norway"))).to_contain_text("Not yet")
    expect(staff.get_by_text("universities early")).to_be_visible()
    check_a11y(staff)
