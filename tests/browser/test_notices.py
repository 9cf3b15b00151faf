import re

import pytest
from playwright.sync_api import expect

from sharing.notices import services as notices
from sharing.notices.models import Notice
from tests.sharing.conftest import PDF_BYTES, notice_content

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_notice_goes_from_denmark_to_norway_and_finland_only(
    browser, live_server, sign_in, check_a11y, dk_officer, no_viewer, fr_viewer, password
):
    officer = browser.new_context(locale="en-GB").new_page()
    sign_in(officer, "dk-officer", password)
    officer.get_by_role("link", name="Notices").first.click()
    check_a11y(officer)
    officer.get_by_role("link", name="New notice").click()
    check_a11y(officer)

    officer.get_by_label("Kind of notice").select_option("end_user_alert")
    officer.get_by_label("Title").fill("Integrator of IMSI catchers approaching exporters")
    officer.get_by_label("Summary").fill("An integrator is sourcing interception kits in Europe.")
    officer.get_by_label("Body").fill("## Indicators\n\n- orders split across *three* firms")
    officer.get_by_label("Telecom interception").check()
    officer.get_by_label("Control-list codes").fill("5A001.f")
    officer.get_by_label("Countries of concern").fill("MM")
    officer.get_by_label("Severity").select_option("high")
    officer.get_by_role("button", name="Add another entity").click()
    expect(officer.locator("fieldset.entity-form")).to_have_count(3)
    officer.locator("#id_entities-0-name").fill("Halcyon Signals Ltd")
    officer.locator("#id_entities-0-aliases").fill("Halcyon, HSL")
    officer.locator("#id_entities-1-name").fill("R. Varga")
    officer.locator("#id_entities-1-kind").select_option("individual")
    officer.get_by_label("TLP marking").select_option("amber")
    officer.get_by_label("Selected states").check()
    officer.get_by_label("Norway").check()
    officer.get_by_label("Finland").check()
    officer.get_by_label("Attach files").set_input_files(
        files=[
            {"name": "halcyon-assessment.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        ]
    )
    officer.get_by_role("button", name="Save draft").click()

    expect(officer.get_by_role("heading", level=1)).to_have_text(
        "Integrator of IMSI catchers approaching exporters"
    )
    expect(officer.get_by_text("Draft", exact=True).first).to_be_visible()
    expect(officer.get_by_role("rowheader", name="Halcyon Signals Ltd")).to_be_visible()
    expect(officer.get_by_role("link", name="halcyon-assessment.pdf")).to_be_visible()
    check_a11y(officer)
    officer.get_by_role("link", name="Publish…").click()
    expect(officer.get_by_text("It will be shared with 2 states")).to_be_visible()
    check_a11y(officer)
    officer.get_by_role("button", name="Publish").click()
    expect(officer.get_by_text("Published. The recipient states are being told.")).to_be_visible()
    notice = Notice.objects.get()
    assert re.fullmatch(r"DK-\d{4}-0001", notice.reference)
    url = f"{live_server.url}{notice.get_absolute_url()}"

    norway = browser.new_context(locale="en-GB").new_page()
    sign_in(norway, "no-viewer", password)
    awaiting = norway.get_by_role("region", name=re.compile("Awaiting Norway"))
    awaiting.get_by_role("link", name="Integrator of IMSI catchers approaching exporters").click()
    expect(norway.locator(".tlp-banner")).to_contain_text("TLP:AMBER")
    expect(norway.get_by_text("Norway has not acknowledged this notice yet.")).to_be_visible()
    check_a11y(norway)
    norway.get_by_label("Where your state stands").select_option("assessed")
    norway.get_by_role("button", name="Acknowledge").click()
    expect(norway.get_by_text("Acknowledged for Norway: Assessed.")).to_be_visible()

    # What Norway finds, France must not: first Norway's own inbox and search, so that
    # France's empty ones below are a real difference and not pages that failed to load.
    norway.goto(f"{live_server.url}/notifications/")
    expect(norway.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(
        norway.get_by_role("link", name=re.compile("Integrator of IMSI catchers"))
    ).to_be_visible()
    norway.goto(f"{live_server.url}/search/?q=IMSI")
    expect(norway.get_by_text("1 result for “IMSI”")).to_be_visible()

    france = browser.new_context(locale="en-GB").new_page()
    sign_in(france, "fr-viewer", password)
    # Each page is known to have loaded (a marker of its own is visible) before the
    # notice's absence from it is asserted.
    expect(france.get_by_role("heading", name=re.compile("Welcome"), level=1)).to_be_visible()
    expect(france.get_by_text("Nothing is waiting for your state.")).to_be_visible()
    expect(france.get_by_text("Integrator of IMSI catchers")).to_have_count(0)
    france.get_by_role("link", name="Notices").first.click()
    expect(france.get_by_role("heading", name="Threat and risk notices")).to_be_visible()
    expect(france.get_by_text("0 notices", exact=True)).to_be_visible()
    expect(france.get_by_text("Integrator of IMSI catchers")).to_have_count(0)
    france.goto(f"{live_server.url}/search/?q=IMSI")
    expect(france.get_by_text("0 results for “IMSI”")).to_be_visible()
    expect(france.get_by_text("Integrator of IMSI catchers")).to_have_count(0)
    france.goto(f"{live_server.url}/notifications/")
    expect(france.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(france.get_by_text("0 notifications", exact=True)).to_be_visible()
    expect(france.get_by_text("Integrator of IMSI catchers")).to_have_count(0)
    response = france.goto(url)
    assert response.status == 404
    expect(france.get_by_role("heading", name="Not found")).to_be_visible()
    check_a11y(france)
    attachment = notice.attachments.get()
    download = france.request.get(f"{live_server.url}/attachments/{attachment.pk}/")
    assert download.status == 404

    officer.goto(url)
    acknowledgements = officer.locator("#acknowledgement")
    expect(acknowledgements.get_by_role("row", name=re.compile("Norway"))).to_contain_text(
        "Assessed"
    )
    expect(acknowledgements.get_by_role("row", name=re.compile("Finland"))).to_contain_text(
        "No response"
    )
    officer.get_by_role("link", name="Amend…").click()
    check_a11y(officer)
    officer.get_by_label("What changed").fill("A third firm identified in the orders.")
    officer.get_by_label("Material change", exact=False).check()
    officer.get_by_label("Body").fill("## Indicators\n\n- orders split across *four* firms")
    officer.get_by_role("button", name="Publish the new version").click()
    expect(officer.get_by_text("Version 2 published.")).to_be_visible()
    versions = officer.locator("section", has=officer.get_by_role("heading", name="Versions"))
    expect(versions.get_by_text("Version 2", exact=True)).to_be_visible()
    expect(versions.get_by_text("Version 1", exact=True)).to_be_visible()
    expect(versions.get_by_text("A third firm identified in the orders.")).to_be_visible()
    versions.get_by_text("What changed in version 2").click()
    expect(versions.locator("del")).to_contain_text("three")
    expect(versions.locator("ins")).to_contain_text("four")
    check_a11y(officer)


def test_the_filtered_list_downloads_as_csv(
    browser, live_server, sign_in, check_a11y, dk_officer, no_viewer, password
):
    for title, tlp in (("Green reseller", "green"), ("Amber reseller", "amber")):
        notice = notices.create(by=dk_officer, **notice_content(title=title, tlp=tlp))
        notices.publish(notice, by=dk_officer)
    page = browser.new_context(locale="en-GB", accept_downloads=True).new_page()
    sign_in(page, "no-viewer", password)
    page.get_by_role("link", name="Notices").first.click()
    page.get_by_label("TLP marking").select_option("green")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("link", name="Amber reseller")).to_have_count(0)
    check_a11y(page)
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download CSV").click()
    download = caught.value
    assert re.fullmatch(r"notices-\d{4}-\d\d-\d\d-TLP-GREEN\.csv", download.suggested_filename)
    text = download.path().read_text(encoding="utf-8")
    assert "Green reseller" in text and "Amber reseller" not in text
