"""What people type, through both pages that search: the search page and the library's
search box. Whatever it is, they answer; the same query means the same on both."""

import pytest

from sharing.practices.views import SEARCH_SORTS

pytestmark = pytest.mark.django_db

ODD_QUERIES = [
    '"free zone"',
    '"unbalanced quote',
    "'",
    "spyware <-> broker",
    "<->",
    "spy:*",
    ":*",
    "((spyware",
    "spyware)) OR (",
    "!(&|",
    "éèêë",
    "Évaluation préalable",
    "x" * 5000,
    "spy\u200bware",  # a zero-width space inside a word
    "\u200b\u200d\ufeff",
    "\U0001d530\U0001d52d\U0001d536 🛰️",  # astral characters: Fraktur "spy", a satellite
    "\U0010fffd",
    "\x1b[31m",
    "%_%",
    "\\",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "-",
    "or and -",
    "   ",
]


@pytest.fixture
def library_and_notice(make_practice, make_notice):
    make_practice(title="Spyware broker in a free zone", body="Évaluation préalable des <b>.")
    make_notice(title="Spyware broker seen in a free zone", tlp="green")


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_never_fail_on_either_page(client, library_and_notice, no_viewer, query):
    client.force_login(no_viewer)
    search = client.get("/search/", {"q": query})
    assert search.status_code == 200
    assert "<script>alert" not in search.content.decode()
    for sort in SEARCH_SORTS:
        library = client.get("/best-practices/", {"q": query, "sort": sort})
        assert library.status_code == 200, sort
        assert "<script>alert" not in library.content.decode()


def test_bytes_that_are_not_utf_8_are_read_not_refused(client, library_and_notice, no_viewer):
    client.force_login(no_viewer)
    assert client.get("/search/?q=%ED%A0%80%FFspyware").status_code == 200
    assert client.get("/best-practices/?q=%ED%A0%80%FFspyware&sort=title").status_code == 200


def test_a_nul_in_the_library_search_is_ignored(client, make_practice, fr_viewer):
    make_practice(title="Broker screening", body="Screen each broker.")
    make_practice(title="Licence conditions", body="Conditions of each licence.")
    client.force_login(fr_viewer)
    response = client.get("/best-practices/?q=broker%00screening")
    assert response.status_code == 200
    assert [p.title for p in response.context["page"].object_list] == ["Broker screening"]
    assert response.context["q"] == "broker screening"
    # The library's search box and its sort form carry the query on as it was read.
    assert response.content.decode().count('value="broker screening"') == 2


def test_a_nul_in_the_search_page_is_ignored_too(client, make_practice, fr_viewer):
    make_practice(title="Broker screening", body="Screen each broker.")
    make_practice(title="Licence conditions", body="Conditions of each licence.")
    client.force_login(fr_viewer)
    response = client.get("/search/?q=broker%00screening")
    assert response.status_code == 200
    assert [hit.title for hit in response.context["results"].hits] == ["Broker screening"]


def test_the_search_page_says_when_only_the_newest_matches_are_ranked(
    client, make_practice, fr_viewer, monkeypatch
):
    from sharing.common import textsearch

    make_practice(title="Older checklist on interception")
    make_practice(title="Newer checklist on interception")
    client.force_login(fr_viewer)
    page = client.get("/search/", {"q": "interception"})
    assert "the newest of them are ranked" not in page.content.decode()
    monkeypatch.setattr(textsearch, "MAX_CANDIDATES", 1)
    page = client.get("/search/", {"q": "interception"})
    assert [hit.title for hit in page.context["results"].hits] == [
        "Newer checklist on interception"
    ]
    assert "the newest of them are ranked" in page.content.decode()
