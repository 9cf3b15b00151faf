# Names in Cyrillic, Greek and full-width letters are what these tests are about.
# ruff: noqa: RUF001, RUF003
"""The screening matcher (sharing.screening): pure functions, no database."""

import hypothesis
import pytest
from django.utils import translation
from hypothesis import strategies as st

from sharing.denials import screening
from sharing.denials.screening import (
    DEFAULT_THRESHOLD,
    NAME_GATE,
    DenialFacts,
    PartyFacts,
    Transaction,
    name_key,
    name_similarity,
    prepare,
    screen,
)


def denial(id, *parties, control_entry="5A001.j", catch_all=False):
    """A denial with the given parties (PartyFacts, or names for end-users)."""
    return DenialFacts(
        id=id,
        parties=tuple(
            p if isinstance(p, PartyFacts) else PartyFacts(role="end_user", name=p) for p in parties
        ),
        control_entry="" if catch_all else control_entry,
        catch_all=catch_all,
        item_description="IMSI catcher",
    )


def end_user(name, *aliases, country=""):
    return PartyFacts(role="end_user", name=name, aliases=aliases, country=country)


def consignee(name, *aliases, country=""):
    return PartyFacts(role="consignee", name=name, aliases=aliases, country=country)


# --- Names that must match, and names that must not --------------------------------------

POSITIVE = [
    # (entered, denied, why)
    ("Nimbus Intercept", "Nimbus Intercept Ltd", "legal form dropped"),
    ("Intercept Nimbus", "Nimbus Intercept", "word order"),
    ("NIMBUS intercept", "nimbus INTERCEPT", "case"),
    ("Société Générale", "Societe Generale", "accents"),
    ("Müller GmbH", "Mueller AG", "umlaut as ue, two legal forms"),
    ("Muller", "Müller", "umlaut stripped"),
    ("A.B.C. Systems", "ABC Systems", "initials with dots"),
    ("Nimbus-Intercept", "Nimbus Intercept", "hyphen"),
    ("NimbusIntercept", "Nimbus Intercept", "spacing"),
    ("Smith & Wesson", "Smith and Wesson", "ampersand"),
    ("Nimbus Intercept L.L.C.", "Nimbus Intercept", "L.L.C."),
    ("Nimbus Intercept Co., Ltd.", "Nimbus Intercept", "Co., Ltd."),
    ("Nimbus Intercept S.r.l.", "Nimbus Intercept SpA", "S.r.l. / SpA"),
    ("Nimbus Intercept Pty Ltd", "Nimbus Intercept Sdn Bhd", "Pty Ltd / Sdn Bhd"),
    ("Nimbus Intercept A/S", "Nimbus Intercept AB", "A/S / AB"),
    ("Nimbus Intercept FZE", "Nimbus Intercept FZCO", "FZE / FZCO"),
    ("Nimbus Intercept GmbH & Co. KG", "Nimbus Intercept", "GmbH & Co. KG"),
    ("S.A.R.L. Nimbus Intercept", "Nimbus Intercept SAS", "legal form in front"),
    ("AB Volvo", "Volvo", "Swedish AB as prefix"),
    ("ＮＩＭＢＵＳ　ＩＮＴＥＲＣＥＰＴ", "Nimbus Intercept", "full-width letters"),
    ("Nimbus Intersept", "Nimbus Intercept", "c/s spelling"),
    ("Nimbus Intercpet", "Nimbus Intercept", "typo: transposition"),
    ("Nimbus Intercept Technologies", "Nimbus Intercept", "extra generic word"),
    ("Zhukov Trading", "Joukov Trading", "zh/j, ou/u"),
    ("Khalid Systems", "Halid Systems", "kh/h"),
    ("Philips Vision", "Filips Vision", "ph/f"),
    ("Yuri Volkov", "Iurii Wolkow", "y/i, w/v, doubled letters"),
    ("Dzhamal Export", "Djamal Export", "dzh/dj"),
    ("Mohammed Al-Rashid", "Muhammad Al Rashid", "vowel variants"),
    ("Mohamad Alrashid", "Mohammed Al-Rashid", "article written together"),
    ("ООО «Нимбус Интерсепт»", "Nimbus Intercept LLC", "Cyrillic with ООО"),
    ("Нимбус Интерсепт", "Nimbus Intercept", "Cyrillic"),
    ("АО Щукин Системс", "Shchukin Systems JSC", "Cyrillic щ, АО / JSC"),
    ("Νίμπους Α.Ε.", "Nimbus SA", "Greek with its digraphs, Α.Ε."),
    ("شركة نمبوس انترسبت ذ.م.م", "Nimbus Intercept LLC", "Arabic, legal forms in Arabic"),
    ("محمد الرشيد", "Mohammed Al-Rashid", "Arabic personal name"),
    ("株式会社日本監視技研", "日本監視技研", "Japanese, 株式会社 in front"),
    ("日本 監視技研(株)", "日本監視技研", "Japanese, space and (株)"),
    ("㈱日本監視技研", "日本監視技研株式会社", "Japanese, ㈱ and 株式会社 behind"),
    ("日本監視技研有限会社", "（株）日本監視技研", "有限会社, full-width parentheses"),
    ("주식회사 한국감시", "한국감시", "Korean, 주식회사"),
    ("(주)한국감시", "한국감시 주식회사", "Korean, (주) and 주식회사"),
    ("㈜한국감시", "한국감시", "Korean, ㈜"),
    ("Hanguk Gamsi Co., Ltd.", "주식회사 한국감시", "Korean romanised"),
    ("深圳监控科技有限公司", "深圳监控科技", "Chinese, 有限公司"),
    ("Shenzhen Jiankong Keji", "深圳监控科技有限公司", "Chinese in pinyin"),
]

