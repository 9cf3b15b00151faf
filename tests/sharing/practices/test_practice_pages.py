"""The best-practice library pages: facets that count under the other filters, the
public face without login, endorsements, the search page, and fixed query counts."""

import pytest

from sharing.practices import services as practices
from sharing.practices.filters import PRACTICE_FACETS
from sharing.practices.models import BestPractice, Endorsement
from tests.sharing.conftest import pdf, practice_content

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "title": "Screening brokers of surveillance technology",
        "summary": "How to identify brokers acting for undisclosed end-users.",
        "body": "Ask for the **chain of contracts**.",
        "doc_type": "guidance",
        "topics": ["end-use-checks", "enforcement"],
        "co_authors": ["DK"],
        "audience": "community",
        "public": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def library(make_practice, no_officer, dk_officer, fr_viewer):
    """Five published best practices and one draft, with endorsements."""
    a = make_practice(title="Alpha checklist", topics=["end-use-checks"], doc_type="checklist")
    b = make_practice(
        title="Beta guidance", topics=["end-use-checks", "licensing"], doc_type="guidance"
    )
    c = make_practice(
        title="Gamma guidance", topics=["licensing"], by=dk_officer, doc_type="guidance"
    )
    make_practice(
        title="Delta template",
        topics=["enforcement"],
        doc_type="template",
        audience="community",
        public=True,
    )
    make_practice(title="Epsilon draft", topics=["licensing"], publish=False)
    practices.endorse(a, by=dk_officer, kind="adopted")
    from accounts.models import User

    fi = User.objects.create(username="fi-officer", state_id="FI", role="officer")
    practices.endorse(a, by=fi, kind="endorsed")
    practices.endorse(b, by=fi, kind="endorsed")
    practices.endorse(c, by=no_officer, kind="endorsed")
    return {"a": a, "b": b, "c": c}


def facet(response, key):
    for entry in response.context["facets"]:
        if entry["key"] == key:
            return {str(o["value"]): o["count"] for o in entry["options"]}
    return {}


def titles(response):
    return [p.title for p in response.context["page"].object_list]


def test_facet_counts_follow_the_other_filters(client, library, fr_viewer):
    client.force_login(fr_viewer)
    everything = client.get("/best-practices/")
    assert facet(everything, "topic") == {"end-use-checks": 2, "licensing": 2, "enforcement": 1}
    assert facet(everything, "doc_type") == {"guidance": 2, "checklist": 1, "template": 1}
    assert facet(everything, "endorsed_by") == {"FI": 2, "DK": 1, "NO": 1}

    narrowed = client.get("/best-practices/?topic=licensing")
    assert sorted(titles(narrowed)) == ["Beta guidance", "Gamma guidance"]
    assert facet(narrowed, "doc_type") == {"guidance": 2}  # counted under the topic filter
    assert facet(narrowed, "topic")["end-use-checks"] == 2  # its own facet ignores itself
    assert facet(narrowed, "lead_state") == {"DK": 1, "NO": 1}

    both = client.get("/best-practices/?topic=licensing&endorsed_by=FI")
    assert titles(both) == ["Beta guidance"]
    assert facet(both, "lead_state") == {"NO": 1}


