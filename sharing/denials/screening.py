# Names and legal forms in Cyrillic, Greek and other scripts are this module's subject, and
# its docstrings use typographic signs (×, −, –): the confusable-character rules do not apply.
# ruff: noqa: RUF001, RUF002, RUF003
"""Screening a candidate transaction against licence denials: the party-name matcher.

Independent of the database (rapidfuzz computes the edit distances): the screening
service turns the active denials into ``DenialFacts`` and calls
``screen(transaction, denials)``.

How to call it
--------------
* ``screen(transaction, denials)`` with any iterable of ``DenialFacts``: the denials are
  indexed, and the index memoised by value (the last 4 distinct sets), so the next call
  with the same denials does not index them again; any change makes a new index.
* ``prepare(denials)`` returns that ``ScreeningIndex`` for the caller to keep (e.g. until
  a denial is issued, amended, revoked or expires); ``index.warm()`` builds its lazy
  near-miss tables at once, for even latency.
* ``screen(..., among=ids)`` keeps only the denials with those ids. The intended use is
  one index of *all* active denials, shared by every state, and ``among`` = the ids that
  the officer's ``visible_to`` queryset returns: visibility stays decided there, and one
  index (not one per state) is built per process.

The index only narrows the search (exact tables, and near-miss tables: the keys of each
length, searched with rapidfuzz's OSA distance cut off at the edits allowed, in C): it
finds what comparing the transaction with every name would find. On this machine
(bench/screening.py: 5,000 denials, 30,000 names and aliases, two cores) indexing takes
about 0.1 s (1.2 s with nothing normalised yet, as in a new process), its near-miss
tables 0.15 s more, and a screening after that a median of 6 ms (p95 8 ms); at 20,000
denials, 22 ms (p95 31 ms). The positional-bigram index written here before gave the
same matches, with the tables built 1.4 times slower and a p95 1.2 times higher at
20,000 denials, in the same run. Memory: the normalised names some 1.3 KB each (cached
per process, 65,536 at most), an index some 12 MB.

Normalising a name (``_forms``; ``name_key`` exposes the resulting key)
------------------------------------------------------------------------
1. Unicode NFKC (full-width letters, half-width kana, ``㈱`` → ``(株)``), then casefold.
2. Legal forms written in CJK, Hangul, Arabic, Persian or Hebrew script are removed
   wherever they stand (``株式会社``, ``(株)``, ``주식회사``, ``有限公司``, ``شركة``, ``ذ.م.م``).
3. Names containing Han, kana or Hangul keep a *native key*: what remains without
   spaces or punctuation (``日本 監視技研(株)`` → ``日本監視技研``). Two such names are
   compared in their own script, never through a transliteration.
4. Transliteration to Latin with ``anyascii`` (Cyrillic, Greek with its digraphs,
   Arabic, Hebrew, kana, Hangul, Han), lower case; diacritics disappear here. In Arabic,
   the article joined to a word is split off (النور → al nwr) and common business words
   are read as the English they translate (للتجارة → trading, a generic word).
   A name in Japanese, Chinese or Korean script also has *romanised spellings*
   (``_romanisations``): Japanese read by pykakasi in Hepburn with long vowels written
   short (山田太郎 → yamada taro), Korean with the usual spellings of common surnames
   (박정호 → park jeongho); each is indexed and queried as the name itself, but never
   compared with another name in those scripts (step 3 decides between those).
5. Tokens: ``&`` and ``+`` read as "and", apostrophes join, other punctuation splits;
   runs of single letters are joined (``A.B.C.`` → ``abc``, ``A/S`` → ``as``, ``S.r.l.`` →
   ``srl``); connectors (and, und, et, og, och, the, of) are dropped.
6. Legal forms: multi-word ones (``pty ltd``, ``joint stock company``, ``общество с
   ограниченной ответственностью``) and unambiguous ones (ltd, llc, gmbh, ооо, fze...)
   go wherever they stand; those that are also ordinary words or initials (as, ab, co,
   sa, spa, kk...) only from the start or end. A name is never reduced to nothing.
   The legal forms of OpenSanctions' database (``rigour``: ISO 20275 and more) are
   removed as well, where they leave fewer words than this list alone (``Anonim
   Şirketi``, ``ehf.``, ``S. de R.L. de C.V.``).
7. Phonetic folding of every token, so that romanisation variants meet: tsch/tch → ch,
   sch → sh, dzh/dj/zh → j, kh → h, ph → f, th → t, gh → g, ck → k, ue/oe/ae → u/o/a
   (Mueller = Müller = Muller), ou → u, c → s before e/i/y and k elsewhere, q → k,
   w → v, x → ks, y → i; doubled letters collapse.
8. Derived keys: the folded tokens with weights (1; 0.3 for generic business words such
   as "systems", "technologies", "group"; 0.1 for particles such as "de", "al", "von"),
   the *compact* form (all letters without spaces), and consonant *skeletons* (vowels,
   y/w/v dropped, p → b), which are used only against names written in an abjad
   (Arabic, Hebrew), whose transliteration carries no short vowels.

Similarity of two names, 0 to 1 (``name_similarity``)
------------------------------------------------------
* Both have a native key: that comparison alone; equal → 1, otherwise 1 − d/length for
  native keys of 7 characters or more within 1 edit (2 from 12 characters), else 0.
* Otherwise the best of:
  - tokens: a one-to-one greedy alignment of the tokens, best pairs first, scored as a
    weighted soft Dice: Σ sim(a, b) × (w(a) + w(b)) / (Σ w of both names). Word order
    does not matter; an unmatched distinctive word costs a lot, a generic one little.
    Two adjacent tokens whose concatenation is a token of the other name are merged
    first ("Al Rashid" / "Alrashid").
  - compact: equal compact forms → 1 ("NimbusIntercept" = "Nimbus Intercept"); when a
    side was transliterated from another script, also 1 − d/length within the edits
    allowed below (syllable-by-syllable romanisations do not put spaces where people do).
  - skeletons (only if a side is written in an abjad): the token alignment and the
    compact comparison over skeletons, times 0.95 because skeletons lose information.
* Token similarity: 1 when equal; tokens containing digits must be equal; otherwise
  1 − d/length, d being the optimal-string-alignment edit distance (rapidfuzz's OSA: a
  transposition is one edit), allowed up to 0 edits for 1–4 letters, 1 for 5–7, 2 for 8–11, 3 beyond
  ("Beta" never meets "Zeta"; "Intersept" meets "Intercept"); 0.85 for a vowel
  variant (both at least 5 letters, lengths within 1, same first letter, same skeleton
  of at least 3 consonants, at most 2 edits: Mohammed / Muhammad / Mohamad).

Score of a denial, 0 to 100 (``screen``)
-----------------------------------------
    score = round(80 × name + 10 × same destination + 10 × same control entry)
            (5 instead of 10 when only the control category is the same)
            − 10 when the destination is none of the countries the denial gives
            − 25 when an identifier conflicts (another LEI, registration number, ...)
    and, when an identifier entered is one a party has, 15 points more, at least 95

``name`` is the best similarity of an entered name (end-user or consignee) with any
name or alias of any party of the denial, whatever its role (a denied end-user may come
back as a consignee). A denial is a candidate only if some name reaches ``NAME_GATE``
(0.75); destination and control entry never match on their own. The destination is the
same when the transaction's destination is the matched party's country or the country
of one of the denial's end-users; the control entry when it is equal, the category when
the entry before the first dot is equal (``5A001`` for ``5A001.j``). The default
``threshold`` (64 = 80 × 0.80) shows every name match of 80 % or more, and a weaker one
(75–79 %) only when the destination or the control entry backs it up. Ties are broken by
the name similarity, then by how many entered names matched, then by input order.

Identifiers (``sharing.common.identifiers``) are compared as typed numbers: the same
number of the same kind and country as one a party has is a match on its own, whatever
the names; a different number of a kind one holds only once (an LEI, a registration
number in a country, a date of birth), with no equal one, speaks against the match.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import pykakasi
from anyascii import anyascii
from django.utils.translation import gettext_lazy
from rapidfuzz import process
from rapidfuzz.distance import OSA
from rigour.names.org_types import remove_org_types

from sharing.common import identifiers as ids

__all__ = [
    "DEFAULT_THRESHOLD",
    "NAME_GATE",
    "DenialFacts",
    "Match",
    "PartyFacts",
    "ScreeningIndex",
    "Transaction",
    "name_key",
    "name_similarity",
    "prepare",
    "screen",
]

ROLES = ("end_user", "consignee")  # the names a transaction gives
# Who a party of the screened facts is: a denial's end-user or consignee, or an entity
# of concern named in a notice (which counts as an end-user for the destination).
PARTY_ROLES = (*ROLES, "entity")

NAME_POINTS = 80
DESTINATION_POINTS = 10
CONTROL_ENTRY_POINTS = 10
CONTROL_CATEGORY_POINTS = 5
NAME_GATE = 0.75
IDENTIFIER_SCORE = 95
IDENTIFIER_POINTS = 15
IDENTIFIER_CONFLICT_POINTS = 25
COUNTRY_CONFLICT_POINTS = 10
DEFAULT_THRESHOLD = 64  # = NAME_POINTS × 0.80: any name match of 80 % on its own

GENERIC_WEIGHT = 0.3
PARTICLE_WEIGHT = 0.1
VOWEL_VARIANT_SIMILARITY = 0.85
SKELETON_FACTOR = 0.95


# --- The facts the service hands over, and what comes back --------------------------------


@dataclass(frozen=True)
class PartyFacts:
    """A consignee or end-user named in a denial."""

    role: str  # "end_user" or "consignee"
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""  # ISO 3166-1 alpha-2 (XK for Kosovo), may be empty
    address: str = ""
    identifiers: tuple[ids.Identifier, ...] = ()
    ref: object = None  # the party's primary key, opaque here, given back in Match.parties


@dataclass(frozen=True)
class DenialFacts:
    """What the matcher needs to know of one denial."""

    id: object  # the denial's primary key, opaque here
    parties: tuple[PartyFacts, ...]
    control_entry: str  # e.g. "5A001.j", "4A005"; "" when catch_all
    catch_all: bool
    item_description: str


@dataclass(frozen=True)
class Transaction:
    """What an officer screening an application enters."""

    end_user: str = ""
    consignee: str = ""
    destination: str = ""  # ISO alpha-2
    control_entry: str = ""
    item_description: str = ""
    # One per line, as ``sharing.common.identifiers.read`` reads them.
    end_user_identifiers: str = ""
    consignee_identifiers: str = ""


@dataclass(frozen=True)
class Match:
    """One denial that matches a transaction, with why."""

    denial_id: uuid.UUID
    score: int  # 0-100, higher is closer
    reasons: tuple[str, ...]
    matched_names: tuple[tuple[str, str], ...]  # (what was entered, what it matched)
    name_percent: int = 0  # the best name similarity, in per cent
    destination: bool = False  # the destination added its points
    control: str = ""  # "entry", "category" or "" for what the control entry added
    identifier: bool = False  # an identifier entered is one the denial's party has
    conflicts: tuple[str, ...] = ()  # "identifier", "country": what lowered the score
    # (ref, score) of each party matched, best first: the score the match would have had
    # through that party alone (a weaker name takes its own share off), at or above the
    # threshold.
    parties: tuple[tuple[object, int], ...] = ()
    registry: bool = False  # reached, or backed, through the registry of entities


# --- Word lists ----------------------------------------------------------------------------

# Legal forms in scripts without spaces (or where they are written as one unit): removed
# as substrings, longest first, before anything else.
_NATIVE_LEGAL_FORMS = sorted(
    [
        "股份有限公司",
        "有限责任公司",
        "有限責任公司",
        "有限公司",
        "股份公司",
        "株式会社",
        "株式會社",
        "有限会社",
        "有限會社",
        "合同会社",
        "合資会社",
        "合名会社",
        "(株)",
        "(有)",
        "(合)",
        "(同)",
        "주식회사",
        "유한책임회사",
        "유한회사",
        "합자회사",
        "합명회사",
        "(주)",
        "(유)",
    ],
    key=len,
    reverse=True,
)
# "公司" (company) alone is also an ordinary word: only at the end of a name.
_NATIVE_TRAILING_FORMS = ("公司", "會社", "会社", "회사")

# Arabic, Persian and Hebrew legal forms, removed as whole words in their own script
# (their transliterations, such as "dh m m", would be meaningless tokens).
_ABJAD_LEGAL_FORMS = sorted(
    [
        "ش.ذ.م.م",
        "ذ.م.م",
        "ش.م.م",
        "ش.م.ع",
        "ش.م.ل",
        "ش.م.خ",
        "ش.م.ح",
        "م.م.ح",
        "ذات مسؤولية محدودة",
        "مؤسسة",
        "ذات المسؤولية المحدودة",
        "المحدودة",
        "محدودة",
        "شركة",
        "شرکت",
        "سهامی خاص",
        "سهامی عام",
        "با مسئولیت محدود",
        'בע"מ',
        "בעמ",
    ],
    key=len,
    reverse=True,
)

# Legal forms removed wherever they stand, in their transliterated, tokenised form.
_LEGAL_ANYWHERE = frozenset(
    [
        "ltd",
        "limited",
        "llc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "gmbh",
        "mbh",
        "kgaa",
        "ohg",
        "sarl",
        "eurl",
        "srl",
        "sro",
        "spzoo",
        "plc",
        "llp",
        "pty",
        "pte",
        "pvt",
        "sdn",
        "bhd",
        "ooo",
        "zao",
        "oao",
        "pjsc",
        "ojsc",
        "cjsc",
        "jsc",
        "fze",
        "fzco",
        "fzc",
        "fzllc",
        "oyj",
        "aps",
        "ltda",
        "eood",
        "ood",
        "shpk",
        "kft",
        "zrt",
        "tov",
        "prat",
        "bvba",
        "slu",
        "sll",
        "epe",
        "ike",
        "uab",
        "saa",
        "sae",
        "kabushiki",
        "kaisha",
        "gaisha",
        "yugen",
        "godo",
        "aktiengesellschaft",
        "aktiebolag",
        "aksjeselskap",
        "osakeyhtio",
    ]
)
# Legal forms that are also words, initials or parts of names ("AB Volvo" but also
# "AB Systems"): removed only from either end of the name.
_LEGAL_AT_EDGES = frozenset(
    [
        "as",
        "ab",
        "ag",
        "sa",
        "sas",
        "establishment",
        "spa",
        "co",
        "cie",
        "company",
        "ao",
        "ad",
        "ead",
        "doo",
        "dd",
        "se",
        "lp",
        "sl",
        "kg",
        "ug",
        "ip",
        "ae",
        "oe",
        "sia",
        "ou",
        "nao",
        "pao",
        "fz",
        "est",
        "nv",
        "bv",
        "oy",
        "ky",
        "kk",
        "gk",
        "asa",
        "cv",
        "snc",
        "scs",
        "sca",
        "gie",
    ]
)
# Multi-word forms, written here in any script; tokenised at import time through the
# same steps as names, so that the Cyrillic ones meet anyascii's output.
_LEGAL_PHRASE_SOURCES = [
    "pty ltd",
    "co ltd",
    "company limited",
    "private limited",
    "pvt ltd",
    "limited liability company",
    "limited liability partnership",
    "limited partnership",
    "joint stock company",
    "public joint stock company",
    "closed joint stock company",
    "open joint stock company",
    "free zone establishment",
    "free zone company",
    "fz llc",
    "fz co",
    "sdn bhd",
    "gmbh & co kg",
    "co kg",
    "sp z o.o.",
    "s.a. de c.v.",
    "societe anonyme",
    "societe par actions simplifiee",
    "societe a responsabilite limitee",
    "sociedad anonima",
    "sociedad limitada",
    "societa per azioni",
    "societa a responsabilita limitata",
    "besloten vennootschap",
    "naamloze vennootschap",
    "gesellschaft mit beschränkter haftung",
    "kabushiki kaisha",
    "yugen kaisha",
    "godo kaisha",
    "společnost s ručením omezeným",
    "akciová společnost",
    "društvo s ograničenom odgovornošću",
    "общество с ограниченной ответственностью",
    "акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "публичное акционерное общество",
    "непубличное акционерное общество",
    "товариство з обмеженою відповідальністю",
    "приватне акціонерне товариство",
    "дружество с ограничена отговорност",
    "акционерно дружество",
    "ооо",
    "зао",
    "оао",
    "пао",
    "ао",
    "тов",
    "прат",
    "еоод",
    "оод",
    "ад",
    "дооел",
    "доо",
]

_CONNECTORS = frozenset({"and", "und", "et", "og", "och", "the", "of"})
_PARTICLES = frozenset(
    [
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "der",
        "die",
        "das",
        "del",
        "della",
        "di",
        "da",
        "do",
        "dos",
        "al",
        "el",
        "van",
        "von",
        "den",
        "ten",
    ]
)
_GENERIC = frozenset(
    [
        "system",
        "systems",
        "technology",
        "technologies",
        "tech",
        "solutions",
        "solution",
        "group",
        "international",
        "intl",
        "global",
        "trading",
        "trade",
        "services",
        "service",
        "security",
        "electronics",
        "electronic",
        "engineering",
        "industries",
        "industry",
        "industrial",
        "enterprise",
        "enterprises",
        "consulting",
        "consultants",
        "telecom",
        "telecommunications",
        "communications",
        "communication",
        "networks",
        "network",
        "defence",
        "defense",
        "general",
        "holding",
        "holdings",
        "import",
        "export",
        "research",
        "development",
        "labs",
        "laboratory",
        "laboratories",
        "software",
        "digital",
        "company",
        "partners",
        "products",
        "manufacturing",
    ]
)


# --- Normalisation -------------------------------------------------------------------------

# Han (with extensions and compatibility ideographs), kana (NFKC has already turned
# half-width kana into full-width) and Hangul: scripts compared in their own letters.
_NATIVE_SCRIPT_RE = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"
)
_ABJAD_RE = re.compile("[\u0590-\u05ff\u0600-\u06ff\u0700-\u074f\u0750-\u077f\u08a0-\u08ff]")
# Any letter that is not Latin (with or without diacritics): the name was transliterated.
_NON_LATIN_RE = re.compile("[^\\W\\d_a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")
_NON_WORD_RE = re.compile(r"[\W_]+")
_ABJAD_LEGAL_RE = re.compile(
    r"(?<![\w.])(?:" + "|".join(re.escape(form) for form in _ABJAD_LEGAL_FORMS) + r")(?![\w.])"
)

# Names in Japanese, Chinese or Korean script are also compared through the romanised
# forms people write them in: Japanese read by pykakasi in Hepburn, long vowels written
# short as in passports (Tōkyō, toukyou → tokyo); Korean with the usual spellings of the
# common surnames (박 → Park, Bak; 이 → Lee, Yi), which the Revised Romanization does not
# give. Chinese needs nothing more: anyascii gives Hanyu Pinyin.
_KANA_RE = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL_WORD_RE = re.compile("^[\uac00-\ud7af]{2,4}$")
_LONG_VOWELS_RE = re.compile("ou|oo|uu")
_KOREAN_SURNAMES = {
    "김": ("kim", "gim"),
    "이": ("lee", "yi", "rhee"),
    "박": ("park", "pak", "bak"),
    "최": ("choi", "choe"),
    "정": ("jung", "jeong", "chung"),
    "강": ("kang", "gang"),
    "조": ("cho", "jo"),
    "윤": ("yoon", "yun"),
    "장": ("jang", "chang"),
    "임": ("lim", "im"),
    "한": ("han",),
    "오": ("oh", "o"),
    "서": ("seo", "suh"),
    "신": ("shin", "sin"),
    "권": ("kwon", "gwon"),
    "황": ("hwang",),
    "안": ("ahn", "an"),
    "송": ("song",),
    "류": ("ryu", "yoo", "yu"),
    "홍": ("hong",),
}


@functools.cache
def _kakasi():
    return pykakasi.kakasi()


def _japanese(text: str) -> str:
    words = (item["hepburn"] for item in _kakasi().convert(text))
    return _LONG_VOWELS_RE.sub(lambda m: m.group()[0], " ".join(words))


def _in_native_script(name: str) -> bool:
    """Whether a name has a native key: written in Japanese, Chinese or Korean script."""
    forms = _forms(name)
    return forms is not None and bool(forms.native)


@functools.lru_cache(maxsize=65536)
def _romanisations(name: str) -> tuple[str, ...]:
    """Other Latin spellings of a name written in Japanese, Chinese or Korean script, for
    comparing it with its romanised forms (none for other names)."""
    text = _prepare_text(name)
    if text.isascii() or not _NATIVE_SCRIPT_RE.search(text):
        return ()
    for form in _NATIVE_LEGAL_FORMS:
        text = text.replace(form, " ")
    found = []
    if _KANA_RE.search(text) or _HAN_RE.search(text):
        found.append(_japanese(text))
    words = text.split()
    if words and _HANGUL_WORD_RE.match(words[0]) and words[0][0] in _KOREAN_SURNAMES:
        given = anyascii(words[0][1:] + "".join(words[1:])).lower()
        found.extend(f"{surname} {given}" for surname in _KOREAN_SURNAMES[words[0][0]])
    return tuple(dict.fromkeys(spelling for spelling in found if spelling.strip()))


# Arabic: the article is written joined to its word (النور, al-Nūr; للتجارة, "for the
# trading"): it is split off, so that the word meets its transliteration without it.
# Common business words are read as the English ones they translate, which are generic.
_ARABIC_ARTICLE_RE = re.compile("(?<!\\w)(?:لل|ال)(?=[\u0600-\u06ff]{2,})")
_ARABIC_WORDS = {
    "مجموعة": "group",
    "تجارة": "trading",
    "التجارة": "trading",
    "للتجارة": "trading",
    "الاتصالات": "telecommunications",
    "للاتصالات": "telecommunications",
    "التقنية": "technology",
    "للتقنية": "technology",
    "الأنظمة": "systems",
    "للأنظمة": "systems",
    "الحلول": "solutions",
    "للحلول": "solutions",
    "الإلكترونيات": "electronics",
    "للإلكترونيات": "electronics",
}


def _arabic_words(text: str) -> str:
    text = " ".join(_ARABIC_WORDS.get(word, word) for word in text.split())
    return _ARABIC_ARTICLE_RE.sub("al ", text)


# Greek: anyascii transliterates letter by letter ("Νίμπους" → "Nimpoys"); the usual
# romanisation reads these digraphs as one sound. Accents go first so the digraphs match.
_GREEK_ACCENTS = str.maketrans("άέήίόύώϊϋΐΰ", "αεηιουωιυιυ")
_GREEK_DIGRAPHS = {
    "ου": "u",
    "μπ": "mb",
    "ντ": "nd",
    "γκ": "g",
    "γγ": "ng",
    "αι": "e",
    "ει": "i",
    "οι": "i",
    "υι": "i",
}
_GREEK_RE = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")
_GREEK_DIGRAPH_RE = re.compile("|".join(_GREEK_DIGRAPHS))

_APOSTROPHES_RE = re.compile("['\u2019`\u00b4]")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")

_FOLD_DIGRAPHS = {
    "tsch": "ch",
    "sch": "sh",
    "dzh": "j",
    "tch": "ch",
    "dj": "j",
    "zh": "j",
    "kh": "h",
    "ph": "f",
    "th": "t",
    "gh": "g",
    "ck": "k",
    "ue": "u",
    "oe": "o",
    "ae": "a",
    "ou": "u",
}
# Longest first, so that "tsch" wins over "sch" at the same position.
_FOLD_DIGRAPH_RE = re.compile("|".join(sorted(_FOLD_DIGRAPHS, key=len, reverse=True)))
_SOFT_C_RE = re.compile(r"c(?=[eiy])")
_HARD_C_RE = re.compile(r"c(?!h)")
_FOLD_LETTERS = str.maketrans({"q": "k", "w": "v", "y": "i", "x": "ks"})
_DOUBLES_RE = re.compile(r"(.)\1+")
_SKELETON_DROP = str.maketrans({"a": None, "e": None, "i": None, "o": None, "u": None, "v": None})
_SKELETON_MAP = str.maketrans({"p": "b"})


def _undouble(text: str) -> str:
    """Collapse doubled letters ("mohammed" → "mohamed")."""
    # Most words have none: the search is cheaper than a substitution that finds nothing.
    return _DOUBLES_RE.sub(_first_group, text) if _DOUBLES_RE.search(text) else text


def _first_group(match: re.Match) -> str:
    """The letter of a doubled run (a function is faster than the template r"\\1")."""
    return match[1]


@functools.lru_cache(maxsize=131072)
def _fold(token: str) -> str:
    """The phonetic folding of one lower-case ASCII token (step 7 of the docstring)."""
    token = _FOLD_DIGRAPH_RE.sub(lambda m: _FOLD_DIGRAPHS[m.group()], token)
    if "c" in token:
        token = _HARD_C_RE.sub("k", _SOFT_C_RE.sub("s", token))
    return _undouble(token.translate(_FOLD_LETTERS))


@functools.lru_cache(maxsize=131072)
def _skeleton(folded: str) -> str:
    """The consonants of a folded token, as an abjad would write them."""
    # Arabic has no p (it writes b) and its و transliterates as w (folded to v), which is
    # as often a vowel as a consonant: both sides drop it.
    return _undouble(folded.translate(_SKELETON_DROP).translate(_SKELETON_MAP))


def _join_initials(tokens: list[str]) -> list[str]:
    """Join runs of single letters ("a b c" → "abc"): A.B.C., A/S and S.r.l. were split."""
    joined: list[str] = []
    run = ""
    for token in tokens:
        if len(token) == 1 and token.isalpha():
            run += token
            continue
        if run:
            joined.append(run)
            run = ""
        joined.append(token)
    if run:
        joined.append(run)
    return joined


def _raw_tokens(text: str) -> list[str]:
    """Transliterated, lower-case tokens of an NFKC-casefolded text (steps 4 and 5)."""
    if text.isascii():  # most names: nothing to transliterate
        latin = text.lower()
    else:
        if _ABJAD_RE.search(text):
            text = _arabic_words(text)
        if _GREEK_RE.search(text):
            text = _GREEK_DIGRAPH_RE.sub(
                lambda m: _GREEK_DIGRAPHS[m.group()], text.translate(_GREEK_ACCENTS)
            )
        latin = anyascii(text).lower()
    latin = latin.replace("&", " and ").replace("+", " and ")
    latin = _NON_ALNUM_RE.sub(" ", _APOSTROPHES_RE.sub("", latin))
    return [token for token in _join_initials(latin.split()) if token not in _CONNECTORS]


def _prepare_text(name: str) -> str:
    """NFKC and casefold (step 1): full-width letters, ㈱ and half-width kana unified."""
    if name.isascii():  # NFKC changes no ASCII text, and casefold is lower there
        return name.lower()
    return unicodedata.normalize("NFKC", name).casefold()


def _legal_tables() -> tuple[dict[str, list[tuple[str, ...]]], frozenset[str], frozenset[str]]:
    """Tokenise _LEGAL_PHRASE_SOURCES: multi-word phrases by first token, longest first,
    and the one-word forms from other scripts (ООО → "ooo") added to the two sets (short
    ones, like "ao" or "ad", only at the edges)."""
    phrases: dict[str, list[tuple[str, ...]]] = {}
    anywhere, at_edges = set(_LEGAL_ANYWHERE), set(_LEGAL_AT_EDGES)
    for source in _LEGAL_PHRASE_SOURCES:
        tokens = tuple(_raw_tokens(_prepare_text(source)))
        if len(tokens) > 1:
            phrases.setdefault(tokens[0], []).append(tokens)
        elif tokens:
            (anywhere if len(tokens[0]) > 2 else at_edges).add(tokens[0])
    for group in phrases.values():
        group.sort(key=len, reverse=True)
    return phrases, frozenset(anywhere), frozenset(at_edges)


_LEGAL_PHRASES, _LEGAL_ANYWHERE, _LEGAL_AT_EDGES = _legal_tables()
_GENERIC_FOLDED = frozenset(_fold(word) for word in _GENERIC)
_PARTICLES_FOLDED = frozenset(_fold(word) for word in _PARTICLES)


def _strip_legal_forms(tokens: list[str]) -> list[str]:
    """Remove legal forms (step 6); a name made only of legal forms is kept whole."""
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase in _LEGAL_PHRASES.get(tokens[i], ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            if tokens[i] not in _LEGAL_ANYWHERE:
                kept.append(tokens[i])
            i += 1
    # Ambiguous forms come off the ends only, repeatedly ("Nimbus Co. Ltd" → "Nimbus").
    start, end = 0, len(kept)
    while start < end and kept[start] in _LEGAL_AT_EDGES:
        start += 1
    while end > start and kept[end - 1] in _LEGAL_AT_EDGES:
        end -= 1
    return kept[start:end] or tokens


def _weight(folded: str) -> float:
    """How much a token tells: generic business words and particles little."""
    if folded in _GENERIC_FOLDED:
        return GENERIC_WEIGHT
    if folded in _PARTICLES_FOLDED:
        return PARTICLE_WEIGHT
    return 1.0


class _Forms(NamedTuple):
    """Every key of one name that the comparisons use (see the module docstring)."""

    key: str
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    total_weight: float
    compact: str
    skeletons: tuple[str, ...]
    skeleton_weights: tuple[float, ...]
    skeleton_total: float
    compact_skeleton: str
    native: str
    abjad: bool
    transliterated: bool


def _native_key(text: str) -> str:
    """The name in its own script, without legal forms, spaces or punctuation (step 3)."""
    stripped = text
    for form in _NATIVE_LEGAL_FORMS:
        stripped = stripped.replace(form, " ")
    stripped = _NON_WORD_RE.sub("", stripped)
    for form in _NATIVE_TRAILING_FORMS:
        if stripped.endswith(form) and len(stripped) > len(form):
            stripped = stripped[: -len(form)]
            break
    return stripped or _NON_WORD_RE.sub("", text)


# Some 1.3 KB a name: 65,536 names (10,000 denials or so) are some 85 MB at most.
@functools.lru_cache(maxsize=65536)
def _forms(name: str) -> _Forms | None:
    """All the keys of a name, or None when it holds no letter or digit."""
    text = _prepare_text(name)
    ascii_only = text.isascii()
    native = _native_key(text) if not ascii_only and _NATIVE_SCRIPT_RE.search(text) else ""
    abjad = not ascii_only and bool(_ABJAD_RE.search(text))
    if native:
        # The transliteration must not spell the legal form out ("株式会社" → "zhushihuishe").
        for form in _NATIVE_LEGAL_FORMS:
            text = text.replace(form, " ")
    if abjad:
        text = _ABJAD_LEGAL_RE.sub(" ", text) if _ABJAD_LEGAL_RE.search(text) else text
    raw = _raw_tokens(text)
    if not raw:
        raw = _raw_tokens(_prepare_text(name))
    if not raw and not native:
        return None
    raw = _strip_legal_forms(raw)
    # The legal forms of OpenSanctions' database too (rigour: ISO 20275 and more), which
    # has many our list lacks ("Anonim Şirketi", "ehf.", "S. de R.L. de C.V.") but splits
    # some we know whole ("Private Limited"): whichever leaves fewer words, never none.
    if len(raw) > 1:
        other = _strip_legal_forms(_raw_tokens(remove_org_types(text)))
        if 0 < len(other) < len(raw):
            raw = other
    tokens = tuple(_fold(token) for token in raw)
    weights = tuple(_weight(token) for token in tokens)
    skeletons, skeleton_weights = [], []
    for token, weight in zip(tokens, weights, strict=True):
        if skeleton := _skeleton(token):
            skeletons.append(skeleton)
            skeleton_weights.append(weight)
    compact = _fold("".join(raw))
    return _Forms(
        key=native or " ".join(sorted(tokens)),
        tokens=tokens,
        weights=weights,
        total_weight=sum(weights),
        compact=compact,
        skeletons=tuple(skeletons),
        skeleton_weights=tuple(skeleton_weights),
        skeleton_total=sum(skeleton_weights),
        compact_skeleton=_skeleton(compact),
        native=native,
        abjad=abjad,
        transliterated=not ascii_only and (bool(native) or bool(_NON_LATIN_RE.search(text))),
    )


def name_key(name: str) -> str:
    """The normalised form of a name: equal keys mean the same name for the matcher.

    The native key for names in Han, kana or Hangul ("日本監視技研"), otherwise the folded
    tokens, sorted, without legal forms ("intersept nimbus"); "" for a name with no
    letters or digits. Near misses have different keys: use ``name_similarity``.
    """
    forms = _forms(name)
    return forms.key if forms else ""


# --- Similarity ----------------------------------------------------------------------------


def _allowed_edits(length: int) -> int:
    """Edits tolerated in a word of that many letters: none in short words."""
    if length <= 4:
        return 0
    if length <= 7:
        return 1
    if length <= 11:
        return 2
    return 3


def _edit_similarity(a: str, b: str, allowed: int | None = None) -> float:
    """1 − d/length when d is within the edits allowed for the longer string, else 0."""
    if a == b:
        return 1.0
    longest = max(len(a), len(b))
    if allowed is None:
        allowed = _allowed_edits(longest)
    if not allowed or abs(len(a) - len(b)) > allowed:
        return 0.0
    # Optimal string alignment (a transposition of adjacent letters is one edit), in C.
    distance = OSA.distance(a, b, score_cutoff=allowed)
    return 1.0 - distance / longest if distance <= allowed else 0.0


@functools.lru_cache(maxsize=131072)
def _token_similarity(a: str, b: str) -> float:
    """How alike two folded tokens are, 0 to 1 (see the module docstring)."""
    if a == b:
        return 1.0
    # Numbers in names (3D, 2000, 21) identify: no near misses. Tokens are [a-z0-9].
    if not (a.isalpha() and b.isalpha()):
        return 0.0
    similarity = _edit_similarity(a, b)
    if similarity:
        return similarity
    # Romanisations of the same name differ in their vowels (Mohammed, Muhammad): the
    # same consonants, in the same order, with only vowels changed.
    if len(a) >= 5 and len(b) >= 5 and a[0] == b[0] and abs(len(a) - len(b)) <= 1:
        skeleton = _skeleton(a)
        if len(skeleton) >= 3 and skeleton == _skeleton(b) and OSA.distance(a, b) <= 2:
            return VOWEL_VARIANT_SIMILARITY
    return 0.0


@functools.lru_cache(maxsize=65536)
def _skeleton_similarity(a: str, b: str) -> float:
    """How alike two consonant skeletons are, with the same tolerance as tokens."""
    return _edit_similarity(a, b)


def _align(
    left: tuple[str, ...],
    left_weights: tuple[float, ...],
    left_total: float,
    right: tuple[str, ...],
    right_weights: tuple[float, ...],
    right_total: float,
    similarity,
) -> float:
    """Weighted soft Dice of a one-to-one greedy alignment, best pairs first."""
    if not left or not right:
        return 0.0
    pairs = []
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            if value := similarity(a, b):
                pairs.append((value, i, j))
    if not pairs:
        return 0.0
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    used_left: set[int] = set()
    used_right: set[int] = set()
    matched = 0.0
    for value, i, j in pairs:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        matched += value * (left_weights[i] + right_weights[j])
    return matched / (left_total + right_total)


def _rejoin_split_words(
    tokens: tuple[str, ...], weights: tuple[float, ...], other: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Merge two adjacent tokens whose concatenation is a token of the other name, so
    that "Al Rashid" aligns with "Alrashid" and "Nimbus Intercept" with "NimbusIntercept
    Systems" (the compact form only catches names that differ in spacing alone)."""
    wanted = set(other) - set(tokens)
    if not wanted or len(tokens) < 2:
        return tokens, weights
    merged_tokens: list[str] = []
    merged_weights: list[float] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i] + tokens[i + 1] in wanted:
            merged_tokens.append(tokens[i] + tokens[i + 1])
            merged_weights.append(max(weights[i], weights[i + 1]))
            i += 2
        else:
            merged_tokens.append(tokens[i])
            merged_weights.append(weights[i])
            i += 1
    return tuple(merged_tokens), tuple(merged_weights)