NEGATIVE = [
    # (entered, denied, why)
    ("Nimbus Intercept", "Nimbus Airlines", "one word in common"),
    ("Alpha Systems", "Beta Systems", "only the generic word in common"),
    ("Beta Systems", "Zeta Systems", "one letter apart in a short word"),
    ("BetaSystems", "Zeta Systems", "spacing and a letter"),
    ("Systems", "Alpha Systems", "a generic word alone"),
    ("Nimbus", "Nimbus Intercept", "half of a name"),
    ("Co", "Nimbus Co", "a legal form alone"),
    ("AB", "AB Systems", "very short"),
    ("Al", "Al Rashid", "a particle"),
    ("The Group", "Group Nimbus", "common words"),
    ("Nimbus Intercept", "Cumulus Intercept", "different distinctive word"),
    ("Nimbus Intercept", "Nimbus Interactive", "similar beginning"),
    ("Global Security Systems", "Global Trading Systems", "generic words only"),
    ("Orion Telecom", "Orient Telecom", "near but different"),
    ("ABC", "ABD", "three letters"),
    ("Nimbus 21", "Nimbus 12", "numbers"),
    ("Alpha Systems", "AlphaBeta Systems", "a longer word"),
    ("Kormi Trading", "Kayarmi Trading", "same consonants, not a variant"),
    ("日本監視技研", "日本監視技術", "Japanese, another company"),
    ("한국감시", "한국기술", "Korean, another company"),
    ("株式会社", "有限会社", "legal forms alone"),
    ("Нимбус Интерсепт", "Nimbus Airlines", "Cyrillic, other company"),
    ("شركة الفا", "Beta Systems", "Arabic, other company"),
]


@pytest.mark.parametrize(
    ("entered", "denied"), [p[:2] for p in POSITIVE], ids=[p[2] for p in POSITIVE]
)
def test_names_that_match(entered, denied):
    assert name_similarity(entered, denied) >= 0.8
    assert name_similarity(denied, entered) == name_similarity(entered, denied)
    # ... and screening finds the denial through them.
    matches = screen(Transaction(end_user=entered), [denial(1, end_user(denied))])
    assert [m.denial_id for m in matches] == [1]


@pytest.mark.parametrize(
    ("entered", "denied"), [p[:2] for p in NEGATIVE], ids=[p[2] for p in NEGATIVE]
)
def test_names_that_do_not_match(entered, denied):
    assert name_similarity(entered, denied) < NAME_GATE
    # Not even with the same destination and control entry.
    transaction = Transaction(end_user=entered, destination="AE", control_entry="5A001.j")
    assert screen(transaction, [denial(1, end_user(denied, country="AE"))], threshold=0) == []


def test_name_key_is_the_shared_normal_form():
    assert name_key("Nimbus Intercept Ltd") == name_key("intercept NIMBUS") == "intersept nimbus"
    assert name_key("Société Générale S.A.") == name_key("Societe Generale")
    assert name_key("Müller") == name_key("Mueller") == name_key("Muller")
    assert name_key("株式会社日本監視技研") == name_key("日本 監視技研(株)") == "日本監視技研"
    assert name_key("(주)한국감시") == name_key("한국감시 주식회사") == "한국감시"
    assert name_key("Nimbus Intercept") != name_key("Nimbus Airlines")
    assert name_key("") == name_key(" .,- ") == ""
    # A name made only of a legal form keeps it rather than becoming empty.
    assert name_key("Co.") == "ko"
    assert name_key("株式会社") == "株式会社"


