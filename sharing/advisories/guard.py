"""The copy guard: an advisory leaves government, so it may not repeat the words of a
restricted source (docs/architecture.md, "Advisories").

A passage of 12 or more consecutive words that an advisory's text shares with a version
of its source notice marked TLP:AMBER or stricter is refused at release. Words are
compared case-folded and without punctuation or Markdown, so re-punctuating a copied
sentence does not pass it off as new; every passage found is given with where it sits
in the advisory's own text, for the officer to rewrite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Letters and digits; "_" is Markdown's emphasis, not part of a word.
WORD = re.compile(r"[^\W_]+")
# The length of a run of shared words that counts as copied.
RUN = 12


@dataclass(frozen=True)
class Passage:
    """A run of words in ``field`` of the advisory shared with the source: the text as
    the officer wrote it, from ``start`` to ``end``, and how many words it is."""

    field: str
    text: str
    start: int
    end: int
    words: int


def _words(text: str) -> list[str]:
    return [match.group().casefold() for match in WORD.finditer(text)]


def copied_passages(texts: dict[str, str], sources: Iterable[str], run: int = RUN) -> list[Passage]:
    """The passages of ``texts`` (by field) that repeat ``run`` or more consecutive
    words of any of ``sources``; overlapping and adjoining runs make one passage."""
    shingles: set[tuple[str, ...]] = set()
    for source in sources:
        words = _words(source)
        shingles.update(tuple(words[i : i + run]) for i in range(len(words) - run + 1))
    if not shingles:
        return []
    found = []
    for field, text in texts.items():
        matches = list(WORD.finditer(text))
        words = [match.group().casefold() for match in matches]
        copied = [False] * len(words)
        for i in range(len(words) - run + 1):
            if tuple(words[i : i + run]) in shingles:
                copied[i : i + run] = [True] * run
        i = 0
        while i < len(words):
            if not copied[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(words) and copied[j + 1]:
                j += 1
            start, end = matches[i].start(), matches[j].end()
            found.append(Passage(field, text[start:end], start, end, j - i + 1))
            i = j + 1
    return found