def _native_allowed_edits(length: int) -> int:
    """Edits tolerated in a native key: each character is a morpheme, so few."""
    if length < 7:
        return 0
    return 1 if length < 12 else 2


def _native_similarity(a: str, b: str) -> float:
    """How alike two native keys are (see the module docstring)."""
    if a == b:
        return 1.0
    return _edit_similarity(a, b, _native_allowed_edits(max(len(a), len(b))))


def _forms_similarity(left: _Forms, right: _Forms) -> float:
    """The similarity of two normalised names, 0 to 1 (see the module docstring)."""
    if left.native and right.native:
        return _native_similarity(left.native, right.native)
    left_tokens, left_weights = left.tokens, left.weights
    right_tokens, right_weights = right.tokens, right.weights
    if len(left_tokens) != len(right_tokens):
        left_tokens, left_weights = _rejoin_split_words(left_tokens, left_weights, right_tokens)
        right_tokens, right_weights = _rejoin_split_words(right_tokens, right_weights, left_tokens)
    best = _align(
        left_tokens,
        left_weights,
        sum(left_weights),
        right_tokens,
        right_weights,
        sum(right_weights),
        _token_similarity,
    )
    if left.compact == right.compact:
        return 1.0
    if left.transliterated or right.transliterated:
        best = max(best, _edit_similarity(left.compact, right.compact))
    if left.abjad or right.abjad:
        skeletal = max(
            _align(
                left.skeletons,
                left.skeleton_weights,
                left.skeleton_total,
                right.skeletons,
                right.skeleton_weights,
                right.skeleton_total,
                _skeleton_similarity,
            ),
            _skeleton_similarity(left.compact_skeleton, right.compact_skeleton),
        )
        best = max(best, skeletal * SKELETON_FACTOR)
    return best