def test_identical_names_are_fully_similar_and_empty_ones_not_at_all():
    assert name_similarity("Nimbus Intercept", "Nimbus Intercept") == 1.0
    assert name_similarity("", "Nimbus") == 0.0
    assert name_similarity("---", "---") == 0.0


# --- Screening -----------------------------------------------------------------------------


DENIALS = [
    denial(
        "dk-1",
        end_user("Nimbus Intercept Ltd", "Nimbus Intercept FZE", country="AE"),
        consignee("Harbour Freight Forwarding LLC", country="CY"),
        control_entry="5A001.j",
    ),
    denial(
        "fr-7",
        end_user("Nimbus Intercept", country="TR"),
        control_entry="4A005",
    ),
    denial(
        "de-3",
        end_user("Nimbus Intercept GmbH", country="AE"),
        control_entry="5A001.f",
    ),
    denial("jp-2", end_user("株式会社日本監視技研", "Nihon Kanshi Giken KK", country="MY")),
    denial("no-9", end_user("Alpha Systems", country="AE"), catch_all=True),
]


def test_a_name_with_destination_and_control_entry_ranks_above_a_name_alone():
    transaction = Transaction(
        end_user="Intercept Nimbus", destination="AE", control_entry="5A001.j"
    )
    matches = screen(transaction, DENIALS)
    assert [m.denial_id for m in matches] == ["dk-1", "de-3", "fr-7"]
    first, second, third = matches
    # fr-7 names another country: 80 − 10.
    assert (first.score, second.score, third.score) == (100, 95, 70)
    assert first.destination and first.control == "entry"
    assert second.destination and second.control == "category"
    assert not third.destination and third.control == ""
    assert all(m.name_percent == 100 for m in matches)


def test_reasons_say_what_matched_and_why():
    transaction = Transaction(
        end_user="Nimbus Intercept Limited",
        consignee="Harbor Freight Forwarding",
        destination="ae",
        control_entry="5a001 J",
    )
    (match,) = [m for m in screen(transaction, DENIALS) if m.denial_id == "dk-1"]
    assert match.reasons == (
        "End-user “Nimbus Intercept Limited” matches end-user “Nimbus Intercept Ltd” (100%)",
        "Consignee “Harbor Freight Forwarding” matches consignee "
        "“Harbour Freight Forwarding LLC” (94%)",
        "Same destination: AE",
        "Same control entry: 5A001.j",
    )
    assert match.matched_names == (
        ("Nimbus Intercept Limited", "Nimbus Intercept Ltd"),
        ("Harbor Freight Forwarding", "Harbour Freight Forwarding LLC"),
    )


def test_reasons_name_the_alias_and_the_category():
    transaction = Transaction(end_user="Nihon Kanshi Giken", control_entry="5A001.b")
    denials = [
        denial(
            1,
            end_user("Nimbus Intercept Ltd", "Nimbus Intercept FZE"),
            control_entry="5A001.j",
        ),
        denial(2, end_user("株式会社日本監視技研", "Nihon Kanshi Giken KK")),
    ]
    (match,) = screen(transaction, denials)
    assert match.reasons == (
        "End-user “Nihon Kanshi Giken” matches alias “Nihon Kanshi Giken KK” of end-user "
        "“株式会社日本監視技研” (100%)",
        "Same control category: 5A001",
    )
    assert match.score == 85


def test_a_japanese_name_entered_matches_a_denial_filed_in_japanese():
    (match,) = screen(Transaction(end_user="日本監視技研(株)"), DENIALS)
    assert match.denial_id == "jp-2"
    assert match.matched_names == (("日本監視技研(株)", "株式会社日本監視技研"),)


def test_a_denied_end_user_is_found_when_it_comes_back_as_consignee():
    transaction = Transaction(consignee="Nimbus Intercept", destination="TR")
    matches = screen(transaction, [denial(1, end_user("Nimbus Intercept", country="TR"))])
    (match,) = matches
    assert match.reasons == (
        "Consignee “Nimbus Intercept” matches end-user “Nimbus Intercept” (100%)",
        "Same destination: TR",
    )


