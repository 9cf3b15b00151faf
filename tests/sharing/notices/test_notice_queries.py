"""Query budgets: the notice list, a notice's page and the dashboard run the same number
of SQL queries however much there is to show (issue 3), measured on two sizes of data."""

import pytest

from accounts.choices import Role
from sharing.notices import services as notices
from tests.factories import UserFactory
from tests.sharing.conftest import pdf

pytestmark = pytest.mark.django_db

CATEGORIES = [
    "intrusion-software",
    "ip-network-surveillance",
    "telecom-interception",
    "biometric-recognition",
    "data-analytics",
    "location-tracking",
    "forensic-extraction",
    "other",
]
COUNTRIES = ["AE", "MM", "CN", "RU", "IR", "KP", "BY", "SY"]
READER_STATES = ["NO", "FI", "FR", "DE", "JP", "ES", "NL", "CA"]


def entities(n: int) -> list[dict]:
    return [
        {"name": f"Entity {i}", "aliases": [f"E{i}"], "country": "CY", "identifiers": [f"ID {i}"]}
        for i in range(n)
    ]


# --- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 12])
def test_list_page_query_count_does_not_grow(
    client, make_notice, no_viewer, size, django_assert_num_queries
):
    for n in range(size):
        make_notice(title=f"Notice {n}", categories=["intrusion-software", "other"])
    client.force_login(no_viewer)
    # session, user, count, page, the page's categories, and the filter form's two lists
    with django_assert_num_queries(8):
        client.get("/notices/")


@pytest.mark.parametrize("size", [2, 12])
def test_list_of_notices_from_many_states_with_varied_details_keeps_its_budget(
    client, make_notice, dk_officer, no_officer, fr_viewer, size, django_assert_num_queries
):
    for n in range(size):
        make_notice(
            by=(dk_officer, no_officer)[n % 2],
            title=f"Notice {n}",
            categories=CATEGORIES[: 1 + n % len(CATEGORIES)],
            entities=entities(n % 4),
            countries_of_concern=COUNTRIES[: n % 5],
        )
    client.force_login(fr_viewer)
    with django_assert_num_queries(8):
        page = client.get("/notices/")
    shown = page.context["page"].object_list
    assert len(shown) == size
    assert {n.author_state_id for n in shown} == {"DK", "NO"}
    html = page.content.decode()
    # Each notice's own categories, and the author state of each.
    assert html.count('<span class="tag">') == sum(1 + n % len(CATEGORIES) for n in range(size))
    assert html.count("<td>Norway</td>") == size // 2


# --- a notice's page ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 6])
def test_detail_page_query_count_does_not_grow(
    client, make_notice, no_admin, dk_officer, size, django_assert_num_queries
):
    notice = make_notice(
        audience="community",
        entities=[{"name": f"Entity {n}"} for n in range(size)],
        categories=["intrusion-software", "other", "data-analytics"][: 1 + size % 3],
        countries_of_concern=["AE", "MM", "CN", "RU", "IR", "KP"][:size],
    )
    for n in range(size):
        notices.comment(notice, by=no_admin, body=f"Comment {n}")
        notice = notices.amend(
            notice,
            by=dk_officer,
            change_note=f"v{n}",
            material=n % 2 == 0,
            title=f"Title {n}",
            attachments=[pdf(f"file{n}.pdf")],
        )
    notices.acknowledge(notice, by=no_admin)
    client.force_login(no_admin)
    # session, user, notice, 8 prefetches, the entities' links to the registry, the audit
    # row of an AMBER read, recipient states, its industry advisories
    with django_assert_num_queries(19):
        assert client.get(notice.get_absolute_url()).status_code == 200