def name_similarity(left: str, right: str) -> float:
    """How alike two names are for screening, 0 to 1 (0 when either holds no letter)."""
    if _in_native_script(left) and _in_native_script(right):
        return _forms_similarity(_forms(left), _forms(right))  # type: ignore[arg-type]
    best = 0.0
    for one in (left, *_romanisations(left)):
        for other in (right, *_romanisations(right)):
            left_forms, right_forms = _forms(one), _forms(other)
            if left_forms is not None and right_forms is not None:
                best = max(best, _forms_similarity(left_forms, right_forms))
    return best


# --- The index -----------------------------------------------------------------------------


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building tables.

    The tables are hundreds of thousands of small lists and tuples, and every few
    hundred allocations the collector would walk them all again; they hold no cycles, so
    there is nothing for it to find. Building them takes half the time without it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lazy_table(build):
    """Decorate a table-building method of the index: the table is built on first use
    (``warm`` builds them all at once), with the collector paused (``_collector_paused``),
    and kept."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with _collector_paused():
            return build(*args, **kwargs)

    return functools.cached_property(wrapper)


class _NearIndex:
    """The keys near a query, within the edits allowed for their length: rapidfuzz's
    OSA distance over the keys of each length, in C, cut off at the allowed edits."""

    def __init__(self, keys: Iterable[str], allowed_edits) -> None:
        """Index ``keys``; ``allowed_edits(length)`` is the tolerance of the comparison."""
        self._allowed_edits = allowed_edits
        by_length: dict[int, list[str]] = defaultdict(list)
        for key in keys:
            by_length[len(key)].append(key)
        self._by_length = dict(by_length)

    def near(self, query: str) -> list[str]:
        """Keys other than ``query`` within the allowed edits of it."""
        found: list[str] = []
        widest = self._allowed_edits(len(query) + 3)
        for length in range(max(1, len(query) - widest), len(query) + widest + 1):
            edits = self._allowed_edits(max(length, len(query)))
            keys = self._by_length.get(length)
            if not edits or keys is None or abs(length - len(query)) > edits:
                continue
            found.extend(
                key
                for key, _distance, _index in process.extract_iter(
                    query, keys, scorer=OSA.distance, score_cutoff=edits
                )
            )
        return [key for key in found if key != query]


class _Entry(NamedTuple):
    """One name or alias of one party of one denial."""

    denial: int  # position in ScreeningIndex.denials
    party: PartyFacts
    name: str
    alias: bool
    forms: _Forms
    # A romanised spelling of a name in Japanese, Chinese or Korean script, met only by
    # names in other scripts (step 4).
    romanised: bool = False


def _group_by(keys: Iterable[str], derive) -> dict[str, list[str]]:
    """Keys grouped under what ``derive`` makes of them (e.g. tokens by skeleton)."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        if derived := derive(key):
            groups.setdefault(derived, []).append(key)
    return groups