def test_the_destination_counts_for_the_end_users_country_even_through_the_consignee():
    denials = [
        denial(
            1, end_user("Orca Analytics", country="AE"), consignee("Tern Logistics", country="CY")
        )
    ]
    (match,) = screen(Transaction(consignee="Tern Logistics", destination="AE"), denials)
    assert match.destination and "Same destination: AE" in match.reasons
    (match,) = screen(Transaction(consignee="Tern Logistics", destination="CY"), denials)
    assert match.destination
    (match,) = screen(Transaction(consignee="Tern Logistics", destination="TR"), denials)
    assert not match.destination and match.score == 70 and match.conflicts == ("country",)


def test_destination_and_control_entry_alone_never_match():
    transaction = Transaction(end_user="Orca Analytics", destination="AE", control_entry="5A001.j")
    assert screen(transaction, DENIALS, threshold=0) == []
    assert screen(Transaction(destination="AE", control_entry="5A001.j"), DENIALS) == []


def test_a_catch_all_denial_adds_nothing_for_the_control_entry():
    (match,) = screen(Transaction(end_user="Alpha Systems", control_entry="5A001.j"), DENIALS)
    assert match.denial_id == "no-9" and match.control == "" and match.score == 80


@pytest.mark.parametrize(
    ("entered", "denied", "control"),
    [
        ("5A001.j", "5A001.j", "entry"),
        ("5a001j", "5A001.j", "entry"),
        (" 5A001.J ", "5A001.j", "entry"),
        ("5A001", "5A001.j", "category"),
        ("5A001.f", "5A001.j", "category"),
        ("5A002", "5A001.j", ""),
        ("4A005", "4D004", ""),
        ("ML10.a", "ML10.b", "category"),
        ("", "5A001.j", ""),
    ],
)
def test_control_entries(entered, denied, control):
    transaction = Transaction(end_user="Nimbus Intercept", control_entry=entered)
    (match,) = screen(transaction, [denial(1, "Nimbus Intercept", control_entry=denied)])
    assert match.control == control
    assert match.score == 80 + {"entry": 10, "category": 5, "": 0}[control]


def test_the_threshold_filters_by_score():
    transaction = Transaction(end_user="Nimbus Intercept", destination="AE")
    denials = [
        denial(1, end_user("Nimbus Intercept", country="AE"), control_entry="4A005"),
        denial(2, end_user("Nimbus Intercept", country="TR"), control_entry="4A005"),
        denial(3, end_user("Nimbus Intercep", country="TR"), control_entry="4A005"),
    ]
    scores = {m.denial_id: m.score for m in screen(transaction, denials, threshold=0)}
    # 3: "intersep" is one edit from "intersept" (8/9), so the name is (2 + 2 × 8/9) / 4;
    # 2 and 3 are in another country than the destination: 10 points less.
    assert scores == {1: 90, 2: 70, 3: 66}
    assert [m.denial_id for m in screen(transaction, denials)] == [1, 2, 3]
    assert [m.denial_id for m in screen(transaction, denials, threshold=70)] == [1, 2]
    assert [m.denial_id for m in screen(transaction, denials, threshold=90)] == [1]
    assert screen(transaction, denials, threshold=91) == []
    assert screen(transaction, denials, threshold=100) == []


def test_the_default_threshold_needs_backing_for_a_weak_name():
    # Two of three words, one with a typo: (2 + 2 × 8/9) / 5 ≈ 0.756, a 75-79 % name.
    weak = name_similarity("Nimbus Intercep", "Nimbus Intercept Orion")
    assert NAME_GATE <= weak < 0.8
    denials = [denial(1, end_user("Nimbus Intercept Orion", country="AE"))]
    assert screen(Transaction(end_user="Nimbus Intercep"), denials) == []
    (match,) = screen(Transaction(end_user="Nimbus Intercep", destination="AE"), denials)
    assert match.score == 70 >= DEFAULT_THRESHOLD


@pytest.mark.parametrize("threshold", [-1, 101, 50.5, "60", True])
def test_a_threshold_out_of_range_is_refused(threshold):
    with pytest.raises(ValueError, match="threshold"):
        screen(Transaction(end_user="Nimbus"), DENIALS, threshold=threshold)


def test_an_unknown_party_role_is_refused():
    with pytest.raises(ValueError, match="role"):
        prepare([denial(1, PartyFacts(role="broker", name="Nimbus"))])


