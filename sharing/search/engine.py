"""One search over everything a user may read: notices and best practices.

``search(user, query, ...)`` returns ranked hits of both kinds, each set first narrowed
by ``visible_to(user)``, so search never shows what the pages would not. How the words
of a row are kept, read and matched is ``sharing.common.textsearch``; here the kinds are
ranked together, and PostgreSQL's ``ts_headline`` gives the snippets.

At most ``textsearch.MAX_CANDIDATES`` matches of each kind are ranked: the newest, when
more match (``Results.capped``), so that a common word costs no more than a rare one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection
from django.utils.safestring import SafeString

from sharing.common import textsearch
from sharing.common.choices import RESTRICTED_TLP
from sharing.common.querysets import LONG_TEXT_FIELDS
from sharing.common.textsearch import CONFIG, Query, highlight, parse
from sharing.notices.models import Notice
from sharing.practices.models import BestPractice

# --- Searching ------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str  # "notice" or "best_practice"
    obj: Notice | BestPractice
    rank: float
    snippet: SafeString

    @property
    def id(self):
        return self.obj.pk

    @property
    def title(self) -> str:
        return self.obj.title

    @property
    def summary(self) -> str:
        return self.obj.summary

    @property
    def url(self) -> str:
        return self.obj.get_absolute_url()


KINDS = {"notice": Notice, "best_practice": BestPractice}


@dataclass
class Results:
    query: Query
    hits: list[Hit]  # the requested page
    total: int
    counts: dict[str, int]  # per kind
    capped: bool  # more matched than were ranked


def search(
    user,
    raw_query: str,
    *,
    kinds=("notice", "best_practice"),
    querysets: dict | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Results:
    """Ranked hits for ``raw_query`` among what ``user`` may read.

    ``querysets`` may narrow a kind (filters chosen on the page); they are always
    narrowed again by ``visible_to(user)``. Runs a fixed number of queries: one per kind
    to rank, one per kind to load the page, and on PostgreSQL one per kind for snippets;
    and once per process for each query that is not plain words, whether PostgreSQL reads
    a phrase in it (``textsearch._reads_as_phrase``).
    """
    query = parse(raw_query)
    if not query:
        return Results(query, [], 0, dict.fromkeys(kinds, 0), False)
    querysets = querysets or {}
    ranked = []
    counts, capped = {}, False
    for kind in kinds:
        model = KINDS[kind]
        base = querysets.get(kind, model.objects.all()).visible_to(user)
        candidates = textsearch.candidates(base, query)
        counts[kind] = len(candidates)
        capped = capped or len(candidates) >= textsearch.MAX_CANDIDATES
        ranked.extend((score, published, kind, pk) for score, published, pk in candidates)
    ranked.sort(key=lambda row: (-(row[0] or 0), -(row[1].timestamp() if row[1] else 0)))
    page = ranked[offset : offset + limit]
    hits = []
    for kind in kinds:
        wanted = {pk: score for score, _published, row_kind, pk in page if row_kind == kind}
        if not wanted:
            continue
        model = KINDS[kind]
        related = "author_state" if model is Notice else "lead_state"
        objects = (
            model.objects.select_related(related).defer(*LONG_TEXT_FIELDS).in_bulk(list(wanted))
        )
        snippets = _snippets(model, list(wanted), query)
        for pk, obj in objects.items():
            hits.append(Hit(kind, obj, float(wanted[pk] or 0), snippets.get(pk, "")))
    order = {(row[2], row[3]): index for index, row in enumerate(page)}
    hits.sort(key=lambda hit: order[(hit.kind, hit.obj.pk)])
    return Results(query, hits, len(ranked), counts, capped)


# --- Snippets -------------------------------------------------------------------------------


def _snippets(model, pks: list, query: Query) -> dict:
    """Highlighted passages. AMBER, AMBER+STRICT and RED notices get none: their text is
    read on their page, where the reading is audited."""
    rows = model.objects.filter(pk__in=pks)
    if model is Notice:
        rows = rows.exclude(tlp__in=RESTRICTED_TLP)
    if connection.vendor == "postgresql":
        tsquery = SearchQuery(query.text, search_type="websearch", config=CONFIG)
        headline = SearchHeadline(
            "search_text",
            tsquery,
            config=CONFIG,
            start_sel=textsearch.START,
            stop_sel=textsearch.STOP,
            max_words=35,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        snippets = {}
        for pk, text, fragment in rows.annotate(headline=headline).values_list(
            "pk", "search_text", "headline"
        ):
            # No mark means the match was a substring (another script, part of a word).
            snippets[pk] = (
                textsearch.marked(fragment)
                if textsearch.START in fragment
                else highlight(text, query)
            )
        return snippets
    return {pk: highlight(text, query) for pk, text in rows.values_list("pk", "search_text")}