class ScreeningIndex:
    """Denials prepared for screening: normalised names and lookup tables.

    Build it with ``prepare(denials)``; it is read-only afterwards (the near-miss tables
    are built on first use) and can screen any number of transactions. It holds no
    database object, only the facts given.
    """

    def __init__(self, denials: Iterable[DenialFacts]) -> None:
        """Normalise and index the names of ``denials`` (see ``prepare``)."""
        self.denials: tuple[DenialFacts, ...] = tuple(denials)
        self.entries: list[_Entry] = []
        # Exact tables, key → entry numbers. Everything else derives from their keys (the
        # vocabulary, far smaller than the entries), lazily.
        self.tokens: dict[str, list[int]] = {}
        self.compacts: dict[str, list[int]] = {}
        self.natives: dict[str, list[int]] = {}
        self.abjad_entries: list[int] = []
        self.transliterated_compacts: set[str] = set()
        # identifier key → (denial position, party) having it
        self.identified: dict[str, list[tuple[int, PartyFacts]]] = {}
        with _collector_paused():
            self._add_denials()

    def _add_denials(self) -> None:
        """Normalise and index every name and alias of every party."""
        for position, denial in enumerate(self.denials):
            for party in denial.parties:
                if party.role not in PARTY_ROLES:
                    raise ValueError(f"unknown party role {party.role!r} in denial {denial.id!r}")
                for identifier in party.identifiers:
                    self.identified.setdefault(identifier.key, []).append((position, party))
                seen: set[str] = set()
                for alias, name in [(False, party.name), *((True, a) for a in party.aliases)]:
                    # The name, then its romanised spellings, each found as the name itself.
                    for spelling in (name, *_romanisations(name)):
                        forms = _forms(spelling)
                        # A spelling that normalises like another adds nothing.
                        if forms is None or forms.key in seen:
                            continue
                        seen.add(forms.key)
                        romanised = spelling is not name
                        self._add(_Entry(position, party, name, alias, forms, romanised))

    def __len__(self) -> int:
        """The number of denials indexed."""
        return len(self.denials)

    def _add(self, entry: _Entry) -> None:
        """Index one name under its exact keys."""
        number = len(self.entries)
        self.entries.append(entry)
        forms = entry.forms
        for token in set(forms.tokens):
            self.tokens.setdefault(token, []).append(number)
        self.compacts.setdefault(forms.compact, []).append(number)
        if forms.native:
            self.natives.setdefault(forms.native, []).append(number)
        if forms.transliterated:
            self.transliterated_compacts.add(forms.compact)
        if forms.abjad:
            self.abjad_entries.append(number)

    def warm(self) -> ScreeningIndex:
        """Build every near-miss table now rather than on first use (e.g. at start-up or
        in a background task, for even latency); returns the index."""
        for table in _LAZY_TABLES:
            getattr(self, table)
        return self

    # Lazily built tables: a screening that needs none of them pays for none.

    @_lazy_table
    def _near_tokens(self) -> _NearIndex:
        """Near misses of the tokens (typos, romanisation variants)."""
        return _NearIndex(self.tokens, _allowed_edits)

    @_lazy_table
    def _tokens_by_skeleton(self) -> dict[str, list[str]]:
        """Tokens by consonant skeleton, for vowel variants; only those that can be one
        (see _token_similarity)."""
        return _group_by(
            (token for token in self.tokens if len(token) >= 5),
            lambda token: skeleton if len(skeleton := _skeleton(token)) >= 3 else "",
        )

    @_lazy_table
    def _near_compacts(self) -> _NearIndex:
        """Near misses of every compact form, for queries transliterated from a script."""
        return _NearIndex(self.compacts, _allowed_edits)

    @_lazy_table
    def _near_transliterated_compacts(self) -> _NearIndex:
        """Near misses of the compact forms of transliterated names, for Latin queries."""
        return _NearIndex(self.transliterated_compacts, _allowed_edits)

    @_lazy_table
    def _near_natives(self) -> _NearIndex:
        """Near misses of the native keys (Han, kana, Hangul)."""
        return _NearIndex(self.natives, _native_allowed_edits)

    @_lazy_table
    def _skeleton_tables(self) -> tuple[dict[str, list[int]], _NearIndex]:
        """Skeleton of any token or compact form → entries, for queries in an abjad."""
        table: dict[str, list[int]] = {}
        for exact in (self.tokens, self.compacts):
            for skeleton, group in _group_by(exact, _skeleton).items():
                table.setdefault(skeleton, []).extend(
                    number for key in group for number in exact[key]
                )
        return table, _NearIndex(table, _allowed_edits)

    @_lazy_table
    def _abjad_skeleton_tables(self) -> tuple[dict[str, list[int]], _NearIndex]:
        """Skeletons of the names written in an abjad → entries, for Latin queries."""
        table: dict[str, list[int]] = {}
        for number in self.abjad_entries:
            forms = self.entries[number].forms
            for skeleton in {*forms.skeletons, forms.compact_skeleton}:
                table.setdefault(skeleton, []).append(number)
        return table, _NearIndex(table, _allowed_edits)

    def candidates(self, query: _Forms) -> set[int]:
        """Entries that may reach the name gate against ``query`` (a superset)."""
        found: set[int] = set()
        # Generic words and particles retrieve too many names to look at. They need not
        # retrieve any when a name matching only through them cannot reach the gate:
        # with D the weight of the query's distinctive words, L that of its k others,
        # the soft Dice is then at most (L + k) / (D + L + k) (each of those words
        # matching a word of weight at most 1 on the other side).
        distinctive = [t for t, w in zip(query.tokens, query.weights, strict=True) if w == 1.0]
        low_weight = query.total_weight - len(distinctive)
        low_count = len(query.tokens) - len(distinctive)
        # A name with no token at all (a lone prolonged-sound mark, the Hangul filler)
        # is found through its native key alone.
        whole = query.total_weight + low_count
        bound = (low_weight + low_count) / whole if whole else 1.0
        retrieving = distinctive if bound < NAME_GATE else query.tokens
        for token in set(retrieving):
            found.update(self.tokens.get(token, ()))
            for known in self._near_tokens.near(token):
                if _token_similarity(token, known):
                    found.update(self.tokens[known])
            skeleton = _skeleton(token)
            if len(token) >= 5 and len(skeleton) >= 3:  # vowel variants
                for known in self._tokens_by_skeleton.get(skeleton, ()):
                    if _token_similarity(token, known):
                        found.update(self.tokens[known])
        # Words written apart on one side and together on the other, as
        # _rejoin_split_words merges them: joined query words, and split query words.
        for left, right in itertools.pairwise(query.tokens):
            found.update(self.tokens.get(left + right, ()))
        for token in set(query.tokens):
            for cut in range(1, len(token)):
                head, tail = self.tokens.get(token[:cut]), self.tokens.get(token[cut:])
                if head and tail:
                    found.update(set(head).intersection(tail))
        found.update(self.compacts.get(query.compact, ()))
        # Near-miss compact forms only count when a side was transliterated.
        near_compacts = (
            self._near_compacts if query.transliterated else self._near_transliterated_compacts
        )
        for known in near_compacts.near(query.compact):
            if _edit_similarity(query.compact, known):
                found.update(self.compacts[known])
        if query.native:
            found.update(self.natives.get(query.native, ()))
            for known in self._near_natives.near(query.native):
                found.update(self.natives[known])
        # Skeletons only where an abjad is involved: against every name when the query
        # is written in one, against the names written in one otherwise.
        if query.abjad or self.abjad_entries:
            table, near = self._skeleton_tables if query.abjad else self._abjad_skeleton_tables
            for skeleton in {*query.skeletons, query.compact_skeleton} - {""}:
                found.update(table.get(skeleton, ()))
                for known in near.near(skeleton):
                    if _skeleton_similarity(skeleton, known):
                        found.update(table[known])
        return found


