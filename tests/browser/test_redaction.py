"""Redact, then share wider, in a real browser: an author takes a line and a file out
of a notice, a best practice and a denial while widening its audience, and a state that
only the new version reaches sees neither, while the first readers keep what they had
(finding 1 of issue 17)."""

import pytest
from playwright.sync_api import expect

from sharing.denials import services as denials
from sharing.notices import services as notices
from sharing.practices import services as practices
from tests.sharing.conftest import (
    BODY,
    REDACTED,
    denial_content,
    notice_content,
    pdf,
    practice_content,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _versions(page):
    return page.locator("section", has=page.get_by_role("heading", name="Versions"))


def test_a_notice_is_redacted_and_widened_and_france_never_sees_the_source(
    browser, live_server, sign_in, check_a11y, dk_officer, no_viewer, fr_viewer, password
):
    notice = notices.create(
        by=dk_officer,
        attachments=[pdf("Source report.pdf")],
        **notice_content(
            tlp="amber+strict", audience="selected", recipient_states=["NO"], body=BODY
        ),
    )
    notice = notices.publish(notice, by=dk_officer)
    source = notice.attachments.get()
    url = f"{live_server.url}{notice.get_absolute_url()}"

    officer = browser.new_context(locale="en-GB").new_page()
    sign_in(officer, "dk-officer", password)
    officer.goto(url)
    officer.get_by_role("link", name="Amend…").click()
    check_a11y(officer)
    officer.get_by_label("What changed").fill(
        "Source removed; shared with every subscribing state."
    )
    officer.get_by_label("Material change", exact=False).check()
    officer.get_by_label("Body").fill(REDACTED)
    officer.get_by_label("TLP marking").select_option("green")
    officer.get_by_label("All subscribing states").check()
    officer.get_by_label("Source report.pdf").check()
    officer.get_by_role("button", name="Publish the new version").click()
    expect(officer.get_by_text("Version 2 published.")).to_be_visible()
    expect(officer.get_by_text("removed in version 2")).to_be_visible()
    check_a11y(officer)

    france = browser.new_context(locale="en-GB").new_page()
    sign_in(france, "fr-viewer", password)
    france.goto(url)
    expect(france.get_by_role("heading", level=1)).to_be_visible()
    expect(france.get_by_text("KESTREL")).to_have_count(0)
    expect(france.get_by_role("link", name="Source report.pdf")).to_have_count(0)
    expect(_versions(france).get_by_text("Version 1", exact=True)).to_have_count(0)
    expect(france.get_by_text("Earlier versions were not shared with your state.")).to_be_visible()
    check_a11y(france)
    assert france.request.get(f"{live_server.url}/attachments/{source.pk}/").status == 404

    norway = browser.new_context(locale="en-GB").new_page()
    sign_in(norway, "no-viewer", password)
    norway.goto(url)
    versions = _versions(norway)
    expect(versions.get_by_text("Version 1", exact=True)).to_be_visible()
    versions.get_by_text("What changed in version 2").click()
    expect(versions.locator("del", has_text="KESTREL")).to_be_visible()
    expect(versions.get_by_text("TLP:AMBER+STRICT").first).to_be_visible()
    check_a11y(norway)
    assert norway.request.get(f"{live_server.url}/attachments/{source.pk}/").status == 200


def test_a_best_practice_opened_to_observers_keeps_its_earlier_text_from_them(
    browser, live_server, sign_in, check_a11y, no_officer, observer_user, password
):
    practice = practices.create(
        by=no_officer, attachments=[pdf("Internal memo.pdf")], **practice_content(body=BODY)
    )
    practice = practices.publish(practice, by=no_officer)
    memo = practice.attachments.get()
    url = f"{live_server.url}{practice.get_absolute_url()}"

    officer = browser.new_context(locale="en-GB").new_page()
    sign_in(officer, "no-officer", password)
    officer.goto(url)
    officer.get_by_role("link", name="Amend…").click()
    check_a11y(officer)
    officer.get_by_label("What changed").fill("Opened to observer states.")
    officer.get_by_label("Material change", exact=False).check()
    officer.get_by_label("Body").fill(REDACTED)
    officer.get_by_label("The community (subscribing and observer states)").check()
    officer.get_by_label("Internal memo.pdf").check()
    officer.get_by_role("button", name="Publish the new version").click()
    expect(officer.get_by_text("Version 2 published.")).to_be_visible()

    observer = browser.new_context(locale="en-GB").new_page()
    sign_in(observer, "cl-viewer", password)
    observer.goto(url)
    expect(observer.get_by_role("heading", level=1)).to_be_visible()
    expect(observer.get_by_text("KESTREL")).to_have_count(0)
    expect(_versions(observer).get_by_text("Version 1", exact=True)).to_have_count(0)
    check_a11y(observer)
    assert observer.request.get(f"{live_server.url}/attachments/{memo.pk}/").status == 404


def test_a_denial_widened_to_every_state_keeps_its_earlier_notes_from_france(
    browser, live_server, sign_in, check_a11y, dk_officer, fr_viewer, password
):
    denial = denials.publish(
        by=dk_officer, **denial_content(audience="selected", recipient_states=["NO"])
    )
    denial = denials.amend(
        denial,
        by=dk_officer,
        change_note="Removed the informant KESTREL from the reason.",
        reason="Risk of use against journalists.",
    )
    url = f"{live_server.url}{denial.get_absolute_url()}"
    officer = browser.new_context(locale="en-GB").new_page()
    sign_in(officer, "dk-officer", password)
    officer.goto(url)
    officer.get_by_role("link", name="Amend…").click()
    check_a11y(officer)
    officer.get_by_label("All subscribing states").check()
    officer.get_by_label("What changed").fill("Shared with every subscribing state.")
    officer.get_by_role("button", name="Notify the new version").click()
    expect(officer.get_by_text("Shared with every subscribing state.")).to_be_visible()

    france = browser.new_context(locale="en-GB").new_page()
    sign_in(france, "fr-viewer", password)
    france.goto(url)
    expect(france.get_by_role("heading", level=1)).to_be_visible()
    expect(france.get_by_text("KESTREL")).to_have_count(0)
    expect(france.get_by_text("Shared with every subscribing state.")).to_be_visible()
    expect(france.get_by_text("Earlier versions were not shared with your state.")).to_be_visible()
    check_a11y(france)
