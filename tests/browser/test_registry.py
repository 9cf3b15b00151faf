"""The registry in a real browser: Denmark's officer confirms that its denial's consignee
is the broker Norway's alert names, opens the entity's page and records the broker as a
front for the denial's end-user; Finland's officer then screens the broker's
registration number and finds both through the registry, saying why. axe-core checks
every page on the way."""

import re

import pytest
from playwright.sync_api import expect

from sharing.denials import services as denials
from sharing.notices import services as notices
from tests.sharing.conftest import denial_content, notice_content

pytestmark = pytest.mark.django_db(transaction=True)


def test_denmark_links_and_relates_and_finland_screens_through_the_registry(
    browser, live_server, sign_in, check_a11y, dk_officer, no_officer, fi_officer, password
):
    broker = {
        "name": "Stratus Data Trading FZE",
        "aliases": ["ستراتوس لتجارة البيانات"],
        "country": "AE",
        "kind": "broker",
        "identifiers": ["registration AE FZ-000000"],
    }
    alert = notices.publish(
        notices.create(by=no_officer, **notice_content(entities=[broker])), by=no_officer
    )
    parties = [
        {"role": "end_user", "name": "Helios Monitoring Solutions", "country": "AE"},
        {"role": "consignee", "name": "Stratus Data Trading LLC", "country": "AE"},
    ]
    denial = denials.publish(by=dk_officer, **denial_content(parties=parties))

    denmark = browser.new_context(locale="en-GB").new_page()
    sign_in(denmark, "dk-officer", password)
    denmark.get_by_role("link", name="Denials", exact=True).click()
    denmark.get_by_role("link", name="Registry of entities").click()
    suggestions = denmark.get_by_test_id("registry-suggestions")
    expect(suggestions).to_contain_text("Stratus Data Trading LLC")
    check_a11y(denmark)
    same = re.compile(r"^Same entity\W+Stratus Data Trading LLC$")
    suggestions.get_by_role("button", name=same).click()
    expect(
        denmark.get_by_text("“Stratus Data Trading LLC” is linked to the entity.")
    ).to_be_visible()
    check_a11y(denmark)

    denmark.get_by_role("link", name="Stratus Data Trading FZE").first.click()
    names = denmark.get_by_test_id("entity-names")
    expect(names).to_contain_text("ستراتوس لتجارة البيانات")
    expect(names).to_contain_text("Arabic")
    expect(names).to_contain_text("Stratus Data Trading LLC")
    expect(denmark.get_by_test_id("entity-identifiers")).to_contain_text("FZ000000")
    expect(denmark.get_by_test_id("entity-items")).to_contain_text(alert.title)
    check_a11y(denmark)

    denmark.get_by_label("Relation", exact=True).select_option("front_for")
    denmark.get_by_label("The other entity").select_option(label="Helios Monitoring Solutions")
    denmark.get_by_label("Asserted in").select_option(label=f"DK {denial.national_reference}")
    denmark.get_by_role("button", name="Record the relation").click()
    expect(denmark.get_by_text("The relation is recorded.")).to_be_visible()
    expect(denmark.get_by_test_id("entity-relations")).to_contain_text(
        "“Stratus Data Trading FZE” is a front for “Helios Monitoring Solutions”"
    )
    check_a11y(denmark)

    finland = browser.new_context(locale="en-GB").new_page()
    sign_in(finland, "fi-officer", password)
    finland.get_by_role("link", name="Denials", exact=True).click()
    finland.get_by_role("link", name="Screen an application").click()
    finland.get_by_label("End-user").first.fill("Unknown Trading House")
    finland.get_by_label("End-user's identifiers").fill("registration AE FZ-000000")
    finland.get_by_role("button", name="Screen", exact=True).click()
    results = finland.get_by_test_id("screening-results")
    expect(results).to_contain_text(
        "Registry: “Stratus Data Trading FZE” is the same entity as “Stratus Data Trading LLC”"
    )
    expect(results).to_contain_text("Identifier registration AE FZ000000 is also that of")
    check_a11y(finland)
    bad = finland.get_by_label("End-user's identifiers")
    bad.fill("LEI 5493001KJTIIGC8Y1R13")
    finland.get_by_role("button", name="Screen", exact=True).click()
    expect(finland.get_by_text("is not a valid LEI")).to_be_visible()
    check_a11y(finland)