_LAZY_TABLES = (
    "_near_tokens",
    "_tokens_by_skeleton",
    "_near_compacts",
    "_near_transliterated_compacts",
    "_near_natives",
    "_skeleton_tables",
    "_abjad_skeleton_tables",
)


def prepare(denials: Iterable[DenialFacts]) -> ScreeningIndex:
    """Normalise and index the names of the denials, for one or many screenings.

    Raises ValueError for a party whose role is neither "end_user" nor "consignee".
    """
    return ScreeningIndex(denials)


@functools.lru_cache(maxsize=4)
def _prepare_memoised(denials: tuple[DenialFacts, ...]) -> ScreeningIndex:
    """``prepare`` for ``screen(transaction, denials)``: the same denials (compared by
    value, so any change makes a new index) are indexed once per process."""
    return ScreeningIndex(denials)


def _index_of(denials: Iterable[DenialFacts] | ScreeningIndex) -> ScreeningIndex:
    """The index to screen against: given, memoised, or (unhashable ids) built afresh."""
    if isinstance(denials, ScreeningIndex):
        return denials
    facts = tuple(denials)
    try:
        return _prepare_memoised(facts)
    except TypeError:  # an id that cannot be hashed
        return ScreeningIndex(facts)


# --- Screening -----------------------------------------------------------------------------