def test_the_best_name_of_a_denial_counts_once_per_entered_name():
    denials = [
        denial(
            1,
            end_user("Nimbus Intercept", "Nimbus Intercept Ltd", "NIMBUS INTERCEPT LLC"),
            consignee("Nimbus Intercept"),
        )
    ]
    (match,) = screen(Transaction(end_user="Nimbus Intercept"), denials)
    # The end-user's own name, not an alias, not the consignee.
    assert match.matched_names == (("Nimbus Intercept", "Nimbus Intercept"),)
    assert len(match.reasons) == 1


def test_a_prepared_index_gives_the_same_results_as_the_denials():
    transaction = Transaction(end_user="Nimbus Intercept", destination="AE", control_entry="5A001")
    index = prepare(DENIALS)
    assert len(index) == len(DENIALS)
    assert screen(transaction, index) == screen(transaction, DENIALS)
    assert screen(transaction, index) == screen(transaction, iter(DENIALS))
    assert screen(transaction, []) == []


def test_scores_and_order_are_stable():
    transaction = Transaction(end_user="Nimbus Intercept", destination="AE")
    first = screen(transaction, DENIALS)
    screening._forms.cache_clear()
    screening._token_similarity.cache_clear()
    assert screen(transaction, DENIALS) == first
    # Equal scores keep the order the denials were given in.
    same = [denial(n, "Nimbus Intercept") for n in (3, 1, 2)]
    assert [m.denial_id for m in screen(Transaction(end_user="Nimbus Intercept"), same)] == [
        3,
        1,
        2,
    ]


def test_ids_that_cannot_be_hashed_still_screen():
    facts = [denial(["list", "id"], "Nimbus Intercept")]
    (match,) = screen(Transaction(end_user="Nimbus Intercept"), facts)
    assert match.denial_id == ["list", "id"]


def test_reasons_are_translated_into_the_active_language():
    transaction = Transaction(end_user="Nimbus Intercept", destination="AE")
    with translation.override("fr"):
        (match, *_) = screen(transaction, DENIALS)
    assert all(isinstance(reason, str) for reason in match.reasons)
    # The templates are marked for translation (makemessages finds them).
    assert all(
        type(template).__name__ == "__proxy__" for template in screening._NAME_REASONS.values()
    )


def test_many_denials_with_near_and_far_names():
    """A larger set: the right denials come first, unrelated names do not come at all."""
    names = [f"{a} {b}" for a in ("Orca", "Tern", "Heron", "Lynx") for b in ("Optics", "Radar")]
    denials = [denial(i, end_user(f"{name} Ltd", country="AE")) for i, name in enumerate(names)]
    denials.append(denial("near", end_user("Lynex Radar", country="AE")))
    matches = screen(Transaction(end_user="Lynx Radar LLC", destination="AE"), denials)
    assert [m.denial_id for m in matches] == [names.index("Lynx Radar"), "near"]
    assert (matches[0].score, matches[1].score) == (90, 83)


# --- The index finds what a pairwise comparison finds ---------------------------------------


def test_one_index_of_all_the_positive_pairs_finds_each():
    denials = [denial(n, end_user(denied)) for n, (_, denied, _) in enumerate(POSITIVE)]
    index = prepare(denials)
    for n, (entered, _, why) in enumerate(POSITIVE):
        found = {m.denial_id for m in screen(Transaction(end_user=entered), index)}
        assert n in found, why
        # Nothing the pairwise comparison would reject.
        for other in found:
            assert name_similarity(entered, POSITIVE[other][1]) >= NAME_GATE


WORDS = [
    "Nimbus",
    "Intercept",
    "Orion",
    "Vektor",
    "Signal",
    "Mohammed",
    "Khan",
    "Al",
    "Systems",
    "Sistemz",
    "Technologies",
    "Group",
]
OTHER_SCRIPTS = ["Нимбус", "Интерсепт", "Вектор", "نمبوس", "محمد", "خان", "オリオン"]


