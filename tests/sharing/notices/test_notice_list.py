"""The notice list: each filter narrows what the reader may see (never widens it), and
the pages split the results without repeating or losing a notice."""

import pytest

from sharing.common import pages as common
from sharing.notices import services as notices
from sharing.notices import views as notice_views

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(make_notice, dk_officer, no_officer):
    """Notices of Denmark and Norway, of different kinds, categories and statuses, for
    every subscribing state; and a Danish draft."""
    make_notice(title="Alpha", kind="threat", categories=["intrusion-software"])
    make_notice(
        by=no_officer,
        title="Beta",
        kind="end_user_alert",
        categories=["data-analytics", "intrusion-software"],
    )
    gamma = make_notice(title="Gamma", kind="technology_alert", categories=["telecom-interception"])
    notices.withdraw(gamma, by=dk_officer, reason="Superseded.")
    make_notice(by=no_officer, title="Delta", kind="threat", categories=["location-tracking"])
    make_notice(title="Epsilon draft", publish=False, kind="threat")


@pytest.fixture
def titles(client):
    def titles(user, query=""):
        client.force_login(user)
        response = client.get(f"/notices/?{query}")
        assert response.status_code == 200
        return sorted(n.title for n in response.context["page"].object_list)

    return titles


def test_without_filters_a_reader_sees_what_was_shared_with_their_state(shelf, titles, fr_viewer):
    assert titles(fr_viewer) == ["Alpha", "Beta", "Delta", "Gamma"]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("kind=threat", ["Alpha", "Delta"]),
        ("kind=end_user_alert", ["Beta"]),
        ("kind=diversion_alert", []),
        ("category=intrusion-software", ["Alpha", "Beta"]),
        ("category=location-tracking", ["Delta"]),
        ("category=other", []),
        ("author_state=NO", ["Beta", "Delta"]),
        ("author_state=DK", ["Alpha", "Gamma"]),
        ("author_state=FI", []),
        ("status=published", ["Alpha", "Beta", "Delta"]),
        ("status=withdrawn", ["Gamma"]),
        ("kind=threat&author_state=DK", ["Alpha"]),
        ("category=intrusion-software&author_state=NO&status=published", ["Beta"]),
        # What is not a choice shows nothing rather than everything.
        ("kind=gossip", []),
        ("category=no-such-category", []),
        ("author_state=ZZ", []),
        ("status=archived", []),
    ],
)
def test_each_filter_shows_exactly_the_notices_that_match(shelf, titles, fr_viewer, query, shown):
    assert titles(fr_viewer, query) == shown


def test_the_draft_filter_shows_drafts_only_to_their_own_states_officers(
    shelf, titles, dk_officer, dk_viewer, no_officer, fr_viewer
):
    assert titles(dk_officer, "status=draft") == ["Epsilon draft"]
    for user in (dk_viewer, no_officer, fr_viewer):
        assert titles(user, "status=draft") == []
        assert titles(user, "author_state=DK&kind=threat") == ["Alpha"]


def test_list_filters_combine(client, make_notice, no_viewer):
    make_notice(title="Alpha", severity="critical", tlp="green", countries_of_concern=["MM"])
    make_notice(title="Beta", severity="low", tlp="green", countries_of_concern=["AE"])
    make_notice(title="Gamma", severity="critical", tlp="amber", countries_of_concern=["MM"])
    client.force_login(no_viewer)

    def titles(query):
        page = client.get(f"/notices/?{query}").context["page"]
        return [n.title for n in page.object_list]

    assert titles("severity=critical&tlp=green") == ["Alpha"]
    assert sorted(titles("country=MM")) == ["Alpha", "Gamma"]
    assert titles("sort=title") == ["Alpha", "Beta", "Gamma"]
    assert titles("sort=severity")[-1] == "Beta"
    assert titles("severity=unknown") == []  # an invalid filter shows nothing, not everything


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def five_notices(make_notice, monkeypatch):
    """Five notices, two to a page, newest first: N5 N4 | N3 N2 | N1."""
    monkeypatch.setattr(notice_views, "PAGE_SIZE", 2)
    for n in range(1, 6):
        make_notice(title=f"N{n}", kind="threat" if n % 2 else "end_user_alert")


@pytest.fixture
def page_of(client, no_viewer):
    client.force_login(no_viewer)

    def page_of(query):
        response = client.get(f"/notices/?{query}")
        assert response.status_code == 200
        page = response.context["page"]
        return page.number, [n.title for n in page.object_list], response.content.decode()

    return page_of


