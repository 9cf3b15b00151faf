"""The implementation report's pages and CSV file: who sees what (a state its own
figures, everyone the community's, states by name only where they agreed)."""

import csv
import datetime
import io
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import State
from tests.personas import PERSONAS, persona

pytestmark = pytest.mark.django_db

YEAR = datetime.date.today().year
PAGE = f"/reports/{YEAR}/"
CSV = f"/reports/{YEAR}/figures.csv"


def name(states, *codes):
    State.objects.filter(pk__in=codes).update(named_in_reports=True)


def comparison(html: str) -> str:
    """The "Across states" section of a report page."""
    return html.split('id="comparison-heading"', 1)[1]


def csv_states(response) -> set[str]:
    rows = csv.DictReader(io.StringIO(response.content.decode()))
    return {row["state"] for row in rows}


def test_a_state_sees_its_own_figures_and_the_communitys(client, make_notice, dk_viewer):
    make_notice(title="Counted")
    client.force_login(dk_viewer)
    assert client.get("/reports/").headers["Location"] == PAGE
    page = client.get(PAGE).content.decode()
    assert "Denmark and the community" in page
    table = page.split('class="table table-sm align-middle report-figures"', 1)[1]
    first = re.search(r"Notices published</th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)", table)
    assert first.groups() == ("1", "1")
    assert "Threat and risk notices the state published for the first time" in page


def test_states_are_named_only_where_they_agreed(client, seeded_states, dk_viewer):
    name(seeded_states, "NO", "FR")
    client.force_login(dk_viewer)
    across = comparison(client.get(PAGE).content.decode())
    rows = re.findall(r'<th scope="row">([^<]+)</th>', across.split("<tfoot>")[0])
    # Denmark did not agree, but is named to itself.
    assert rows[:3] == ["Denmark", "France", "Norway"]
    assert "Germany" not in across
    assert "Your state has not agreed" in across
    assert csv_states(client.get(CSV)) == {"ALL", "DK", "FR", "NO"}
    client.force_login(persona("no-viewer"))
    assert "Your state has not agreed" not in comparison(client.get(PAGE).content.decode())


@pytest.mark.parametrize("seed", range(6))
def test_no_state_that_did_not_agree_is_ever_named_to_another(client, seeded_states, seed):
    """Random states agree; random readers of other states read the page and the CSV:
    no state that did not agree, other than the reader's own, appears in either."""
    chance = random.Random(seed)
    states = list(State.objects.filter(status="subscribing"))
    agreeing = chance.sample(states, chance.randint(0, len(states)))
    State.objects.filter(pk__in=[s.pk for s in agreeing]).update(named_in_reports=True)
    readers = [p for p in PERSONAS if p.split("-")[0].upper() in {s.code for s in states}]
    for reader_name in chance.sample(readers, 3):
        reader = persona(reader_name)
        client.force_login(reader)
        html = client.get(PAGE).content.decode()
        codes = csv_states(client.get(CSV))
        unnamed = [s for s in states if s not in agreeing and s.pk != reader.state_id]
        withheld = len(unnamed) == 1
        for state in unnamed:
            assert state.name not in html, (seed, reader_name, state)
            assert state.code not in codes, (seed, reader_name, state)
        if withheld:
            assert "The comparisons are not shown" in html
            assert codes <= {"ALL", reader.state_id}


def test_comparisons_are_withheld_when_one_state_alone_is_unnamed(client, dk_viewer):
    everyone_but = State.objects.exclude(pk__in=["DK", "FR"])
    everyone_but.update(named_in_reports=True)
    client.force_login(dk_viewer)
    page = client.get(PAGE).content.decode()
    assert "The comparisons are not shown" in page
    assert "France" not in page
    assert "Norway" not in comparison(page)
    assert csv_states(client.get(CSV)) == {"ALL", "DK"}


def test_platform_staff_see_the_community_and_no_state_of_their_own(staff_client, seeded_states):
    name(seeded_states, "NO")
    page = staff_client.get(PAGE).content.decode()
    assert "The community" in page
    assert "Norway" in comparison(page)
    assert "Denmark" not in page


def test_who_may_not_read_reports(client, seeded_states):
    assert client.get(PAGE).status_code == 302  # to sign in
    client.force_login(persona("dk-viewer"))
    for year in (2019, YEAR + 1, 10**30):
        assert client.get(f"/reports/{year}/").status_code == 404


def test_a_suspended_states_users_read_no_report(suspended_state):
    from django.core.exceptions import PermissionDenied

    from accounts.models import User
    from sharing.reports import figures
    from sharing.reports.disclosure import disclosed

    user = User(username="pe-viewer", state=suspended_state, role="viewer", is_active=True)
    with pytest.raises(PermissionDenied):
        disclosed(figures.report(YEAR), user)


def test_an_admin_agrees_in_the_states_settings(client, dk_admin, no_viewer):
    client.force_login(dk_admin)
    response = client.post(
        "/accounts/state/",
        {"approval_policy": "nothing", "language": "", "named_in_reports": "on"},
    )
    assert response.status_code == 302
    assert State.objects.get(pk="DK").named_in_reports
    client.force_login(no_viewer)
    assert "Denmark" in comparison(client.get(PAGE).content.decode())


def test_the_page_takes_the_same_queries_however_many_items(
    client, make_notice, no_viewer, dk_viewer
):
    from sharing.notices import services as notices

    client.force_login(dk_viewer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        return len(queries)

    make_notice(title="One")
    client.get(PAGE)
    few = count()
    for n in range(5):
        notices.acknowledge(make_notice(title=f"More {n}"), by=no_viewer)
    assert count() == few


def charts_of(response) -> dict:
    import json

    found = re.search(
        r'<script id="report-charts" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1))


def test_every_chart_has_its_numbers_and_a_summary_in_words(
    client, year_2025, dk_viewer, seeded_states
):
    name(seeded_states, "NO", "FR")
    client.force_login(dk_viewer)
    response = client.get("/reports/2025/")
    charts = charts_of(response)
    own = {s["label"]: s["values"] for s in charts["activity"]["own"]}
    assert own["Notices published"] == [0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1]
    assert charts["months"][3] == "Apr"
    page = response.content.decode()
    assert (
        "Denmark: 3 items first published in 2025 (notices 3, best practices 0, licence "
        "denials 0, advisories 0); the busiest month was April, with 1." in page
    )
    timely = charts["timeliness"]
    assert timely["labels"] == ["Denmark", "France", "Norway", "All states"]
    # Counted to this day, every time to acknowledge has ended: France acknowledged
    # none of the three in time, Norway two (Denmark received none).
    assert timely["values"][:3] == [None, 0.0, 66.7]
    assert "from 0.0 % (France) to 66.7 % (Norway)" in page
    assert 'aria-describedby="timeliness-summary"' in page


def test_no_timeliness_chart_when_the_comparisons_are_withheld(client, dk_viewer):
    State.objects.exclude(pk__in=["DK", "FR"]).update(named_in_reports=True)
    client.force_login(dk_viewer)
    assert charts_of(client.get(PAGE))["timeliness"] is None
