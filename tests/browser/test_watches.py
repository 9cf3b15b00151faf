"""A watched application in a real browser: Finland screens "Nimbus Intercept", finds
nothing and watches the application; Denmark then notifies a denial naming
"NIMBUS-INTERCEPT Ltd"; Finland's officer finds one notification of the match, the
match on the watch's page, then an alert naming the end-user beside it, and records the
decision, which ends the watch."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sharing.common.choices import EventKind
from sharing.denials import services as denials
from sharing.notices import services as notices
from sharing.notifications.models import Notification
from sharing.screening.models import Watch
from tests.sharing.conftest import denial_content, notice_content

pytestmark = pytest.mark.django_db(transaction=True)


def test_finland_watches_an_application_and_is_told_once_of_a_matching_denial(
    browser, live_server, sign_in, check_a11y, fi_officer, dk_officer, no_officer, password
):
    finland = browser.new_context(locale="en-GB").new_page()
    sign_in(finland, "fi-officer", password)
    finland.get_by_role("link", name="Denials", exact=True).click()
    finland.get_by_role("link", name="Screen an application").click()
    finland.get_by_label("End-user").first.fill("Nimbus Intercept")
    finland.get_by_label("Destination").select_option("AE")
    finland.get_by_label("Control-list entry").fill("5A001.j")
    finland.get_by_role("button", name="Screen", exact=True).click()
    expect(finland.get_by_test_id("screening-results")).to_contain_text("No match.")
    check_a11y(finland)

    finland.get_by_role("link", name="Watch this application").click()
    expect(finland.get_by_role("heading", name="Watch an application", level=1)).to_be_visible()
    expect(finland.get_by_text("Nimbus Intercept")).to_be_visible()
    check_a11y(finland)
    finland.get_by_label("Your application reference").fill("FI-EXP-2026-311")
    decide_by = timezone.localdate() + datetime.timedelta(days=45)
    finland.get_by_label("Decide by").fill(decide_by.isoformat())
    finland.get_by_role("button", name="Watch this application").click()
    expect(finland.get_by_text("FI-EXP-2026-311 is watched until")).to_be_visible()
    expect(finland.get_by_test_id("current-matches")).to_contain_text("No match.")
    check_a11y(finland)

    # Denmark notifies a denial naming the end-user another way.
    nimbus = {"role": "end_user", "name": "NIMBUS-INTERCEPT Ltd", "country": "AE"}
    denial = denials.publish(by=dk_officer, **denial_content(parties=[nimbus]))
    watch = Watch.objects.get()
    told = Notification.objects.filter(kind=EventKind.SCREENING_NEW_MATCH, user=fi_officer)
    assert told.count() == 1

    finland.goto(f"{live_server.url}/")
    finland.get_by_test_id("inbox-link").click()
    line = finland.locator(".notification-item", has_text="New match for a watched application")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Watched application FI-EXP-2026-311 matches")
    expect(line).to_contain_text("score 100 of 100")
    check_a11y(finland)
    line.get_by_role("link", name=re.compile("FI-EXP-2026-311")).click()
    expect(finland).to_have_url(f"{live_server.url}{watch.get_absolute_url()}")
    current = finland.get_by_test_id("current-matches")
    expect(current.get_by_role("heading", name=denial.title)).to_be_visible()
    expect(current).to_contain_text("Score 100 of 100")
    expect(finland.get_by_test_id("told-matches")).to_contain_text("score 100 of 100, told on")
    check_a11y(finland)

    # Norway then publishes an end-user alert naming the end-user: the watch's page shows
    # it beside the denial, as the alert it is.
    alert = notices.publish(
        notices.create(
            by=no_officer,
            **notice_content(
                title="Interception reseller seeking licences",
                entities=[{"name": "Nimbus Intercept FZE", "country": "AE", "kind": "company"}],
            ),
        ),
        by=no_officer,
    )
    finland.reload()
    expect(current.get_by_role("heading", name=alert.title)).to_be_visible()
    expect(current).to_contain_text(f"Named in {alert.reference}, end-user of concern, from Norway")
    check_a11y(finland)

    finland.get_by_label("Licence refused").check()
    finland.get_by_role("button", name="Record the decision").click()
    expect(finland.get_by_text("Decision recorded: Licence refused.")).to_be_visible()
    expect(finland.get_by_test_id("watch-status")).to_contain_text("Licence refused")
    check_a11y(finland)
    finland.get_by_role("link", name="Watched applications").first.click()
    expect(finland.get_by_test_id("ended-watches")).to_contain_text("FI-EXP-2026-311")
    check_a11y(finland)