@st.composite
def spelled(draw):
    """A name of 1-3 words, with typos: letters dropped, doubled, swapped or changed."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))
    spelled_words = []
    for word in words:
        letters = list(word)
        for _ in range(draw(st.integers(0, 2))):
            if len(letters) < 3:
                break
            i = draw(st.integers(0, len(letters) - 2))
            kind = draw(st.sampled_from(["drop", "double", "swap", "change"]))
            if kind == "drop":
                del letters[i]
            elif kind == "double":
                letters.insert(i, letters[i])
            elif kind == "swap":
                letters[i], letters[i + 1] = letters[i + 1], letters[i]
            else:
                letters[i] = draw(st.sampled_from("aeiouksxz"))
        spelled_words.append("".join(letters))
    if draw(st.booleans()):
        spelled_words.append(draw(st.sampled_from(OTHER_SCRIPTS)))
    # Words written together ("NimbusIntercept") or apart.
    name = spelled_words[0]
    for word in spelled_words[1:]:
        name += draw(st.sampled_from([" ", "", "-"])) + word
    return name + draw(st.sampled_from(["", " Ltd", " GmbH", " S.A."]))


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(entered=spelled(), denied=st.lists(spelled(), min_size=1, max_size=12))
@hypothesis.example(entered="Nimbus Intercept Technologies", denied=["NimbusIntercept Systems"])
@hypothesis.example(entered="NimbusIntercept Systems", denied=["Nimbus Intercept Technologies"])
@hypothesis.example(entered="Orion Sistemz Sistemz Sistemz", denied=["Vektor Systems Systems"])
def test_screening_finds_exactly_the_names_that_reach_the_gate(entered, denied):
    """The index's near-miss tables only narrow the search: they never lose a name."""
    denials = [denial(n, end_user(name)) for n, name in enumerate(denied)]
    expected = {n for n, name in enumerate(denied) if name_similarity(entered, name) >= NAME_GATE}
    found = {m.denial_id for m in screen(Transaction(end_user=entered), denials, threshold=0)}
    assert found == expected


def test_among_keeps_only_the_denials_the_state_may_see():
    transaction = Transaction(end_user="Nimbus Intercept", destination="AE")
    index = prepare(DENIALS)
    everything = [m.denial_id for m in screen(transaction, index)]
    assert everything == ["dk-1", "de-3", "fr-7"]
    visible = {"fr-7", "jp-2", "no-9"}
    assert [m.denial_id for m in screen(transaction, index, among=visible)] == ["fr-7"]
    assert screen(transaction, index, among=set()) == []
    # The others change nothing in what is shown.
    alone = screen(transaction, [d for d in DENIALS if d.id in visible])
    assert screen(transaction, index, among=visible) == alone


def test_a_warmed_index_screens_alike():
    transaction = Transaction(end_user="ООО Нимбус Интерсепт", destination="AE")
    cold = screen(transaction, prepare(DENIALS))
    assert screen(transaction, prepare(DENIALS).warm()) == cold
    assert [m.denial_id for m in cold][:1] == ["dk-1"]


def test_screening_the_same_denials_again_reuses_the_index():
    screening._prepare_memoised.cache_clear()
    transaction = Transaction(end_user="Nimbus Intercept")
    screen(transaction, DENIALS)
    screen(transaction, list(DENIALS))
    assert screening._prepare_memoised.cache_info().hits == 1
    changed = [*DENIALS[:-1], denial("no-9", "Alpha Systems", control_entry="4A005")]
    screen(transaction, changed)
    assert screening._prepare_memoised.cache_info().misses == 2


def test_words_written_together_on_one_side_only():
    """Found through the joined or split words alone (nothing else retrieves them)."""
    denials = [
        denial(1, "NimbusIntercept Systems Ltd"),
        denial(2, "Nimbus Intercept Group"),
        denial(3, "Al Rashid Trading"),
    ]
    # 1 is a weak match (77 %, below the default threshold without backing): all names
    # reaching the gate are found, whatever the threshold then keeps.
    for entered in ("Nimbus Intercept Technologies", "NimbusIntercept Technologies"):
        found = screen(Transaction(end_user=entered), denials, threshold=0)
        assert {m.denial_id for m in found} == {1, 2}
    (match,) = screen(Transaction(end_user="Alrashid Trading"), denials)
    assert match.denial_id == 3


@pytest.mark.parametrize("name", ["ー", "ゝ", "ヽ", "ㅤ", "ー ー"])
def test_a_name_of_a_mark_with_no_letter_to_compare_is_screened_without_error(name):
    # A prolonged-sound or iteration mark, or the Hangul filler, has a native key but no
    # token: it matches only the same mark, and never divides by nothing.
    index = screening.prepare([denial(1, end_user("ー")), denial(2, end_user("Nimbus"))])
    found = screening.screen(Transaction(end_user=name), index)
    assert [m.denial_id for m in found] in ([], [1])
    assert screening.name_similarity(name, "Nimbus") == 0.0