# One sentence per combination, so that each translates as a whole.
_NAME_REASONS = {
    ("end_user", "end_user", False): gettext_lazy(
        "End-user “%(entered)s” matches end-user “%(name)s” (%(percent)d%%)"
    ),
    ("end_user", "end_user", True): gettext_lazy(
        "End-user “%(entered)s” matches alias “%(name)s” of end-user “%(party)s” (%(percent)d%%)"
    ),
    ("end_user", "consignee", False): gettext_lazy(
        "End-user “%(entered)s” matches consignee “%(name)s” (%(percent)d%%)"
    ),
    ("end_user", "consignee", True): gettext_lazy(
        "End-user “%(entered)s” matches alias “%(name)s” of consignee “%(party)s” (%(percent)d%%)"
    ),
    ("consignee", "end_user", False): gettext_lazy(
        "Consignee “%(entered)s” matches end-user “%(name)s” (%(percent)d%%)"
    ),
    ("consignee", "end_user", True): gettext_lazy(
        "Consignee “%(entered)s” matches alias “%(name)s” of end-user “%(party)s” (%(percent)d%%)"
    ),
    ("consignee", "consignee", False): gettext_lazy(
        "Consignee “%(entered)s” matches consignee “%(name)s” (%(percent)d%%)"
    ),
    ("consignee", "consignee", True): gettext_lazy(
        "Consignee “%(entered)s” matches alias “%(name)s” of consignee “%(party)s” (%(percent)d%%)"
    ),
    ("end_user", "entity", False): gettext_lazy(
        "End-user “%(entered)s” matches entity of concern “%(name)s” (%(percent)d%%)"
    ),
    ("end_user", "entity", True): gettext_lazy(
        "End-user “%(entered)s” matches alias “%(name)s” of entity of concern “%(party)s” "
        "(%(percent)d%%)"
    ),
    ("consignee", "entity", False): gettext_lazy(
        "Consignee “%(entered)s” matches entity of concern “%(name)s” (%(percent)d%%)"
    ),
    ("consignee", "entity", True): gettext_lazy(
        "Consignee “%(entered)s” matches alias “%(name)s” of entity of concern “%(party)s” "
        "(%(percent)d%%)"
    ),
}
_SAME_DESTINATION = gettext_lazy("Same destination: %(country)s")
_SAME_IDENTIFIER = gettext_lazy("Identifier %(identifier)s is also that of “%(party)s”")
_OTHER_IDENTIFIER = gettext_lazy(
    "Another %(kind)s: the application gives %(entered)s, “%(party)s” has %(stored)s"
)
_OTHER_COUNTRY = gettext_lazy("Destination %(country)s is not a country this item gives")
_SAME_CONTROL_ENTRY = gettext_lazy("Same control entry: %(entry)s")
_SAME_CONTROL_CATEGORY = gettext_lazy("Same control category: %(category)s")