@pytest.mark.parametrize(
    ("query", "number", "shown"),
    [
        ("", 1, ["N5", "N4"]),
        ("page=2", 2, ["N3", "N2"]),
        ("page=3", 3, ["N1"]),
        ("page=4", 3, ["N1"]),  # past the end: the last page
        ("page=999999", 3, ["N1"]),
        ("page=abc", 1, ["N5", "N4"]),  # not a number: the first
        ("sort=oldest&page=2", 2, ["N3", "N4"]),
        ("kind=threat&page=2", 2, ["N1"]),  # N5 N3 | N1
    ],
)
def test_pages_split_the_list_and_past_the_end_is_the_last_page(
    five_notices, page_of, query, number, shown
):
    assert page_of(query)[:2] == (number, shown)


def test_every_notice_is_on_exactly_one_page(five_notices, page_of):
    seen = [title for n in (1, 2, 3) for title in page_of(f"page={n}")[1]]
    assert sorted(seen) == ["N1", "N2", "N3", "N4", "N5"]


def test_the_pager_keeps_the_filters(five_notices, page_of):
    number, shown, html = page_of("kind=threat&sort=oldest")
    assert (number, shown) == (1, ["N1", "N3"])
    assert "Page 1 of 2" in html
    assert 'href="?kind=threat&amp;sort=oldest&amp;page=2"' in html


# --- lists longer than what is counted --------------------------------------------------------


@pytest.fixture
def counted_up_to_three(five_notices, monkeypatch):
    """The same five notices, in a portal that counts a list only up to three."""
    monkeypatch.setattr(common, "COUNT_LIMIT", 3)


@pytest.mark.parametrize(
    ("query", "number", "shown"),
    [
        ("", 1, ["N5", "N4"]),
        ("page=2", 2, ["N3", "N2"]),
        ("page=3", 3, ["N1"]),
        ("page=4", 3, ["N1"]),  # past the end: counted after all, and the last page
        ("page=99999999999999999999", 3, ["N1"]),
        ("page=0", 3, ["N1"]),  # as Django's paginator answers
        ("page=abc", 1, ["N5", "N4"]),
        ("kind=threat&page=2", 2, ["N1"]),  # three: counted
    ],
)
def test_a_list_counted_only_up_to_a_limit_pages_the_same(
    counted_up_to_three, page_of, query, number, shown
):
    assert page_of(query)[:2] == (number, shown)


def test_past_the_limit_the_list_says_more_than_and_pages_on_with_next(
    counted_up_to_three, page_of
):
    _number, _shown, first = page_of("")
    assert "More than 3 notices" in first
    assert "Page 1<" in first and "Page 1 of" not in first
    assert 'href="?page=2" rel="next"' in first and 'rel="prev"' not in first
    _number, _shown, middle = page_of("page=2")
    assert 'href="?page=1" rel="prev"' in middle and 'href="?page=3" rel="next"' in middle
    _number, _shown, last = page_of("page=3")
    assert 'rel="prev"' in last and 'rel="next"' not in last
    # Under the limit the count is exact, with the number of pages.
    _number, _shown, counted = page_of("kind=threat")
    assert "3 notices" in counted and "More than" not in counted
    assert "Page 1 of 2" in counted


def test_past_the_limit_no_query_counts_every_notice(counted_up_to_three, client, no_viewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(no_viewer)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/notices/?page=2").status_code == 200
    counts = [
        q["sql"]
        for q in captured
        if "COUNT(" in q["sql"]
        and '"sharing_notice"' in q["sql"]
        and '"sharing_notification"' not in q["sql"]  # the unread badge's
    ]
    assert counts, "the list was not counted at all"
    assert all("LIMIT 4" in sql for sql in counts), counts


@pytest.mark.parametrize("query", ["", "sort=endorsed", "sort=title", "q=export"])
def test_the_library_pages_on_past_the_limit_in_every_order(
    make_practice, client, fr_viewer, monkeypatch, query
):
    """The best-practice library orders by an annotation (endorsements) or by relevance;
    its capped count drops the order and still counts what the filters leave."""
    monkeypatch.setattr(common, "COUNT_LIMIT", 1)
    for n in range(3):
        make_practice(title=f"Export controls {n}")
    client.force_login(fr_viewer)
    response = client.get(f"/best-practices/?{query}")
    assert response.status_code == 200
    assert "More than 1 best practices" in response.content.decode()
    page = response.context["page"]
    assert len(page.object_list) == 3 and not page.has_next()
