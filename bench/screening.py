"""How long screening takes: 5,000 denials x 100 transactions, by default.

    .venv/bin/python bench/screening.py [--denials 5000] [--transactions 100] [--seed 7]

Pure Python, no database: synthetic denials with 2-4 parties each (names built from
syllables, generic words and legal forms; some aliases in Cyrillic, Arabic or Japanese),
and transactions of which half name a perturbed party of some denial (reordered, a typo,
another legal form) and half names that appear nowhere. Reported:

* ``prepare`` of all denials: cold (empty normalisation caches, as after a deploy) and
  warm (the same names normalised before, as on the next request of a worker), and
  with ``warm()``, which builds the near-miss tables the first screening would build;
* ``screen`` per transaction against the prepared index: median, 95th percentile, max;
* ``screen`` given the denials themselves: the first call, which indexes them, then the
  next ones, which find the index memoised.

It ends with the matcher's precision, recall and F1 on the labelled pairs of the tests,
next to the F1 OpenSanctions publishes for its own rule-based matcher.

A benchmark that reports figures; it asserts nothing about time and is not run in CI.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from sharing.denials import screening  # noqa: E402
from sharing.denials.screening import (  # noqa: E402
    DenialFacts,
    PartyFacts,
    Transaction,
)

# Onsets, vowels and codas: some 2,000 syllables, so that unrelated made-up names rarely
# collide (a small set makes near-identical names by chance, which a matcher must match).
SYLLABLES = [
    onset + vowel + coda
    for onset in [
        "",
        "b",
        "br",
        "d",
        "f",
        "g",
        "gr",
        "k",
        "kr",
        "l",
        "m",
        "n",
        "p",
        "pr",
        "r",
        "s",
        "st",
        "t",
        "tr",
        "v",
        "z",
        "sh",
        "ch",
    ]
    for vowel in ["a", "e", "i", "o", "u", "ai", "ou"]
    for coda in ["", "n", "r", "s", "x", "l", "m", "k", "t", "nd", "rt", "st"]
]
GENERIC = ["Systems", "Technologies", "Solutions", "Group", "Security", "Trading", "Networks"]
LEGAL = ["Ltd", "LLC", "GmbH", "S.A.", "FZE", "Co., Ltd.", "AB", "Pty Ltd", "SARL", ""]
COUNTRIES = ["AE", "CY", "RU", "CN", "IR", "TR", "SG", "HK", "MY", "BY", "KZ", "JP", "KR"]
ENTRIES = ["5A001.j", "5A001.f", "4A005", "4D004", "5D001.a", "5A002", ""]
LATIN_TO_CYRILLIC = str.maketrans(
    "abvgdezijklmnoprstufhcy", "абвгдезийклмнопрстуфхцы"
)  # crude, enough to exercise transliteration
KANJI = "日本監視技研電子通信情報安全工業精密光学東京大阪"
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def word(rng: random.Random) -> str:
    """A made-up distinctive word of 2-3 syllables."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def company(rng: random.Random) -> str:
    """A made-up company name: 1-2 distinctive words, maybe a generic one, a legal form."""
    parts = [word(rng) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.5:
        parts.append(rng.choice(GENERIC))
    return " ".join([*parts, rng.choice(LEGAL)]).strip()


def alias(rng: random.Random, name: str) -> str:
    """Another spelling of a name: Cyrillic, Arabic, Japanese or a Latin variant."""
    roll = rng.random()
    if roll < 0.25:
        return name.lower().translate(LATIN_TO_CYRILLIC)
    if roll < 0.35:
        return " ".join("".join(rng.choice(ARABIC) for _ in range(5)) for _ in range(2))
    if roll < 0.45:
        return "株式会社" + "".join(rng.choice(KANJI) for _ in range(6))
    return word(rng) + " " + rng.choice(GENERIC)


def make_denials(rng: random.Random, count: int) -> list[DenialFacts]:
    """Synthetic denials, 2-4 parties each, 0-2 aliases per party."""
    denials = []
    for number in range(count):
        parties = []
        for index in range(rng.randint(2, 4)):
            name = company(rng)
            parties.append(
                PartyFacts(
                    role="end_user" if index == 0 else "consignee",
                    name=name,
                    aliases=tuple(alias(rng, name) for _ in range(rng.randint(0, 2))),
                    country=rng.choice(COUNTRIES),
                )
            )
        entry = rng.choice(ENTRIES)
        denials.append(
            DenialFacts(
                id=number,
                parties=tuple(parties),
                control_entry=entry,
                catch_all=not entry,
                item_description="IP network surveillance system",
            )
        )
    return denials


def perturb(rng: random.Random, name: str) -> str:
    """The same name as an officer might type it: reordered, a typo, another form."""
    words = [w for w in name.split() if w not in {"Ltd", "LLC", "GmbH", "S.A.", "FZE", "AB"}]
    roll = rng.random()
    if roll < 0.3 and len(words) > 1:
        words.reverse()
    elif roll < 0.6 and words and len(words[0]) > 5:
        i = rng.randrange(1, len(words[0]) - 1)
        words[0] = words[0][:i] + words[0][i + 1 :]
    return " ".join([*words, rng.choice(LEGAL)]).strip()


def make_transactions(rng: random.Random, denials: list[DenialFacts], count: int):
    """Half about some denial's parties, half about names that appear nowhere."""
    transactions = []
    for number in range(count):
        if number % 2 == 0:
            denial = rng.choice(denials)
            transactions.append(
                Transaction(
                    end_user=perturb(rng, denial.parties[0].name),
                    consignee=perturb(rng, denial.parties[1].name),
                    destination=denial.parties[0].country,
                    control_entry=denial.control_entry,
                )
            )
        else:
            transactions.append(
                Transaction(
                    end_user=company(rng),
                    consignee=company(rng),
                    destination=rng.choice(COUNTRIES),
                    control_entry=rng.choice(ENTRIES),
                )
            )
    return transactions


def clear_caches() -> None:
    """Empty the per-process normalisation caches, as in a freshly started worker."""
    for cached in (
        screening._forms,
        screening._fold,
        screening._skeleton,
        screening._token_similarity,
        screening._skeleton_similarity,
    ):
        cached.cache_clear()


def milliseconds(seconds: float) -> str:
    """A duration, readably."""
    return f"{seconds * 1000:8.1f} ms"


def main() -> None:
    """Build the data, time the steps, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--denials", type=int, default=5000)
    parser.add_argument("--transactions", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)  # noqa: S311 - synthetic data, not security
    denials = make_denials(rng, args.denials)
    transactions = make_transactions(rng, denials, args.transactions)
    parties = sum(len(d.parties) for d in denials)
    names = sum(1 + len(p.aliases) for d in denials for p in d.parties)
    print(f"{len(denials)} denials, {parties} parties, {names} names and aliases")

    clear_caches()
    started = time.perf_counter()
    index = screening.prepare(denials)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    screening.prepare(denials)
    warm = time.perf_counter() - started
    started = time.perf_counter()
    screening.prepare(denials).warm()
    warmed = time.perf_counter() - started
    print(f"prepare, cold caches          {milliseconds(cold)}")
    print(f"prepare, warm caches          {milliseconds(warm)}")
    print(f"prepare and warm() its tables {milliseconds(warmed)}")

    # The first screening also builds the near-miss tables of the index (lazily).
    timings, found, hits = [], 0, 0
    for number, transaction in enumerate(transactions):
        started = time.perf_counter()
        matches = screening.screen(transaction, index)
        timings.append(time.perf_counter() - started)
        found += len(matches)
        if number % 2 == 0 and matches:
            hits += 1
    print(
        f"screen against the index      median {milliseconds(statistics.median(timings))}, "
        f"p95 {milliseconds(statistics.quantiles(timings, n=20)[-1])}, "
        f"max {milliseconds(max(timings))}, first {milliseconds(timings[0])}"
    )
    print(
        f"                              total {milliseconds(sum(timings))} "
        f"for {len(transactions)} transactions"
    )

    # What the service does when it hands over the denials themselves: the first call
    # indexes them (memoised by value), the next ones find the index again.
    screening._prepare_memoised.cache_clear()
    started = time.perf_counter()
    screening.screen(transactions[0], denials)
    first = time.perf_counter() - started
    memoised = []
    for transaction in transactions[1:21]:
        started = time.perf_counter()
        screening.screen(transaction, denials)
        memoised.append(time.perf_counter() - started)
    print(
        f"screen given the denials      first {milliseconds(first)} (indexes them), then median "
        f"{milliseconds(statistics.median(memoised))}"
    )
    print(
        f"matches: {found} in all; {hits} of {len(transactions[::2])} transactions about "
        "a denial found at least one"
    )
    quality()


# OpenSanctions' published figure for its rule-based matcher (logic-v1) on its own
# labelled pairs: not the same pairs as ours, so a reference point, not a race.
REFERENCE_F1 = 0.913


def quality() -> None:
    """The matcher on the labelled set the tests hold (tests/sharing/denials/data/)."""
    from tests.sharing.denials.test_matching_quality import figures, labelled

    pairs = labelled()
    result = figures(pairs)
    print(
        f"labelled set, {len(pairs)} pairs at the default threshold: "
        f"precision {result['precision']:.3f}, recall {result['recall']:.3f}, "
        f"F1 {result['f1']:.3f} (OpenSanctions' rule-based matcher: F1 {REFERENCE_F1:.3f} "
        f"on its own labelled pairs; ratio {result['f1'] / REFERENCE_F1:.2f})"
    )
    for category, left, right, same in result["wrong"]:
        print(f"  {'missed' if same else 'wrongly matched'} ({category}): {left} / {right}")


if __name__ == "__main__":
    main()
