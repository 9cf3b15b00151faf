"""Text search over the rows of one kind (notices, best practices): how a row's words
are kept, how what people type is read, and which rows match, best first.

Every searchable model has the fields ``search_text``, ``search_folded`` and (on
PostgreSQL) ``search_vector``, and a ``search_document()`` method that gives its text in
three weights. The services call ``index(obj)`` whenever they save content. The lists of
each kind filter with ``matching``; the search across kinds (``sharing.search``) ranks
with ``candidates`` and shows ``highlight``. docs/architecture.md, "Search", says how.

Every row keeps its words three ways (``search_fields``): ``search_text`` as written
(for snippets), ``search_folded``, the same in lower case with the accents of Latin and
Greek letters taken off (``fold``), and on PostgreSQL a weighted ``tsvector`` (title A;
summary, entity names, control codes and countries B; body C; D, overlapping pairs of
letters of the scripts written without spaces) with a GIN index. What people type is
read with ``websearch_to_tsquery`` (quotes, ``or``, ``-word`` work and nothing can be a
syntax error) and ranked with ``ts_rank``.

Partial words, words typed without their accents ("evaluation" for "évaluation") and
Japanese, Chinese and Korean (whose words carry particles, or no spaces at all) are
found by a substring match of the folded term in ``search_folded``, the same plain
``LIKE`` on both databases. On PostgreSQL a trigram (pg_trgm) GIN index serves it for
terms of three letters or more (migration 0011); terms in unspaced scripts are first
narrowed through their letter pairs in the vector, which also finds words of two
letters (most Korean and Japanese words) that no trigram can. SQLite, the embedded mode,
has the substring match alone and returns the same shape.
"""

from __future__ import annotations

