"""The whole loop of a licence denial in a real browser: Denmark notifies it, Finland
screens a similar application, finds it and consults Denmark, Denmark answers, Finland
records the outcome, and France, which reads the denial, is told the outcome."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sharing.denials import services as denials
from sharing.denials.models import Consultation, Denial

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_denial_is_screened_consulted_about_and_its_outcome_circulated(
    browser,
    live_server,
    sign_in,
    check_a11y,
    dk_officer,
    fi_officer,
    fr_viewer,
    password,
):
    decided = timezone.localdate() - datetime.timedelta(days=7)

    # Denmark notifies a denial against an end-user.
    denmark = browser.new_context(locale="en-GB").new_page()
    sign_in(denmark, "dk-officer", password)
    denmark.get_by_role("link", name="Denials", exact=True).click()
    expect(denmark.get_by_role("heading", name="Licence denials", level=1)).to_be_visible()
    check_a11y(denmark)
    denmark.get_by_role("link", name="Notify a denial").click()
    expect(denmark.get_by_label("TLP marking")).to_have_value("amber")
    expect(denmark.get_by_label("All subscribing states")).to_be_checked()
    check_a11y(denmark)
    denmark.get_by_label("Your national reference").fill("DK-EKS-2026-0117")
    denmark.get_by_label("Date of decision").fill(decided.isoformat())
    denmark.get_by_label("Reason for the denial").select_option("human_rights")
    denmark.get_by_label("The reason in words").fill(
        "Risk of use against journalists: no judicial oversight of interception."
    )
    denmark.get_by_label("Control-list entry").fill("5A001.j")
    denmark.get_by_label("Item description").fill("IP network surveillance with DPI.")
    denmark.locator("#id_parties-0-name").fill("Nimbus Intercept Ltd")
    denmark.locator("#id_parties-0-aliases").fill("Nimbus Systems")
    denmark.locator("#id_parties-0-country").select_option("AE")
    # A mistake first: it comes back next to its field, with everything typed kept.
    denmark.locator("#id_parties-1-country").select_option("AE")
    denmark.get_by_role("button", name="Notify the denial").click()
    expect(denmark.locator("#id_parties-1-name_error")).to_contain_text("required")
    expect(denmark.locator("#id_parties-0-name")).to_have_value("Nimbus Intercept Ltd")
    check_a11y(denmark)
    denmark.locator("#id_parties-1-country").select_option("")
    denmark.get_by_role("button", name="Notify the denial").click()

    expect(denmark.get_by_text("The denial has been notified.")).to_be_visible()
    denial = Denial.objects.get()
    expect(denmark.get_by_role("heading", level=1)).to_have_text(denial.title)
    expect(denmark.locator(".tlp-banner")).to_contain_text("TLP:AMBER")
    expect(denmark.get_by_role("rowheader", name="Nimbus Intercept Ltd")).to_be_visible()
    review = decided.replace(year=decided.year + 3)
    # Three years after the decision, in the one date format of English pages.
    expect(denmark.get_by_test_id("review-date")).to_contain_text(
        f"{review.day} {review.strftime('%b')} {review.year}"
    )
    check_a11y(denmark)

    # Finland screens an application naming the end-user another way round, with
    # another legal form, and finds the denial.
    finland = browser.new_context(locale="en-GB").new_page()
    sign_in(finland, "fi-officer", password)
    finland.get_by_role("link", name="Denials", exact=True).click()
    finland.get_by_role("link", name="Screen an application").click()
    check_a11y(finland)
    finland.get_by_label("End-user").first.fill("INTERCEPT NIMBUS GmbH")
    finland.get_by_label("Destination").select_option("AE")
    finland.get_by_label("Control-list entry").fill("5A001.j")
    finland.get_by_label("Item description").fill("DPI probes and analysis software.")
    finland.get_by_role("button", name="Screen", exact=True).click()
    results = finland.get_by_test_id("screening-results")
    expect(results.get_by_role("heading", name=denial.title)).to_be_visible()
    expect(results).to_contain_text("Why it matched:")
    expect(results).to_contain_text("Score")
    check_a11y(finland)
    results.get_by_role("link", name=re.compile("Open a consultation")).click()
    expect(finland.get_by_label("End-user").first).to_have_value("INTERCEPT NIMBUS GmbH")
    expect(finland.get_by_label("Destination")).to_have_value("AE")
    check_a11y(finland)
    finland.get_by_label("Your application reference").fill("FI-2026-204")
    finland.get_by_label("Your question to the denying state").fill(
        "Is this essentially identical to the transaction you denied?"
    )
    finland.get_by_role("button", name="Open the consultation").click()
    expect(finland.get_by_text("Consultation opened.")).to_be_visible()
    expect(finland.get_by_role("heading", level=1)).to_have_text("Finland consults Denmark")
    consultation = Consultation.objects.get()
    deadline = finland.get_by_test_id("deadline")
    expect(deadline).to_contain_text(f"{consultation.due_on.year}")
    expect(deadline).to_contain_text("end of the day in Denmark")
    expect(deadline).to_contain_text("working days left after today")
    check_a11y(finland)

    # Denmark finds it on its dashboard and answers.
    denmark.goto(f"{live_server.url}/")
    awaiting = denmark.get_by_role("region", name="Consultations awaiting Denmark's answer")
    check_a11y(denmark)
    awaiting.get_by_role("link", name=re.compile("Finland asks about DK-EKS-2026-0117")).click()
    expect(denmark.get_by_role("heading", level=1)).to_have_text("Finland consults Denmark")
    check_a11y(denmark)
    denmark.get_by_label("Your state's answer").fill(
        "Yes: the same end-user and essentially the same item. We maintain the denial."
    )
    denmark.get_by_role("button", name="Send the answer").click()
    expect(denmark.get_by_text("Your state's answer has been sent.")).to_be_visible()
    expect(denmark.get_by_test_id("answer")).to_contain_text("We maintain the denial.")

    # Finland records how its application ended.
    finland.goto(f"{live_server.url}/consultations/")
    outgoing = finland.get_by_test_id("outgoing")
    expect(outgoing).to_contain_text("Answered")
    check_a11y(finland)
    outgoing.get_by_role("link", name=re.compile("Finland asks Denmark")).click()
    expect(finland.get_by_test_id("answer")).to_contain_text("We maintain the denial.")
    finland.get_by_label("Licence refused").check()
    finland.get_by_label("Note").fill("Refused on the strength of Denmark's answer.")
    finland.get_by_role("button", name="Record the outcome").click()
    expect(finland.get_by_text("The outcome has been recorded")).to_be_visible()
    expect(finland.get_by_test_id("outcome")).to_contain_text("Licence refused")
    check_a11y(finland)

    # France, which reads the denial, is told the outcome: in its inbox, and on the page.
    france = browser.new_context(locale="en-GB").new_page()
    sign_in(france, "fr-viewer", password)
    france.get_by_test_id("inbox-link").click()
    expect(france.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    outcome_line = france.locator(".notification-item", has_text="Consultation outcome circulated")
    expect(outcome_line).to_contain_text("Licence refused, consulted by Finland")
    expect(outcome_line).to_contain_text("TLP:AMBER")
    check_a11y(france)
    outcome_line.get_by_role("link", name=denial.title).click()
    expect(france).to_have_url(re.compile(rf"{denial.get_absolute_url()}#outcomes$"))
    outcomes = france.get_by_test_id("outcomes")
    expect(outcomes).to_contain_text("Licence refused")
    expect(outcomes).to_contain_text("consulted by Finland")
    # Only the summary: not the question, nor the answer, nor Finland's note.
    expect(france.get_by_text("We maintain the denial.")).to_have_count(0)
    expect(france.get_by_text("Refused on the strength")).to_have_count(0)
    check_a11y(france)
    response = france.goto(f"{live_server.url}{consultation.get_absolute_url()}")
    assert response.status == 404


def test_the_notifying_state_amends_renews_and_revokes_a_denial(
    browser, live_server, sign_in, check_a11y, dk_officer, password
):
    from tests.sharing.conftest import denial_content

    denial = denials.publish(by=dk_officer, **denial_content())
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, "dk-officer", password)
    page.goto(f"{live_server.url}{denial.get_absolute_url()}")

    page.get_by_role("link", name="Amend…").click()
    # Each check waits for the page it is about: axe must not run on one being replaced.
    expect(page).to_have_url(re.compile(r"/amend/$"))
    check_a11y(page)
    page.get_by_label("Item description").fill("IP surveillance with DPI and decryption.")
    # Without a change note nothing is saved, and the note's field says why.
    page.get_by_role("button", name="Notify the new version").click()
    expect(page.locator("#id_change_note_error")).to_be_visible()
    page.get_by_label("What changed").fill("The decryption module was added.")
    page.get_by_role("button", name="Notify the new version").click()
    expect(page.get_by_text("IP surveillance with DPI and decryption.")).to_be_visible()
    denial.refresh_from_db()
    assert (denial.status, denial.version) == ("amended", 2)

    page.get_by_role("link", name="Renew at review…").click()
    expect(page).to_have_url(re.compile(r"/renew/$"))
    check_a11y(page)
    page.get_by_role("button", name="Keep it in force").click()
    expect(page.get_by_text("The denial stays in force.")).to_be_visible()
    denial.refresh_from_db()
    assert denial.review_on > timezone.localdate() + datetime.timedelta(days=3 * 365 - 2)

    page.get_by_role("link", name="Revoke…").click()
    expect(page).to_have_url(re.compile(r"/revoke/$"))
    check_a11y(page)
    page.get_by_role("button", name="Revoke the denial").click()
    expect(page.locator("#id_reason_error")).to_be_visible()
    denial.refresh_from_db()
    assert denial.status != "revoked"
    page.get_by_label("Reason for revoking").fill("The end-user was dissolved.")
    page.get_by_role("button", name="Revoke the denial").click()
    expect(page.get_by_text("The denial has been revoked.")).to_be_visible()
    denial.refresh_from_db()
    assert denial.status == "revoked"
    # What stays readable says so; the actions are gone.
    expect(page.get_by_role("link", name="Revoke…")).to_have_count(0)