def busy_notice(make_notice, dk_officer, size: int):
    """A community notice from Denmark with ``size`` of everything its page shows:
    entities, categories, countries, files, versions, and the acknowledgements and
    comments of ``size`` other states."""
    notice = make_notice(
        publish=False,
        audience="community",
        entities=entities(size),
        categories=CATEGORIES[:size],
        countries_of_concern=COUNTRIES[:size],
    )
    for n in range(size):
        notices.attach(notice, pdf(f"file{n}.pdf"), by=dk_officer)
    notice = notices.publish(notice, by=dk_officer)
    for n in range(2, size + 1):
        notice = notices.amend(
            notice,
            by=dk_officer,
            change_note=f"Version {n}.",
            material=n % 2 == 0,
            body=f"Orders split across {n} firms.",
        )
    for code in READER_STATES[:size]:
        officer = UserFactory(username=f"{code.lower()}-reader", state_id=code, role=Role.OFFICER)
        notices.acknowledge(notice, by=officer, level="assessed", note=f"{code} checked.")
        notices.comment(notice, by=officer, body=f"{code} saw them too.")
    return notice


@pytest.mark.parametrize("size", [1, 8])
def test_the_authors_page_with_every_acknowledgement_keeps_its_budget(
    client, make_notice, dk_officer, size, django_assert_num_queries
):
    notice = busy_notice(make_notice, dk_officer, size)
    client.force_login(dk_officer)
    # session, user, notice, 8 prefetches, the entities' links to the registry, the audit
    # row of an AMBER read, recipient states, its industry advisories
    with django_assert_num_queries(19):
        page = client.get(notice.get_absolute_url())
    # The author state's panel: every recipient state, answered or not.
    rows = page.context["ack"].rows
    answered = {row.state.pk for row in rows if row.acknowledgement is not None}
    assert answered == set(READER_STATES[:size])
    assert len(rows) > len(answered)  # and those that have not answered
    assert len(page.context["revisions"]) == size
    html = page.content.decode()
    for code in READER_STATES[:size]:
        assert f"{code} checked." in html and f"{code} saw them too." in html
    assert html.count("SHA-256") == size
    assert all(f"Entity {n}" in html for n in range(size))


# --- the dashboard --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 8])
def test_dashboard_query_count_does_not_grow(
    client, make_notice, no_admin, size, django_assert_num_queries
):
    for n in range(size):
        make_notice(title=f"Notice {n}")
    client.force_login(no_admin)
    # session, user, 3 notice lists, the consultations awaiting an answer, 2 counts for
    # the admin, the states
    with django_assert_num_queries(11):
        page = client.get("/")
    assert len(page.context["awaiting"]) == size


def test_a_viewers_dashboard_does_not_look_for_drafts_it_may_not_read(
    client, make_notice, dk_officer, no_officer, no_viewer, django_assert_num_queries
):
    """Viewers read no drafts, so their dashboard asks for none: the query would walk
    every notice at 100,000 to find nothing (docs/architecture.md, "Performance")."""
    make_notice(by=dk_officer, title="From Denmark")
    make_notice(by=no_officer, publish=False, title="Norwegian draft")
    client.force_login(no_viewer)
    # session, user, two notice lists, the consultations awaiting an answer, the unread
    # notifications, the states: no list of drafts (which made it 8)
    with django_assert_num_queries(7):
        page = client.get("/")
    assert page.context["drafts"] == []
    assert "Norwegian draft" not in page.content.decode()
    assert [n.title for n in page.context["awaiting"]] == ["From Denmark"]


@pytest.mark.parametrize("size", [1, 7])
def test_dashboard_with_drafts_and_notices_awaiting_keeps_its_budget(
    client, make_notice, no_officer, dk_officer, size, django_assert_num_queries
):
    for n in range(size):
        make_notice(by=dk_officer, title=f"From Denmark {n}", categories=CATEGORIES[: 1 + n])
        make_notice(by=no_officer, publish=False, title=f"Norwegian draft {n}")
    make_notice(by=no_officer, title="Published by Norway")  # latest, not awaiting
    client.force_login(no_officer)
    # session, user, the three lists, the consultations awaiting an answer, the unread
    # notifications, the states
    with django_assert_num_queries(9):
        page = client.get("/")
    assert len(page.context["awaiting"]) == size
    assert len(page.context["drafts"]) == size
    assert len(page.context["latest"]) == size + 1
    html = page.content.decode()
    assert f"Norwegian draft {size - 1}" in html and f"From Denmark {size - 1}" in html