def test_facet_counts_are_cached_until_the_library_changes(client, library, fr_viewer, dk_officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sharing.practices.filters import PRACTICE_FACETS

    client.force_login(fr_viewer)
    with CaptureQueriesContext(connection) as counted:
        first = client.get("/best-practices/")
    with CaptureQueriesContext(connection) as cached:
        again = client.get("/best-practices/")

    def facet_counts(queries):
        return [q for q in queries if "COUNT(DISTINCT" in q["sql"]]

    assert len(facet_counts(counted)) == len(PRACTICE_FACETS)
    assert facet_counts(cached) == []
    assert facet(again, "endorsed_by") == facet(first, "endorsed_by") == {"FI": 2, "DK": 1, "NO": 1}

    practices.endorse(library["b"], by=dk_officer, kind="endorsed")
    assert facet(client.get("/best-practices/"), "endorsed_by") == {"FI": 2, "DK": 2, "NO": 1}
    practices.withdraw_endorsement(library["a"], by=dk_officer)
    assert facet(client.get("/best-practices/"), "endorsed_by") == {"FI": 2, "DK": 1, "NO": 1}
    library["c"].topics.clear()  # a change made outside the services (the admin) too
    assert facet(client.get("/best-practices/"), "topic") == {
        "end-use-checks": 2,
        "licensing": 1,
        "enforcement": 1,
    }


def test_cached_facet_counts_are_each_readers_own(client, library, fr_viewer, no_officer):
    client.force_login(fr_viewer)
    assert facet(client.get("/best-practices/"), "topic")["licensing"] == 2
    client.force_login(no_officer)  # Norway's officers also see its draft
    assert facet(client.get("/best-practices/"), "topic")["licensing"] == 3
    client.logout()  # anyone: the public one only
    assert facet(client.get("/best-practices/"), "topic") == {"enforcement": 1}


def test_sorting(client, library, fr_viewer):
    client.force_login(fr_viewer)
    assert titles(client.get("/best-practices/?sort=endorsed"))[0] == "Alpha checklist"
    assert titles(client.get("/best-practices/?sort=title")) == [
        "Alpha checklist",
        "Beta guidance",
        "Delta template",
        "Gamma guidance",
    ]


def test_the_search_box_narrows_and_ranks(client, library, fr_viewer):
    client.force_login(fr_viewer)
    response = client.get("/best-practices/?q=guidance")
    assert titles(response) == ["Beta guidance", "Gamma guidance"] or titles(response) == [
        "Gamma guidance",
        "Beta guidance",
    ]
    assert facet(response, "doc_type") == {"guidance": 2}


@pytest.mark.parametrize(
    "query",
    [
        "topic=astrology",
        "lead_state=ZZ",
        "doc_type=poem",
        # A NUL is text no PostgreSQL column takes: it must stop at the filter form.
        "topic=a%00b",
        "lead_state=a%00b",
        "endorsed_by=a%00b",
        "doc_type=a%00b",
        "status=a%00b",
        "topic=licensing&endorsed_by=a%00b",
    ],
)
@pytest.mark.parametrize("signed_in", [True, False], ids=["member", "anonymous"])
def test_bad_filters_answer_cleanly(client, library, fr_viewer, query, signed_in):
    if signed_in:
        client.force_login(fr_viewer)
    response = client.get(f"/best-practices/?{query}")
    assert response.status_code == 200
    assert response.context["filters_invalid"] is True
    assert titles(response) == []
    assert "One of the filters is not valid" in response.content.decode()
    key, value = query.rsplit("&", 1)[-1].split("=")
    if key in PRACTICE_FACETS:  # the refused value is still shown, so it can be removed
        assert facet(response, key)[value.replace("%00", "\x00")] == 0


@pytest.mark.parametrize("query", ["page=x", "page=a%00b", "sort=a%00b", "sort=poem"])
def test_bad_page_numbers_and_sorts_fall_back(client, library, fr_viewer, query):
    client.force_login(fr_viewer)
    response = client.get(f"/best-practices/?{query}")
    assert response.status_code == 200
    assert len(titles(response)) == 4


def test_anonymous_visitors_read_only_public_best_practices(client, library):
    listing = client.get("/best-practices/")
    assert titles(listing) == ["Delta template"]
    assert set(listing["Cache-Control"].split(", ")) == {"max-age=300", "public"}
    page = client.get(BestPractice.objects.get(title="Delta template").get_absolute_url())
    content = page.content.decode()
    assert page.status_code == 200
    assert 'content="index, follow"' in content
    assert "Sign out" not in content and "/notices/" not in content  # nothing else of the portal
    assert client.get(library["a"].get_absolute_url()).status_code == 404
    assert client.get("/best-practices/new/").status_code == 302


def test_the_public_page_shows_no_text_of_earlier_versions(
    client, make_practice, no_officer, fr_viewer
):
    practice = make_practice(
        title="Members-only working title",
        summary="Names the Oslo licensing unit.",
        body="Our contact at the unit is **Inspector Hagen**.",
    )
    practices.amend(
        practice,
        by=no_officer,
        change_note="Removed the name of Inspector Hagen before opening it up.",
        material=True,
        title="Screening intermediaries",
        summary="How to screen intermediaries.",
        body="Ask for the chain of contracts.",
        public=True,
    )
    public = client.get(practice.get_absolute_url())
    content = public.content.decode()
    assert public.status_code == 200 and "Screening intermediaries" in content
    # Version 1 was not public: the public does not learn even its date.
    assert "Version 2" in content and "Version 1" not in content
    for earlier in ("Hagen", "Members-only", "Oslo", "What changed", "Material change"):
        assert earlier not in content
    client.force_login(fr_viewer)
    member = client.get(practice.get_absolute_url()).content.decode()
    assert "What changed in version 2" in member and "Inspector Hagen" in member


def test_an_officer_creates_a_best_practice_through_the_form(client, no_officer):
    client.force_login(no_officer)
    response = client.post("/best-practices/new/", form_data(attachments=pdf()))
    practice = BestPractice.objects.get()
    assert response["Location"] == practice.get_absolute_url()
    assert (practice.lead_state_id, practice.status, practice.audience) == (
        "NO",
        "draft",
        "community",
    )
    assert [s.pk for s in practice.co_authors.all()] == ["DK"]
    assert practice.attachments.count() == 1
    client.post(f"/best-practices/{practice.pk}/publish/")
    practice.refresh_from_db()
    assert practice.is_published


def test_publishing_a_public_best_practice_warns_in_bold(client, no_officer, make_practice):
    client.force_login(no_officer)
    public = make_practice(publish=False, public=True, audience="community")
    page = client.get(f"/best-practices/{public.pk}/publish/").content.decode()
    assert "every subscribing and observer state" in page
    assert "<strong>It is also public: anyone can read it without signing in.</strong>" in page
    private = make_practice(publish=False, public=False, title="Internal only")
    page = client.get(f"/best-practices/{private.pk}/publish/").content.decode()
    assert "It is also public" not in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"topics": []}, "topics"),
        ({"doc_type": "poem"}, "doc_type"),
        ({"co_authors": ["NO"]}, "co_authors"),
        ({"audience": "selected"}, "audience"),
    ],
)
def test_bad_input_gets_a_field_error(client, no_officer, overrides, field):
    client.force_login(no_officer)
    response = client.post("/best-practices/new/", form_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not BestPractice.objects.exists()


def test_endorsing_from_the_page(client, make_practice, jp_admin):
    practice = make_practice()
    client.force_login(jp_admin)
    client.post(f"/best-practices/{practice.pk}/endorse/", {"kind": "adopted", "note": ""})
    page = client.get(practice.get_absolute_url())
    assert "1 state endorses or adopted it" in page.content.decode()
    assert page.context["own_endorsement"].kind == "adopted"
    client.post(f"/best-practices/{practice.pk}/endorse/", {"action": "withdraw"})
    assert not Endorsement.objects.exists()


def test_viewers_and_authors_cannot_endorse(client, make_practice, fr_viewer, no_officer):
    practice = make_practice()
    for user in (fr_viewer, no_officer):
        client.force_login(user)
        response = client.post(f"/best-practices/{practice.pk}/endorse/", {"kind": "adopted"})
        assert response.status_code == 403
    assert not Endorsement.objects.exists()


def test_related_best_practices_share_a_topic_and_respect_visibility(
    client, make_practice, fr_viewer
):
    main = make_practice(title="Main", topics=["licensing", "end-use-checks"])
    make_practice(title="Same two topics", topics=["licensing", "end-use-checks"])
    make_practice(title="One topic", topics=["licensing"])
    make_practice(title="Other topic", topics=["enforcement"])
    make_practice(title="Draft on licensing", topics=["licensing"], publish=False)
    client.force_login(fr_viewer)
    related = [p.title for p in client.get(main.get_absolute_url()).context["related"]]
    assert related == ["Same two topics", "One topic"]


def test_co_authors_amend_and_only_the_lead_archives(client, make_practice, dk_officer):
    practice = make_practice(co_authors=["DK"])
    client.force_login(dk_officer)
    data = form_data(
        title="Amended by Denmark",
        change_note="Clarified.",
        material="true",
        co_authors=["DK"],
        audience="subscribing",
        public="",
    )
    assert client.post(f"/best-practices/{practice.pk}/amend/", data).status_code == 302
    practice.refresh_from_db()
    assert (practice.title, practice.version) == ("Amended by Denmark", 2)
    assert client.post(f"/best-practices/{practice.pk}/archive/").status_code == 403


def test_a_co_authors_officer_edits_a_draft_but_cannot_publish_it(
    client, make_practice, dk_officer
):
    draft = make_practice(publish=False, co_authors=["DK"])
    client.force_login(dk_officer)
    page = client.get(f"/best-practices/{draft.pk}/edit/")
    assert page.status_code == 200
    assert page.context["form"]["title"].value() == draft.title
    data = form_data(title="Edited in Copenhagen", audience="subscribing", co_authors=["DK"])
    response = client.post(f"/best-practices/{draft.pk}/edit/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Edited in Copenhagen", "draft")
    assert client.get(f"/best-practices/{draft.pk}/publish/").status_code == 403
    assert client.post(f"/best-practices/{draft.pk}/publish/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert "Edit draft" in detail and "Publish…" not in detail


def test_the_lead_deletes_a_draft_through_its_page(client, make_practice, no_officer):
    draft = make_practice(publish=False, title="Abandoned draft", attachments=[pdf()])
    client.force_login(no_officer)
    page = client.get(f"/best-practices/{draft.pk}/delete/")
    assert page.status_code == 200
    assert "Delete this draft?" in page.content.decode()
    assert "Abandoned draft" in page.content.decode()
    response = client.post(f"/best-practices/{draft.pk}/delete/")
    assert response["Location"] == "/best-practices/"
    assert not BestPractice.objects.exists()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_lead_archives_a_published_best_practice_through_its_page(
    client, make_practice, no_officer, fr_viewer
):
    practice = make_practice()
    client.force_login(no_officer)
    page = client.get(f"/best-practices/{practice.pk}/archive/")
    assert page.status_code == 200 and "Archive this best practice?" in page.content.decode()
    response = client.post(f"/best-practices/{practice.pk}/archive/")
    assert response["Location"] == practice.get_absolute_url()
    practice.refresh_from_db()
    assert practice.status == "archived" and practice.archived_at is not None
    client.force_login(fr_viewer)
    assert "Archived on" in client.get(practice.get_absolute_url()).content.decode()
    # Archived is final: the page sends the lead back to the best practice.
    client.force_login(no_officer)
    again = client.get(f"/best-practices/{practice.pk}/archive/")
    assert again["Location"] == practice.get_absolute_url()


def test_search_page_finds_both_kinds_and_filters(client, make_notice, make_practice, no_viewer):
    make_notice(title="Biometric alert from Denmark")
    make_practice(title="Biometric checklist from Norway")
    client.force_login(no_viewer)
    response = client.get("/search/?q=biometric")
    kinds = sorted(hit.kind for hit in response.context["results"].hits)
    assert kinds == ["best_practice", "notice"]
    assert "<mark>" in response.content.decode()
    only_notices = client.get("/search/?q=biometric&type=notice")
    assert [h.kind for h in only_notices.context["results"].hits] == ["notice"]
    from_norway = client.get("/search/?q=biometric&state=NO")
    assert [h.title for h in from_norway.context["results"].hits] == [
        "Biometric checklist from Norway"
    ]
    assert client.get("/search/?q=biometric&type=rumours").status_code == 400
    assert client.get("/search/?q=biometric&page=99").status_code == 200


@pytest.mark.parametrize("size", [2, 10])
def test_browse_page_query_count_does_not_grow(
    client, make_practice, fr_viewer, dk_officer, size, django_assert_num_queries
):
    for n in range(size):
        practice = make_practice(title=f"Practice {n}", topics=["licensing", "enforcement"])
        practices.endorse(practice, by=dk_officer, kind="endorsed")
    client.force_login(fr_viewer)
    # session, user, count, page, topics of the page, four facets, and the topic filter
    # checked by the page's and three facets' filter forms
    with django_assert_num_queries(14):
        client.get("/best-practices/?topic=licensing")


@pytest.mark.parametrize("size", [2, 10])
def test_browse_page_with_search_sort_and_filter_query_count_does_not_grow(
    client, make_practice, fr_viewer, dk_officer, size, django_assert_num_queries
):
    for n in range(size):
        practice = make_practice(title=f"Interception practice {n}", topics=["licensing"])
        practices.endorse(practice, by=dk_officer, kind="endorsed")
    client.force_login(fr_viewer)
    # session, user, the inbox's unread count, count, page, topics of the page, four
    # facets, and the endorsing state checked by the page's and three facets' forms
    with django_assert_num_queries(14):
        response = client.get("/best-practices/?q=interception&sort=endorsed&endorsed_by=DK")
    assert response.context["page"].paginator.count == size


@pytest.mark.parametrize("size", [2, 10])
def test_public_pages_query_counts_do_not_grow(
    client, make_practice, no_officer, dk_officer, size, django_assert_num_queries
):
    for n in range(size):
        practice = make_practice(
            title=f"Public practice {n}", topics=["licensing"], public=True, attachments=[pdf()]
        )
        practices.endorse(practice, by=dk_officer, kind="endorsed")
        practice = practices.amend(
            practice, by=no_officer, change_note=f"v{n}", material=False, summary=f"Now {n}."
        )
        make_practice(title=f"Members only {n}", topics=["licensing"])
    # no session, no user: count, page, topics of the page, four facets
    with django_assert_num_queries(7):
        listing = client.get("/best-practices/")
    assert listing.context["page"].paginator.count == size
    # the practice and its five prefetches (topics, co-authors, endorsements with their
    # states, attachments, versions), related ones
    with django_assert_num_queries(7):
        detail = client.get(practice.get_absolute_url())
    assert len(detail.context["related"]) == min(size - 1, 5)


@pytest.mark.parametrize("size", [1, 6])
def test_detail_page_query_count_does_not_grow(
    client, make_practice, no_officer, fr_viewer, size, django_assert_num_queries
):
    practice = make_practice(co_authors=["DK"])
    from accounts.models import User

    for n in range(size):
        practice = practices.amend(
            practice,
            by=no_officer,
            change_note=f"v{n}",
            material=False,
            title=f"Title {n}",
            attachments=[pdf(f"f{n}.pdf")],
        )
        endorser = User.objects.create(
            username=f"e{n}", state_id=["FR", "FI", "DE", "ES", "NL", "JP"][n], role="officer"
        )
        practices.endorse(practice, by=endorser, kind="endorsed")
        make_practice(title=f"Related {n}")
    client.force_login(fr_viewer)
    # session, user, the practice and five prefetches, related ones, and the check that
    # the reader's state may endorse (its visibility)
    with django_assert_num_queries(13):
        assert client.get(practice.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [2, 12])
def test_search_page_query_count_does_not_grow(
    client, make_notice, make_practice, no_viewer, size, django_assert_num_queries
):
    for n in range(size):
        make_notice(title=f"Interception alert {n}")
        make_practice(title=f"Interception checklist {n}")
    client.force_login(no_viewer)
    # Session, user; per kind: the newest matches, their ranking, the page's rows and
    # snippets; the audit row of the AMBER notices found; the layout's unread count; the
    # form's list of states. On PostgreSQL, per kind, the planner's settings for the
    # first of these, set and (inside a test's transaction) set back, in a savepoint of
    # their own: 4 more.
    from django.db import connection

    planner = 4 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(13 + 2 * planner):
        client.get("/search/?q=interception")


def test_practice_content_helper():
    assert practice_content(title="x")["title"] == "x"


def test_library_search_filters_every_match_not_a_ranked_few(
    client, make_practice, fr_viewer, monkeypatch
):
    from sharing.common import textsearch

    monkeypatch.setattr(textsearch, "MAX_CANDIDATES", 1)
    make_practice(title="Common newer", topics=["enforcement"], body="common words")
    make_practice(title="Common older", topics=["licensing"], body="common words")
    client.force_login(fr_viewer)
    assert titles(client.get("/best-practices/?q=common&topic=licensing")) == ["Common older"]
    assert client.get("/best-practices/?q=common").context["page"].paginator.count == 2


def test_signed_in_pages_are_never_cached_for_others(client, make_practice, fr_viewer):
    make_practice(public=True)
    client.force_login(fr_viewer)
    response = client.get("/best-practices/")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_a_filter_in_force_stays_visible_when_it_matches_nothing(client, library, fr_viewer):
    client.force_login(fr_viewer)
    response = client.get("/best-practices/?topic=licensing&doc_type=template")
    assert titles(response) == []
    assert facet(response, "topic")["licensing"] == 0
    assert facet(response, "doc_type")["template"] == 0
    assert 'aria-current="true"' in response.content.decode()
    topic = next(f for f in response.context["facets"] if f["key"] == "topic")
    assert [o["label"] for o in topic["options"] if o["selected"]] == ["Licensing"]


def test_a_very_long_search_is_cut_not_refused(client, fr_viewer):
    client.force_login(fr_viewer)
    assert client.get("/search/?q=" + "日本" * 3000).status_code == 200


def test_renaming_a_topic_reindexes_its_best_practices(
    client, make_practice, staff_user, fr_viewer
):
    from sharing.practices.models import Topic
    from sharing.search import engine as search

    make_practice(title="Tagged", topics=["enforcement"])
    topic = Topic.objects.get(slug="enforcement")
    client.force_login(staff_user)
    client.post(
        f"/admin/sharing/topic/{topic.pk}/change/",
        {
            "name": "Investigations and penalties",
            "slug": "enforcement",
            "description": "",
            "position": 4,
        },
    )
    assert [h.title for h in search.search(fr_viewer, "penalties").hits] == ["Tagged"]