import datetime
import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import nh3
from django.contrib.postgres.search import (
    CombinedSearchVector,
    SearchQuery,
    SearchQueryField,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    Func,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import IContains
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.db import planner

CONFIG = "english"
MAX_QUERY_LENGTH = 200
MAX_CANDIDATES = 250  # per kind; the newest are ranked when more match
RECENT_WINDOW = 20 * MAX_CANDIDATES  # the newest rows of a kind, looked in first
PHRASE_WINDOW = 4 * MAX_CANDIDATES  # per kind; rows whose words' positions are read
SNIPPET_LENGTH = 240
# ts_headline marks matches with these; they are replaced by <mark> after escaping, so
# that nothing of the document itself is ever taken as markup.
START, STOP = "\x02", "\x03"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Control characters other than line breaks and tabs never reach the index (two of
# them mark matches in snippets).
_CONTROL_KEPT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TERM = re.compile(r'(-?)"([^"]+)"|(-?)(\S+)')
_OPERATORS = {"or", "and"}
_ANY_OF = re.compile(r"(?:^|\s)or(?:\s|$)", re.IGNORECASE)


# --- Indexing -------------------------------------------------------------------------------


def plain_text(rendered_html: str) -> str:
    """The words of rendered Markdown, without markup."""
    return html.unescape(nh3.clean(rendered_html or "", tags=set()))


def document(obj) -> tuple[str, str, str]:
    """(title, middle, body) of ``obj`` as they are indexed: what its
    ``search_document()`` gives (the title; the summary and the other short texts that
    describe it; the body as plain text), without control characters. Models read their
    relations through ``.all()``, so prefetched ones cost no query: ``generate_bench_data``
    indexes rows in bulk with this before they are saved."""
    title, middle, body = (_CONTROL_KEPT_LINES.sub(" ", part) for part in obj.search_document())
    return title, middle, body


def fold(text: str) -> str:
    """``text`` as substring matching compares it: lower case, and Latin and Greek
    letters without their accents ("Prüfung", composed or not, → "prufung"; "Łódź" →
    "lodz"), other scripts as they are (a Japanese voicing mark makes another letter)."""
    folded = unicodedata.normalize("NFC", text).lower().translate(_fold_table())
    return folded if folded.isascii() else _COMBINING_ACCENT.sub("", folded)


@cache
def _fold_table() -> dict[int, str]:
    return str.maketrans(_accents()[0])


# Scripts written without spaces between words (Japanese, Chinese), and Korean, whose
# words carry their particles ("감시를"): there a word can only be found as a substring.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_UNSPACED_RUN = re.compile(f"{_UNSPACED.pattern}+")


def letter_pairs(text: str) -> list[str]:
    """The overlapping pairs of letters of every run of an unspaced script in ``text``,
    and each run's last letter, so that a single letter is found as a prefix too:
    "監視ソフト" → 監視, 視ソ, ソフ, フト, ト."""
    pairs = set()
    for run in _UNSPACED_RUN.findall(text):
        pairs.update(_pairs(run))
        pairs.add(run[-1])
    return sorted(pairs)


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


class _Lexemes(Func):
    """A ``tsvector`` of these lexemes exactly as they are, weighted D (no parser, no
    dictionary: the pairs are looked up exactly as they were written)."""

    template = "setweight(array_to_tsvector(%(expressions)s::text[]), 'D')"
    output_field = SearchVectorField()


def vector(title: str, middle: str, body: str):
    """The weighted ``tsvector`` of a row's three parts (PostgreSQL), as an expression:
    their words folded (so that accents need not be typed), and the letter pairs."""
    words = (
        SearchVector(Value(fold(title)), weight="A", config=CONFIG)
        + SearchVector(Value(fold(middle)), weight="B", config=CONFIG)
        + SearchVector(Value(fold(body)), weight="C", config=CONFIG)
    )
    pairs = letter_pairs("\n".join([title, middle, body]))
    return CombinedSearchVector(words, "||", _Lexemes(Value(pairs)), CONFIG) if pairs else words


def search_fields(title: str, middle: str, body: str) -> dict:
    """The values of a row's search fields for its three parts (see ``document``)."""
    text = "\n".join([title, middle, body])
    fields = {"search_text": text, "search_folded": fold(text)}
    if connection.vendor == "postgresql":
        fields["search_vector"] = vector(title, middle, body)
    return fields


def index(obj) -> None:
    """Bring ``obj``'s search fields up to date with its saved content."""
    type(obj).objects.filter(pk=obj.pk).update(**search_fields(*document(obj)))


# --- Reading the query ----------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    text: str  # what was typed, cleaned
    terms: list[str]  # words and quoted phrases that must appear
    excluded: list[str]  # -words and -"phrases" that must not

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse(raw: str) -> Query:
    """Whatever was typed (any length, any characters) as a usable query."""
    text = " ".join(_CONTROL.sub(" ", str(raw or "")).split())[:MAX_QUERY_LENGTH]
    terms: list[str] = []
    excluded: list[str] = []
    for match in _TERM.finditer(text):
        negative = match.group(1) or match.group(3)
        term = (match.group(2) or match.group(4) or "").strip().strip('"')
        if not term or term.lower() in _OPERATORS or term == "-":
            continue
        (excluded if negative else terms).append(term)
    return Query(text=text, terms=terms, excluded=excluded)


# --- Accents --------------------------------------------------------------------------------

# Letters without a decomposition that PostgreSQL's unaccent folds too (\u0131: dotless i).
_EXTRA_FOLDS = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "\u0131": "i", "ŧ": "t"}
# The Latin and Greek blocks: accents elsewhere (Japanese voicing marks, Cyrillic й) are
# part of the letter.
_FOLDED_BLOCKS = [range(0xC0, 0x250), range(0x370, 0x400), range(0x1E00, 0x2000)]
_COMBINING_ACCENT = re.compile(r"[\u0300-\u036f]")


@cache
def _accents() -> tuple[dict[str, str], dict[str, str]]:
    """(accented letter → its base, base → every form of it): é → e, and e → eéèêë…,
    lower case only (matching ignores case)."""
    to_base = dict(_EXTRA_FOLDS)
    for block in _FOLDED_BLOCKS:
        for char in map(chr, block):
            parts = unicodedata.normalize("NFD", char)
            if char == char.lower() and len(parts) > 1 and _COMBINING_ACCENT.match(parts[1]):
                to_base[char] = parts[0]
    forms: dict[str, str] = {}
    for char, base in to_base.items():
        forms[base] = forms.get(base, base) + char
    return to_base, forms


def accent_pattern(term: str) -> str:
    """A regular expression, to use ignoring case, that finds ``term`` whatever its
    accents: "prufung" and "prüfung" both find "Prüfung" (composed or not)."""
    to_base, forms = _accents()
    parts = []
    for char in _COMBINING_ACCENT.sub("", term.lower()):
        base = to_base.get(char, char)
        if base in forms:
            parts.append(f"[{re.escape(forms[base])}]{_COMBINING_ACCENT.pattern}*")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


class _Folded(Func):
    """Text without its accents, on PostgreSQL: ``sharing_fold`` (migration 0008), for
    the title and summary of the few rows ranked."""

    function = "sharing_fold"
    output_field = TextField()


def _contains(field: str, term: str) -> Q:
    """``field`` (a short one: title, summary) holds ``term``, whatever the case and the
    accents of either; long texts are matched through ``search_folded``."""
    if connection.vendor == "postgresql":
        return Q(IContains(_Folded(F(field)), _Folded(Value(term))))
    return Q(**{f"{field}__iregex": accent_pattern(term)})


# --- Matching -------------------------------------------------------------------------------

# Shorter terms of spaced scripts are matched as words only, on PostgreSQL: no trigram
# index can narrow a substring of one or two letters ("IT" would read every row).
MIN_SUBSTRING = 3


class _HasLexemes(Func):
    """``search_vector`` holds every one of these lexemes (``'監視' & '視セ'``), read as
    they are, without a parser or dictionary (see ``_Lexemes``)."""

    template = "%(expressions)s::tsquery"
    arg_joiner = " @@ "
    output_field = BooleanField()
    conditional = True


def _pairs_query(term: str) -> str | None:
    """The letter pairs a row must hold to contain ``term`` (its unspaced runs), as a
    tsquery; a run of one letter is a prefix of a pair."""
    lexemes = []
    for run in _UNSPACED_RUN.findall(term):
        if len(run) == 1:
            lexemes.append(f"'{run}':*")
        else:
            lexemes.extend(f"'{pair}'" for pair in _pairs(run))
    return " & ".join(dict.fromkeys(lexemes)) or None


def _holds(term: str) -> Q | None:
    """Rows whose text holds ``term`` as a substring, accents and case folded; None when
    PostgreSQL would have to read every row to tell (a short term of a spaced script)."""
    folded = Q(search_folded__contains=fold(term))
    if connection.vendor != "postgresql":
        return folded
    pairs = _pairs_query(term)
    if pairs:
        return Q(_HasLexemes(F("search_vector"), Value(pairs))) & folded
    return folded if len(term) >= MIN_SUBSTRING else None


def _substring_match(query: Query) -> Q | None:
    match = Q()
    for term in query.terms:
        holds = _holds(term)
        if holds is None:
            return None
        match &= holds
    return match


def _exclusions(query: Query) -> Q:
    """What ``-word`` removes. On PostgreSQL words of spaced scripts are excluded as
    words (so ``-arm`` keeps "harm"); substrings, accents folded, only for unspaced
    scripts and SQLite."""
    excluded = Q()
    for term in query.excluded:
        if connection.vendor == "postgresql" and not _UNSPACED.search(term):
            excluded |= Q(
                search_vector=SearchQuery(fold(term), search_type="phrase", config=CONFIG)
            )
        else:
            # A term of an unspaced script, or any on SQLite: always answerable.
            excluded |= _holds(term) or Q()
    return excluded


def _bonus(query: Query):
    """Substring evidence, so that a title match outranks a body-only match whatever
    the script: +1 when the title holds every term, +0.3 when the summary does."""
    in_title, in_summary = Q(), Q()
    for term in query.terms:
        in_title &= _contains("title", term)
        in_summary &= _contains("summary", term)
    return Case(
        When(in_title, then=Value(1.0)),
        When(in_summary, then=Value(0.3)),
        default=Value(0.0),
        output_field=FloatField(),
    )


# A term that is a word and nothing else, which may begin a longer word.
_PLAIN_WORD = re.compile(r"[^\W_]+")


def _words(query: Query):
    """The query as the vectors hold words (PostgreSQL): in ``websearch`` syntax and
    folded; and when every term is a plain word, each also as the beginning of a longer
    one ("interce" finds "interception", "Iran" "Iranian")."""
    words = SearchQuery(fold(query.text), search_type="websearch", config=CONFIG)
    if all(_PLAIN_WORD.fullmatch(term) for term in query.terms):
        prefixes = " & ".join(f"{fold(term)}:*" for term in query.terms)
        words |= SearchQuery(prefixes, search_type="raw", config=CONFIG)
    return words


def _ways_to_match(query: Query) -> list[Q]:
    """What makes a row match, best evidence first: on PostgreSQL its words (through
    the vector's index alone), then, where it can be told from an index, a substring;
    on SQLite the substring only."""
    substring = _substring_match(query)
    if connection.vendor != "postgresql":
        return [substring or Q()]  # SQLite always matches by substring
    words = Q(search_vector=_words(query))
    return [words] if substring is None else [words, substring]


def matching(queryset, query: Query):
    """The rows of ``queryset`` that match ``query``, annotated with their ``score``
    (higher is better), still a queryset: filters, counts and orderings apply to every
    match, not to a ranked few. The caller narrows ``queryset`` to what the reader may
    see (visible_to)."""
    ways = _ways_to_match(query)
    any_way = ways[0]
    for way in ways[1:]:
        any_way |= way
    return _scored(_excluding(queryset.filter(any_way), query), query)


def _excluding(queryset, query: Query):
    """``queryset`` without what the query's ``-words`` name: through a subquery, which
    the indexes answer once, rather than a test of every row."""
    if not query.excluded:
        return queryset
    excluded = queryset.model.objects.filter(_exclusions(query)).values("pk")
    return queryset.exclude(pk__in=excluded)


def _scored(queryset, query: Query):
    if connection.vendor == "postgresql":
        rank = SearchRank(F("search_vector"), _words(query), weights=[0.1, 0.2, 0.4, 1.0])
        return queryset.annotate(score=rank + _bonus(query))
    return queryset.annotate(score=_bonus(query))


BEST_FIRST = ("-score", F("published_at").desc(nulls_last=True), "pk")


def _through_the_indexes():
    """PostgreSQL costs testing a row's vector or text as nearly free, unaware that the
    value lies in TOAST (rows are kept narrow: migration 0011), and so prefers reading
    the whole table for any word that is in more than a few rows: a second where the
    indexes take milliseconds. Here it may not scan the table, nor start parallel
    workers for a query of milliseconds (each would build the visibility rules' hashed
    recipient list again)."""
    return planner(enable_seqscan="off", max_parallel_workers_per_gather="0")


# The newest first, in an order no index serves: PostgreSQL then takes the matches from
# the search indexes and sorts them, rather than walking the rows newest first and
# reading each one's text to test it (seconds, for a word in one row of twenty).
NEWEST_FIRST = (F("published_at").desc(nulls_last=True), "-pk")


# How a tsquery written as text shows that the words around it must follow each other:
# ``<->`` (next to each other), ``<2>`` (two apart).
_PHRASE_OPERATOR = "<[0-9-]+>"


class _Loosened(Func):
    """A tsquery with the order of its phrases dropped: ``'trade' <-> 'fair'`` becomes
    ``'trade' & 'fair'`` (rows holding both words, anywhere), which the vector's GIN
    index answers alone, without reading a vector. Only for queries without negation,
    where this finds every row the phrase finds, and more."""

    template = f"regexp_replace((%(expressions)s)::text, '{_PHRASE_OPERATOR}', '&', 'g')::tsquery"
    output_field = SearchQueryField()


class _Matches(Func):
    """``vector @@ tsquery``, which an index on the vector may answer."""

    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()
    conditional = True


class _Tested(Func):
    """The same test as a function that no index answers and that PostgreSQL knows to
    be dear (migration 0012): it is applied to the rows found otherwise, one by one."""

    function = "sharing_phrase_test"
    output_field = BooleanField()
    conditional = True


def _phrase_window(queryset, query: Query) -> Q | None:
    """On PostgreSQL, for a query with a phrase, the test by words to use instead of the
    vector's index; None for any other query.

    A phrase (``"trade fair"``, or a hyphenated word: ``end-user`` is ``'end-us' <->
    'end' <-> 'user'`` to PostgreSQL) cannot be told from the GIN index, which keeps no
    positions: PostgreSQL would read the vector of every row holding all its words, a
    second for common ones. So the phrase is tested only on the newest ``PHRASE_WINDOW`` rows of
    ``queryset`` that hold its words (which the index finds alone). Where the newest
    matches are taken anyway (more than ``MAX_CANDIDATES`` in the window) they are the
    same; where fewer, older rows holding the phrase as it is written are still found by
    the substring match that fills in. Not for queries with a negation or an ``or``,
    where that would not hold."""
    if (
        connection.vendor != "postgresql"
        or query.excluded  # under a negation, the loosened query would find fewer
        or _ANY_OF.search(query.text)  # the substring match cannot fill an "or" in
        or all(_PLAIN_WORD.fullmatch(term) for term in query.terms)  # no phrase
        or not _reads_as_phrase(fold(query.text))  # "5A001.f.1" is one word to PostgreSQL
    ):
        return None
    words = _words(query)
    holding = queryset.filter(_Matches(F("search_vector"), _Loosened(words)))
    # The newest rows holding the words, through the recent window first: sorting every
    # row that holds two common words took 80-100 ms at 100,000 notices.
    newest = _newest(_recent_first(holding), PHRASE_WINDOW)
    return Q(pk__in=newest) & Q(_Tested(F("search_vector"), words))


@lru_cache(maxsize=1024)
def _reads_as_phrase(folded: str) -> bool:
    """Whether PostgreSQL reads the query ``folded`` with words that must follow each
    other: a quoted phrase, a hyphenated word, but not a control code ("5A001.f.1" is
    one lexeme), which the vector's index answers alone. One short query the first time
    a process meets a query (the answer depends on the text alone), against the vectors
    of a thousand rows read for nothing (40 ms at 100,000 notices)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT websearch_to_tsquery(%s::regconfig, %s)::text ~ %s",
            [CONFIG, folded, _PHRASE_OPERATOR],
        )
        return bool(cursor.fetchone()[0])


def _newest(branches: list, limit: int):
    """The keys of the ``limit`` newest rows of ``branches``, which ``_recent_first``
    made (or one queryset): each branch's newest, in a UNION ALL that PostgreSQL stops
    as soon as it has ``limit`` rows, so the later branches run only when the earlier
    ones hold too few. The UNION ALL has no order of its own: it is run inside
    ``_through_the_indexes``, with no parallel workers, where PostgreSQL reads the
    branches one after the other, in the order given."""
    newest = [branch.order_by(*NEWEST_FIRST).values("pk")[:limit] for branch in branches]
    return newest[0].union(*newest[1:], all=True)[:limit] if len(newest) > 1 else newest[0]


def candidates(queryset, query: Query) -> list[tuple[float, object, object]]:
    """(score, published_at, pk) of the best matches, best first, for merging kinds.

    The newest ``MAX_CANDIDATES`` matches are ranked, not every one (ranking reads each
    row's vector, and a common word is in most rows). Matches by word come first, from
    the vector's index alone; substring matches (part of a word, unspaced scripts) fill
    the rest, and PostgreSQL, which stops a UNION ALL once it has what the LIMIT asks,
    runs them only when the words found fewer: a substring test reads each row's text.
    """
    limit = MAX_CANDIDATES
    first, *others = _ways_to_match(query)
    window = _phrase_window(queryset, query)
    if window is None:
        by_first = queryset.filter(first)
    else:
        # The window holds only what the reader may see: its rows are looked up by key
        # alone, so that PostgreSQL tests the phrase on them, not on every visible row.
        first = window
        by_first = queryset.model.objects.filter(first)
    # A phrase's matches are already the newest of a window of their own.
    firsts = _recent_first(by_first) if window is None else [by_first]
    branches = [*firsts, *(queryset.filter(o).exclude(first) for o in others)]
    newest = _newest([_excluding(branch, query) for branch in branches], limit)
    with _through_the_indexes():
        found = [row["pk"] for row in newest]
    rows = _scored(queryset.model.objects.filter(pk__in=found), query).order_by(*BEST_FIRST)
    return list(rows.values_list("score", "published_at", "pk"))


def _recent_first(matches) -> list:
    """``matches`` as two branches of the UNION ALL: the rows among the newest
    ``RECENT_WINDOW`` published of their kind, then the others (older, or not published).

    A common word is in a third of the rows or more: finding its newest matches meant
    testing the visibility rule on every one and sorting them all (48 ms for a word in
    half of 100,000 notices). The vector's GIN index also holds the publication date
    (btree_gin, migration 0028), so the first branch is answered by the index for the
    window alone, a few thousand rows at most (7 ms). When it holds ``MAX_CANDIDATES``
    matches, those are the newest of all and PostgreSQL never runs the second branch;
    when it holds fewer (a rarer word, which has few rows to sort anyway), the second
    adds the newest of the rest, in the same order. Only with the vector (PostgreSQL):
    SQLite's substring match has no index to narrow. docs/architecture.md, "Search"."""
    if connection.vendor != "postgresql":
        return [matches]
    model = matches.model
    newest = (
        model.objects.filter(published_at__isnull=False)
        .order_by(F("published_at").desc())
        .values("published_at")[RECENT_WINDOW - 1 : RECENT_WINDOW]
    )
    # Fewer published rows than the window: it holds all of them.
    cutoff = Coalesce(Subquery(newest), Value(_LONG_AGO))
    return [matches.filter(published_at__gte=cutoff), matches.filter(_Before(cutoff))]


_LONG_AGO = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)


class _Before(Func):
    """Published before the cutoff, or not published: a test of each row found by the
    vector, which no index answers. Written as a comparison (or its negation), PostgreSQL
    would look for the dates in the index too, not knowing the cutoff when it plans,
    and then test each row's vector again on the table."""

    template = "COALESCE(%(expressions)s, true)"
    arg_joiner = " < "
    output_field = BooleanField()
    conditional = True

    def __init__(self, cutoff):
        super().__init__(F("published_at"), cutoff)


# --- Highlighting -------------------------------------------------------------------------


def marked(text: str) -> SafeString:
    """Escape ``text`` and turn the sentinel marks into <mark> elements."""
    return mark_safe(  # noqa: S308 -- the text is escaped first; only our marks become tags
        escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    )


def highlight(text: str, query: Query) -> SafeString:
    """A short passage of ``text`` around the first match, terms marked as they are
    written in the text (with their accents, whatever was typed)."""
    text = " ".join(text.split())
    # One pass over every term, longest first, so that no mark lands inside another.
    terms = sorted(set(query.terms), key=len, reverse=True)
    patterns = [pattern for pattern in map(accent_pattern, terms) if pattern]
    matcher = re.compile("|".join(patterns), re.I) if patterns else None
    first = matcher.search(text) if matcher else None
    start = max(0, first.start() - SNIPPET_LENGTH // 3) if first else 0
    if first and start:
        # Begin at a word boundary where there is one near (scripts without spaces have none).
        space = text.find(" ", start, first.start())
        if space != -1:
            start = space + 1
    passage = text[start : start + SNIPPET_LENGTH]
    if matcher:
        passage = matcher.sub(lambda m: f"{START}{m.group(0)}{STOP}", passage)
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_LENGTH < len(text) else ""
    return marked(f"{prefix}{passage}{suffix}")