_WASSENAAR_ENTRY_RE = re.compile(r"^(\d[a-e]\d{3})\.?([a-z].*)?$")


def _control_entry(entry: str) -> tuple[str, str]:
    """(canonical entry, its category) of a control-list entry; ("", "") when empty.

    "5a001 J" → ("5A001.j", "5A001"); the category is what comes before the first dot.
    """
    key = re.sub(r"\s+", "", entry).lower().strip(".")
    if not key:
        return "", ""
    if match := _WASSENAAR_ENTRY_RE.match(key):
        key = match.group(1) + ("." + match.group(2) if match.group(2) else "")
    category, _, rest = key.partition(".")
    category = category.upper()
    return (f"{category}.{rest}" if rest else category), category


@dataclass(slots=True)
class _NameHit:
    """The best name of a denial found for one entered name."""

    similarity: float
    entry: _Entry
    entered: str


def _is_better(candidate: _NameHit, current: _NameHit | None, role: str) -> bool:
    """Higher similarity wins; then the same role, then a name over an alias."""
    if current is None:
        return True

    def rank(hit: _NameHit) -> tuple:
        return (hit.similarity, hit.entry.party.role == role, not hit.entry.alias)

    return rank(candidate) > rank(current)


def _party_scores(role_hits, by_identifier, score: int, best: float, threshold: int) -> tuple:
    scores: dict = {}
    if by_identifier and by_identifier[0].ref is not None:
        scores[by_identifier[0].ref] = score
    for _role, hit in role_hits:
        ref = hit.entry.party.ref
        if ref is not None:
            own = score - round(NAME_POINTS * (best - hit.similarity))
            scores[ref] = max(scores.get(ref, 0), own)
    ranked = sorted(scores.items(), key=lambda pair: -pair[1])
    return tuple((ref, own) for ref, own in ranked if own >= threshold)


