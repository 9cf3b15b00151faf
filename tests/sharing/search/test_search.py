"""One search over notices and best practices, on PostgreSQL (weighted vectors, trigram
substring matching) and on SQLite (substring fallback), through visible_to."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sharing.common import textsearch
from sharing.notices import services as notices
from sharing.notices.models import Notice
from sharing.search import engine as search
from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db


def titles(user, query, **kwargs):
    return [hit.title for hit in search.search(user, query, **kwargs).hits]


def test_a_title_match_ranks_above_a_body_only_match(make_notice, no_viewer):
    make_notice(title="Background on exporters", body="Watch for **spyware** resellers.")
    make_notice(title="Spyware reseller in a free zone", body="Nothing else here.")
    assert titles(no_viewer, "spyware") == [
        "Spyware reseller in a free zone",
        "Background on exporters",
    ]


def test_entity_names_and_control_codes_find_the_notice(make_notice, no_viewer):
    make_notice(title="Alert one", entities=[{"name": "Halcyon Signals Ltd"}])
    make_notice(title="Alert two", control_codes=["5A001.j"])
    assert titles(no_viewer, "Halcyon") == ["Alert one"]
    assert titles(no_viewer, "5A001.j") == ["Alert two"]


def test_country_names_find_notices_about_that_country(make_notice, no_viewer):
    make_notice(title="Transshipment", countries_of_concern=["MM"])
    assert titles(no_viewer, "Myanmar") == ["Transshipment"]


@pytest.mark.parametrize(
    ("body", "query"),
    [
        ("監視ソフトウェアの輸出審査では最終需要者を確認する。", "監視"),
        ("감시 소프트웨어 수출 심사에서 최종 사용자를 확인한다.", "감시"),
        ("Prüfung der Endverwendung durch das Bundesamt.", "Endverwendung"),
    ],
    ids=["japanese", "korean", "german"],
)
def test_a_word_in_any_script_finds_the_item(make_practice, jp_viewer, body, query):
    make_practice(title="Guidance", body=body, audience="community")
    hits = search.search(jp_viewer, query).hits
    assert [hit.title for hit in hits] == ["Guidance"]
    assert f"<mark>{query}</mark>" in hits[0].snippet


@pytest.mark.parametrize(
    "query",
    [
        '"free zone"',
        "spyware OR broker",
        "spyware -broker",
        "-",
        '"',
        "''",
        "&&|!()",
        "éèêë",
        "ÉCHRI",
        "x" * 5000,
        "a\x00b\x07c",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%_%",
        "\\",
        ":*",
        "!!!",
        "   ",
    ],
)
def test_odd_queries_never_fail(make_notice, no_viewer, query):
    make_notice(title="Spyware broker in a free zone")
    results = search.search(no_viewer, query)
    assert results.total >= 0
    for hit in results.hits:
        assert "<script>" not in hit.snippet


def test_phrases_and_exclusions(make_notice, no_viewer):
    make_notice(title="Spyware broker in a free zone")
    make_notice(title="Spyware maker")
    assert titles(no_viewer, "spyware -broker") == ["Spyware maker"]
    assert titles(no_viewer, '"free zone"') == ["Spyware broker in a free zone"]


@pytest.mark.parametrize("window", [1, 1000])
def test_phrases_are_found_beyond_the_newest_rows_holding_their_words(
    make_notice, no_viewer, monkeypatch, window
):
    # PostgreSQL tests a phrase's word order only on the newest rows holding its words
    # (PHRASE_WINDOW); older rows are found by the substring match that fills in.
    monkeypatch.setattr(textsearch, "PHRASE_WINDOW", window)
    make_notice(title="Broker in a free zone", body="An end-user statement was forged.")
    make_notice(title="Zone of free trade", body="The user said it was the end.")
    make_notice(title="Free transit through the zone", body="User at the end of the chain.")
    assert titles(no_viewer, '"free zone"') == ["Broker in a free zone"]
    assert titles(no_viewer, "end-user") == ["Broker in a free zone"]
    assert titles(no_viewer, '"free zone" end-user') == ["Broker in a free zone"]
    if connection.vendor == "postgresql":  # SQLite's substring match has no "or"
        assert titles(no_viewer, '"free transit" or "free zone"') == [
            "Free transit through the zone",
            "Broker in a free zone",
        ]


def test_search_shows_only_what_may_be_read(make_notice, make_practice, fr_viewer, no_viewer):
    make_notice(title="Interception to Norway", audience="selected", recipient_states=["NO"])
    make_notice(title="Interception draft", publish=False)
    make_practice(title="Interception checklist")
    assert titles(fr_viewer, "interception") == ["Interception checklist"]
    assert sorted(titles(no_viewer, "interception")) == [
        "Interception checklist",
        "Interception to Norway",
    ]


def test_restricted_notices_show_no_text_in_results(make_notice, no_viewer):
    from portal.models import AuditEntry

    make_notice(
        title="Red alert",
        tlp="red",
        audience="selected",
        recipient_states=["NO"],
        body="Source NIGHTJAR says spyware.",
    )
    hits = search.search(no_viewer, "spyware").hits
    assert [hit.title for hit in hits] == ["Red alert"]
    assert hits[0].snippet == ""
    assert not AuditEntry.objects.filter(action="notice.viewed").exists()


def test_snippets_are_escaped_with_only_marks_as_markup(make_notice, no_viewer):
    make_notice(title="Alert", tlp="green", body="The <b>reseller</b> said: spyware & more")
    snippet = search.search(no_viewer, "spyware").hits[0].snippet
    assert "<b>" not in snippet
    assert "<mark>spyware</mark>" in snippet.lower() or "<mark>Spyware</mark>" in snippet


def test_results_can_be_limited_to_one_kind_and_filtered(make_notice, make_practice, no_viewer):
    from sharing.notices.models import Notice

    make_notice(title="Biometric alert", severity="critical")
    make_notice(title="Biometric note", severity="low")
    make_practice(title="Biometric checklist")
    assert titles(no_viewer, "biometric", kinds=("best_practice",)) == ["Biometric checklist"]
    critical = Notice.objects.filter(severity="critical")
    assert titles(no_viewer, "biometric", kinds=("notice",), querysets={"notice": critical}) == [
        "Biometric alert"
    ]


@pytest.mark.postgres
def test_postgresql_uses_the_weighted_vector(make_notice, no_viewer):
    if connection.vendor != "postgresql":
        from tests.conftest import require_or_skip

        require_or_skip("the weighted tsvector exists on PostgreSQL")
    notice = make_notice(title="Licensing of monitoring centres")
    from sharing.notices.models import Notice

    vector = Notice.objects.values_list("search_vector", flat=True).get(pk=notice.pk)
    assert "'licens':1A" in vector  # stemmed, weighted A (title)
    # English stemming: "licences" finds "Licensing" through the vector.
    assert titles(no_viewer, "licensing") == ["Licensing of monitoring centres"]


def test_search_text_follows_amendments(make_notice, dk_officer, no_viewer):

    notice = make_notice(title="First title")
    notices.amend(
        notice, by=dk_officer, change_note="Renamed", material=False, title="Renamed after review"
    )
    assert titles(no_viewer, "Renamed") == ["Renamed after review"]
    assert titles(no_viewer, "First") == []


def test_notice_content_helper_is_searchable_by_summary(make_notice, no_viewer):
    make_notice(**notice_content(title="X", summary="Zanzibar transshipment route"))
    assert titles(no_viewer, "Zanzibar") == ["X"]


def test_excluding_a_word_keeps_longer_words_that_contain_it(make_notice, no_viewer):
    make_notice(title="Harm to journalists", tlp="green")
    make_notice(title="Arm of the security service", tlp="green")
    remaining = titles(no_viewer, "journalists OR service -arm")
    if connection.vendor == "postgresql":
        assert remaining == ["Harm to journalists"]
    else:  # the substring fallback excludes both
        assert "Arm of the security service" not in remaining


# --- best practices, and the indexes behind it all -------------------------------------------


def require_postgresql(reason: str) -> None:
    if connection.vendor != "postgresql":
        from tests.conftest import require_or_skip

        require_or_skip(reason)


@pytest.mark.postgres
@pytest.mark.parametrize("query", ["intermediary", "intermediaries"], ids=["word", "stemmed"])
def test_a_best_practice_title_match_ranks_above_summary_above_body(
    client, make_practice, fr_viewer, query
):
    require_postgresql("ranking by the weighted tsvector is PostgreSQL's")
    # Made oldest first, so that "newest first" would give the opposite order.
    make_practice(title="Intermediary screening", summary="How to screen.", body="Ask.")
    make_practice(title="Screening guide", summary="For each intermediary.", body="Ask.")
    make_practice(title="Screening notes", summary="How to screen.", body="Ask the intermediary.")
    expected = ["Intermediary screening", "Screening guide", "Screening notes"]
    # "intermediaries" is no substring of the text: only the vector's weights rank it.
    assert titles(fr_viewer, query) == expected
    client.force_login(fr_viewer)
    page = client.get("/best-practices/", {"q": query})
    assert [p.title for p in page.context["page"].object_list] == expected


# The vector indexes (0005; with the publication date since 0028, for the recent window),
# and the trigram indexes on the stored folded text (0011; 0008 had them on an expression
# folding the text as it is).
FOLDED_TRIGRAMS = "USING gin (search_folded gin_trgm_ops)"
VECTOR_AND_DATE = "USING gin (search_vector, published_at)"
INDEXES = {
    "notice_search_vector": ("sharing_notice", VECTOR_AND_DATE),
    "practice_search_vector": ("sharing_bestpractice", VECTOR_AND_DATE),
    "notice_search_folded": ("sharing_notice", FOLDED_TRIGRAMS),
    "practice_search_folded": ("sharing_bestpractice", FOLDED_TRIGRAMS),
}


@pytest.mark.postgres
def test_the_search_indexes_exist(db):
    require_postgresql("the GIN and trigram indexes are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(INDEXES)],
        )
        found = {name: (table, definition) for name, table, definition in cursor.fetchall()}
    assert set(found) == set(INDEXES)
    for name, (table, using) in INDEXES.items():
        assert found[name][0] == table
        assert found[name][1].endswith(using), found[name][1]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        ("interception", {"practice_search_vector", "practice_search_folded"}),
        ("監視", {"practice_search_vector"}),  # its letter pairs, in the vector
        ("IT", {"practice_search_vector"}),  # too short for a substring: a word only
    ],
    ids=["word", "unspaced", "short"],
)
def test_the_planner_can_serve_a_search_from_the_indexes(make_practice, fr_viewer, query, indexes):
    require_postgresql("the GIN and trigram indexes are PostgreSQL's")
    from sharing.practices.models import BestPractice

    matches = textsearch.matching(BestPractice.objects.all(), textsearch.parse(query))
    sql, params = matches.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    used = {name for name in ("practice_search_vector", "practice_search_folded") if name in plan}
    assert used == indexes, plan
    assert "Seq Scan" not in plan


@pytest.mark.parametrize(
    ("body", "query", "marked"),
    [
        ("Une évaluation préalable des risques.", "evaluation", "évaluation"),
        ("Prüfung der Endverwendung.", "Prufung", "Prüfung"),
        ("An evaluation of the end use.", "évaluation", "evaluation"),
        ("DIE PRÜFUNG DER ENDVERWENDUNG.", "prüfung", "PRÜFUNG"),
        ("Die Pru\u0308fung, zerlegt geschrieben.", "Prufung", "Pru\u0308fung"),
        ("Kontrol af slutbrugere i København.", "Kobenhavn", "København"),
    ],
    ids=["french", "german", "accent-typed", "upper-case", "decomposed", "danish"],
)
def test_accents_need_not_be_typed(client, make_practice, fr_viewer, body, query, marked):
    make_practice(title="Guidance", body=body, summary="How it is done.")
    make_practice(title="Other", body="Nothing of the sort.", summary="Something else.")
    hits = search.search(fr_viewer, query).hits
    assert [hit.title for hit in hits] == ["Guidance"]
    assert f"<mark>{marked}</mark>" in hits[0].snippet  # as written, not as typed
    client.force_login(fr_viewer)
    page = client.get("/best-practices/", {"q": query})
    assert [p.title for p in page.context["page"].object_list] == ["Guidance"]


def test_an_accented_title_still_outranks_a_body_match(make_practice, fr_viewer):
    make_practice(title="Guidance", body="Une évaluation des risques.")
    make_practice(title="Évaluation des risques", body="Rien.")
    assert titles(fr_viewer, "evaluation") == ["Évaluation des risques", "Guidance"]


def test_accent_patterns_fold_latin_and_greek_only():
    import re

    def finds(term, text):
        return bool(re.search(textsearch.accent_pattern(term), text, re.I))

    assert finds("cafe", "CAFÉ") and finds("café", "cafe") and finds("lodz", "Łódź")
    assert finds("αθηνα", "Αθήνα")
    assert not finds("カイト", "ガイド")  # a voicing mark makes another letter
    assert not finds("a.b", "axb") and finds("a.b", "a.b")  # the rest is taken literally


def test_the_folded_text_has_no_case_and_no_latin_or_greek_accents():
    assert textsearch.fold("Prüfung, Pru\u0308fung") == "prufung, prufung"
    assert textsearch.fold("ŁÓDŹ København ΑΘΉΝΑ") == "lodz kobenhavn αθηνα"
    assert textsearch.fold("ガイド 감시를") == "ガイド 감시를"  # other scripts as they are


def test_unspaced_scripts_are_indexed_by_letter_pairs():
    assert textsearch.letter_pairs("Der 監視ソフト und 감시") == sorted(
        ["監視", "視ソ", "ソフ", "フト", "ト", "감시", "시"]
    )
    assert textsearch.letter_pairs("Nothing to pair") == []


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("감시", True),  # two letters, with a particle after them in the text
        ("監", True),  # one letter
        ("視ソフト", True),
        ("監視ソ", False),  # every pair is in the text, but not in one run
        ("監視ト", False),
    ],
)
def test_unspaced_terms_are_matched_as_substrings(make_practice, jp_viewer, query, found):
    make_practice(title="Guidance", body="감시를 강화한다. 監視 視ソフト", audience="community")
    assert titles(jp_viewer, query) == (["Guidance"] if found else [])


def test_search_fields_follow_the_content(make_notice, dk_officer, no_viewer):
    from sharing.notices.models import Notice

    notice = make_notice(title="Überwachung am Flughafen")
    notices.amend(
        notice, by=dk_officer, change_note="Japanese title", material=False, title="監視センター"
    )
    folded = Notice.objects.values_list("search_folded", flat=True).get(pk=notice.pk)
    assert folded.startswith("監視センター\n") and "uberwachung" not in folded
    assert titles(no_viewer, "センタ") == ["監視センター"]
    assert titles(no_viewer, "uberwachung") == []


def test_a_common_word_ranks_only_the_newest_matches(make_notice, no_viewer, monkeypatch):
    monkeypatch.setattr(textsearch, "MAX_CANDIDATES", 2)
    make_notice(title="Oldest about spyware", body="Spyware.")
    make_notice(title="Older", body="Some spyware.")
    make_notice(title="Newest", body="Spyware again.")
    results = search.search(no_viewer, "spyware", kinds=("notice",))
    assert [hit.title for hit in results.hits] == ["Newest", "Older"]
    assert results.capped and results.total == 2


@pytest.mark.parametrize("window", [1, 2, 3, 4, 6, 50])
def test_the_newest_matches_are_the_same_from_the_recent_window_or_beyond(
    make_notice, dk_officer, no_viewer, monkeypatch, window
):
    """A common word's newest matches come from the newest ``RECENT_WINDOW`` notices when
    those hold enough of them; where they hold too few (a rarer word, a reader who sees
    few of them), from the older ones and the unpublished too. Either way, the very same
    rows as the newest of all the matches the reader may see."""
    monkeypatch.setattr(textsearch, "MAX_CANDIDATES", 2)
    monkeypatch.setattr(textsearch, "RECENT_WINDOW", window)
    to_norway = {"audience": "selected", "recipient_states": ["NO"]}
    to_finland = {"audience": "selected", "recipient_states": ["FI"]}
    make_notice(title="Old spyware broker", body="Spyware.", **to_norway)
    make_notice(title="Spyware reseller", body="Spyware again.", **to_norway)
    make_notice(title="Nothing of the kind", body="Cameras.", **to_norway)
    make_notice(title="Spyware for Finland", body="Spyware.", **to_finland)
    make_notice(title="Spyware, newest", body="Spyware.", **to_finland)
    make_notice(title="Cameras again", body="Cameras.", **to_norway)
    make_notice(title="A draft on spyware", body="Spyware.", publish=False)
    for reader, query in [
        (no_viewer, "spyware"),
        (no_viewer, "reseller"),
        (no_viewer, "spyware -broker"),
        (no_viewer, "cameras"),
        (dk_officer, "spyware"),  # the author: every published one, and the draft
        (dk_officer, "draft"),
    ]:
        parsed = textsearch.parse(query)
        visible = Notice.objects.visible_to(reader)
        every_match = textsearch.matching(visible, parsed).order_by(*textsearch.NEWEST_FIRST)
        newest = set(every_match.values_list("pk", flat=True)[:2])
        assert newest, query
        assert {pk for _s, _p, pk in textsearch.candidates(visible, parsed)} == newest, query


@pytest.mark.postgres
def test_a_words_newest_matches_are_looked_for_in_the_recent_window_first(make_notice, no_viewer):
    """The union looks among the newest rows first, then among the rest (the results
    alone cannot tell: they are the same either way). Which index PostgreSQL takes
    depends on the data's size; at 100,000 notices it is the vector's, dates included
    (docs/architecture.md, "Search")."""
    require_postgresql("the window narrows the vector's matches, which are PostgreSQL's")
    make_notice(title="Spyware offered to police", body="Spyware.")
    union = candidates_union(Notice.objects.visible_to(no_viewer), "spyware")[1]
    first, rest, *_substrings = union.split(" UNION ALL ")
    assert '"sharing_notice"."published_at" >= (COALESCE((SELECT' in first
    assert 'COALESCE("sharing_notice"."published_at" < COALESCE((SELECT' in rest


@pytest.mark.postgres
@pytest.mark.parametrize("recent", [1, 2, 3, 5, 50])
def test_a_phrases_newest_matches_are_the_same_through_the_recent_window(
    make_notice, dk_officer, no_viewer, monkeypatch, recent
):
    """The newest rows holding a phrase's words, on which its word order is tested, are
    looked for among the newest ``RECENT_WINDOW`` notices first: the same rows, and so
    the same matches, as from every notice at once."""
    require_postgresql("phrases are tested on the vectors, which are PostgreSQL's")
    monkeypatch.setattr(textsearch, "MAX_CANDIDATES", 2)
    monkeypatch.setattr(textsearch, "PHRASE_WINDOW", 3)
    to_norway = {"audience": "selected", "recipient_states": ["NO"]}
    make_notice(title="Free zone broker", body="An end-user statement.", **to_norway)
    make_notice(title="Zone of free trade", body="The user at the end.", **to_norway)
    # The phrase's words in a row, which no substring "free zone" finds: only the test
    # of the word order in the window does.
    make_notice(title="A free-zone again", body="Forged end-user papers.")
    make_notice(title="Free transit, zone", body="End of the user chain.", **to_norway)
    make_notice(
        title="Free zone for Finland",
        body="End-user.",
        audience="selected",
        recipient_states=["FI"],
    )
    make_notice(title="The newest free zone", body="No end-user named.", **to_norway)
    make_notice(title="A draft on a free zone", body="End-user.", publish=False)
    queries = ['"free zone"', "end-user", '"free zone" end-user', '"zone free"']
    readers = [no_viewer, dk_officer]  # dk_officer wrote them all, the draft too

    def found():
        return {
            (reader.username, query): [
                pk
                for _s, _p, pk in textsearch.candidates(
                    Notice.objects.visible_to(reader), textsearch.parse(query)
                )
            ]
            for reader in readers
            for query in queries
        }

    for query in queries:  # each is tested in a window
        assert textsearch._phrase_window(Notice.objects.all(), textsearch.parse(query))
    monkeypatch.setattr(textsearch, "RECENT_WINDOW", recent)
    through_the_window = found()
    with monkeypatch.context() as every_row_at_once:
        every_row_at_once.setattr(textsearch, "_recent_first", lambda matches: [matches])
        assert found() == through_the_window
    assert len(through_the_window[no_viewer.username, '"free zone"']) == 2
    assert through_the_window[no_viewer.username, '"zone free"'] == []


@pytest.mark.postgres
def test_a_phrase_is_tested_on_the_recent_window_first_and_a_code_not_at_all(
    make_notice, no_viewer
):
    """A phrase's word order is tested on the newest rows holding its words, found among
    the newest notices first; a control code is one word to PostgreSQL however it is
    written, found by the vector's index alone, with no row's vector read."""
    require_postgresql("phrases are tested on the vectors, which are PostgreSQL's")
    make_notice(title="End-user certificate", control_codes=["5A002.a.1"])
    visible = Notice.objects.visible_to(no_viewer)
    for query, phrase in [("end-user", True), ("5A002.a.1", False), ('"5A002.a.1"', False)]:
        found, union = candidates_union(visible, query)
        assert len(found) == 1, query
        assert ("sharing_phrase_test" in union) is phrase, query
        if phrase:
            window = union.split(" UNION ALL ")[0]
            assert '"published_at" >= (COALESCE((SELECT' in window, query
            # The newest PHRASE_WINDOW of both looks together, not of each.
            limit = f"LIMIT {textsearch.PHRASE_WINDOW}"
            assert f"{limit}) {limit})" in union, query


def candidates_union(queryset, query: str) -> tuple[list, str]:
    """What ``candidates`` finds for ``query``, and the SQL of its UNION ALL."""
    with CaptureQueriesContext(connection) as queries:
        found = textsearch.candidates(queryset, textsearch.parse(query))
    [union] = [q["sql"] for q in queries if q["sql"].startswith("(SELECT")]
    return found, union


def test_the_migration_brings_existing_rows_up_to_date(make_practice, jp_viewer):
    import importlib

    from django.apps import apps

    from sharing.practices.models import BestPractice

    migration = importlib.import_module("sharing.migrations.0011_search_folded")
    practice = make_practice(title="Guidance", body="監視ソフト. Évaluation.", audience="community")
    BestPractice.objects.filter(pk=practice.pk).update(search_folded="")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the vector as 0005 made it: words only
            cursor.execute(
                "UPDATE sharing_bestpractice SET search_vector = to_tsvector('english', "
                "search_text) WHERE id = %s",
                [practice.pk],
            )
        assert titles(jp_viewer, "視ソ") == titles(jp_viewer, "evaluation") == []
    migration._refresh(apps.get_model("sharing", "BestPractice"), connection)
    assert titles(jp_viewer, "視ソ") == titles(jp_viewer, "evaluation") == ["Guidance"]
    folded = BestPractice.objects.values_list("search_folded", flat=True).get(pk=practice.pk)
    assert folded.startswith("guidance\n")
