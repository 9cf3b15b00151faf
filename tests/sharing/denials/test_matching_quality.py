"""The name matcher measured against a labelled set (tests/sharing/denials/data/
name_pairs.csv): 323 pairs of names, 180 of one party written another way
(transliterated from Cyrillic, Arabic, Greek, Japanese, Chinese and Korean; with legal
forms, punctuation, word order or a typo) and 143 of different parties, most sharing a
word or a spelling with each other. At the default threshold, a pair is a match when
screening the one name against a denial of the other reaches it, names alone.

bench/screening.py prints the same figures next to a published reference.
"""

import csv
from pathlib import Path

import pytest

from sharing.denials import screening

PAIRS = Path(__file__).parent / "data" / "name_pairs.csv"
LEAST = 0.95


def labelled() -> list[dict]:
    with PAIRS.open(encoding="utf-8") as rows:
        return list(csv.DictReader(rows))


def matched(left: str, right: str) -> bool:
    party = screening.PartyFacts(role="end_user", name=right, aliases=(), country="", address="")
    denial = screening.DenialFacts(
        id=1, parties=(party,), control_entry="", catch_all=True, item_description=""
    )
    return bool(screening.screen(screening.Transaction(end_user=left), [denial]))


def figures(pairs: list[dict]) -> dict:
    """Precision, recall and F1 of the matcher on ``pairs``, with the pairs it got wrong."""
    wrong, found, same, right = [], 0, 0, 0
    for pair in pairs:
        hit, expected = matched(pair["left"], pair["right"]), pair["same"] == "1"
        found += hit
        same += expected
        right += hit and expected
        if hit != expected:
            wrong.append((pair["category"], pair["left"], pair["right"], expected))
    precision, recall = right / found, right / same
    f1 = 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1, "wrong": wrong}


def test_the_labelled_set_is_what_it_says():
    pairs = labelled()
    assert len(pairs) >= 300
    assert {p["same"] for p in pairs} == {"0", "1"}
    categories = {p["category"] for p in pairs if p["same"] == "1"}
    assert {"cyrillic", "arabic", "greek", "cjk", "legal", "order", "typo"} <= categories
    assert len({(p["left"], p["right"]) for p in pairs}) == len(pairs)


@pytest.mark.parametrize("measure", ["precision", "recall"])
def test_precision_and_recall_at_the_default_threshold(measure):
    result = figures(labelled())
    assert result[measure] >= LEAST, (result[measure], result["wrong"])


def test_names_in_japanese_chinese_and_korean_script_meet_their_romanised_forms():
    for native, romanised in (
        ("山田太郎", "Yamada Taro"),
        ("東亜通信監視システム株式会社", "Toa Tsushin Kanshi"),
        ("北京华信科技有限公司", "Beijing Huaxin Keji"),
        ("박정호", "Park Jeongho"),
        ("이지은", "Lee Jieun"),
    ):
        assert matched(native, romanised), native
        assert matched(romanised, native), romanised
    # Two names in those scripts are compared in them alone, not through a reading.
    assert not matched("北京华信科技有限公司", "北京华为科技有限公司")


def test_two_names_in_hangul_are_never_compared_through_their_romanisations():
    for one, other in (("박정호", "박정효"), ("김민준", "김민중"), ("이지은", "이지원")):
        assert not matched(one, other), (one, other)
        assert screening.name_similarity(one, other) == 0.0