def _conflicting(pairs: list[tuple[PartyFacts, list[ids.Identifier]]]):
    """(party, entered identifier, the party's own) for each conflict, each party with
    the identifiers entered for the name that matched it."""
    for party, entered in pairs:
        for mine in entered:
            for theirs in party.identifiers:
                if mine.conflicts_with(theirs):
                    yield party, mine, theirs


def screen(
    transaction: Transaction,
    denials: Iterable[DenialFacts] | ScreeningIndex,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    among: Collection[object] | None = None,
) -> list[Match]:
    """The denials that match the transaction at or above ``threshold``, best first.

    ``denials`` is a ``ScreeningIndex`` from ``prepare`` or any iterable of
    ``DenialFacts``, indexed on the spot (and memoised: the last few distinct sets of
    denials, compared by value, are not indexed again). A denial matches only through a
    name reaching ``NAME_GATE``; the score formula is in the module docstring. Reasons
    are translated into the active language.

    ``among``, if given, restricts the results to the denials with those ids: one index
    of all active denials can then serve every state, each screening only among the
    denials its ``visible_to`` queryset returns. A denial's score depends on nothing but
    the denial and the transaction, so the others cannot change what is shown.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 0 <= threshold <= 100:
        raise ValueError("threshold must be an integer from 0 to 100")
    index = _index_of(denials)
    if among is not None and not isinstance(among, set | frozenset):
        with contextlib.suppress(TypeError):  # ids that cannot be hashed: compare as given
            among = set(among)

    hits: dict[int, dict[str, _NameHit]] = {}
    for role, entered in (("end_user", transaction.end_user), ("consignee", transaction.consignee)):
        entered = entered.strip()
        if not entered:
            continue
        for spelling in (entered, *_romanisations(entered)):
            query = _forms(spelling)
            if query is None:
                continue
            romanised = spelling is not entered
            native = romanised or bool(query.native)  # entered in those scripts
            for number in index.candidates(query):
                entry = index.entries[number]
                if among is not None and index.denials[entry.denial].id not in among:
                    continue
                if native and (entry.romanised or (romanised and entry.forms.native)):
                    continue  # two names in those scripts: compared in them alone
                similarity = _forms_similarity(query, entry.forms)
                if similarity < NAME_GATE:
                    continue
                hit = _NameHit(similarity, entry, entered)
                by_role = hits.setdefault(entry.denial, {})
                if _is_better(hit, by_role.get(role), role):
                    by_role[role] = hit

    entered_by_role = {
        "end_user": ids.readable(transaction.end_user_identifiers.splitlines()),
        "consignee": ids.readable(transaction.consignee_identifiers.splitlines()),
    }
    identified: dict[int, tuple[PartyFacts, ids.Identifier]] = {}
    for identifier in [*entered_by_role["end_user"], *entered_by_role["consignee"]]:
        for position, party in index.identified.get(identifier.key, ()):
            if among is not None and index.denials[position].id not in among:
                continue
            identified.setdefault(position, (party, identifier))

    destination = transaction.destination.strip().upper()
    entry, category = _control_entry(transaction.control_entry)
    ranked = []
    for position in [*hits, *(p for p in identified if p not in hits)]:
        by_role = hits.get(position, {})
        denial = index.denials[position]
        role_hits = [(role, by_role[role]) for role in ROLES if role in by_role]
        best = max((hit.similarity for _, hit in role_hits), default=0.0)
        reasons = []
        for role, hit in role_hits:
            party = hit.entry.party
            template = _NAME_REASONS[(role, party.role, hit.entry.alias)]
            reasons.append(
                str(template)
                % {
                    "entered": hit.entered,
                    "name": hit.entry.name,
                    "party": party.name,
                    "percent": round(hit.similarity * 100),
                }
            )
        points = NAME_POINTS * best
        matched = [hit.entry.party for _, hit in role_hits]
        conflicts = []
        by_identifier = identified.get(position)
        if by_identifier:
            party, identifier = by_identifier
            matched.append(party)
            reasons.append(
                str(_SAME_IDENTIFIER) % {"identifier": ids.written(identifier), "party": party.name}
            )
        else:
            # Only the numbers given for the party whose name matched can speak against it.
            pairs = [(hit.entry.party, entered_by_role[role]) for role, hit in role_hits]
            for party, mine, theirs in _conflicting(pairs):
                conflicts.append("identifier")
                points -= IDENTIFIER_CONFLICT_POINTS
                reasons.append(
                    str(_OTHER_IDENTIFIER)
                    % {
                        "kind": ids.SCHEMES[mine.scheme],
                        "entered": ids.written(mine),
                        "party": party.name,
                        "stored": ids.written(theirs),
                    }
                )
                break

        # The destination is the matched party's country or that of one of the denial's
        # end-users (a consignee in a third country still ships to the end-user).
        countries = {party.country.strip().upper() for party in matched}
        countries.update(
            p.country.strip().upper() for p in denial.parties if p.role in ("end_user", "entity")
        )
        countries.discard("")
        same_destination = bool(destination) and destination in countries
        if same_destination:
            points += DESTINATION_POINTS
            reasons.append(str(_SAME_DESTINATION) % {"country": destination})
        elif destination and countries:
            conflicts.append("country")
            points -= COUNTRY_CONFLICT_POINTS
            reasons.append(str(_OTHER_COUNTRY) % {"country": destination})

        control = ""
        denied_entry, denied_category = (
            ("", "") if denial.catch_all else _control_entry(denial.control_entry)
        )
        if entry and denied_entry:
            if entry == denied_entry:
                control = "entry"
                points += CONTROL_ENTRY_POINTS
                reasons.append(str(_SAME_CONTROL_ENTRY) % {"entry": denied_entry})
            elif category == denied_category:
                control = "category"
                points += CONTROL_CATEGORY_POINTS
                reasons.append(str(_SAME_CONTROL_CATEGORY) % {"category": denied_category})

        if by_identifier:
            points = max(points + IDENTIFIER_POINTS, IDENTIFIER_SCORE)
        score = max(0, min(100, round(points)))
        if score < threshold:
            continue
        match = Match(
            denial_id=denial.id,
            score=score,
            reasons=tuple(reasons),
            matched_names=tuple((hit.entered, hit.entry.name) for _, hit in role_hits),
            name_percent=round(best * 100),
            destination=same_destination,
            control=control,
            identifier=bool(by_identifier),
            conflicts=tuple(conflicts),
            parties=_party_scores(role_hits, by_identifier, score, best, threshold),
        )
        ranked.append(((-score, -best, -len(role_hits), position), match))
    ranked.sort(key=lambda item: item[0])
    return [match for _, match in ranked]
