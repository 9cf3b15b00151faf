"""What the notice and best-practice pages share."""

import difflib
import itertools

from sharing.models import Revision


def version_diffs(revisions: list[Revision]) -> dict[int, list[tuple[str, str]]]:
    """For each version after the first: the changed lines of title, summary and body
    against the version before, as (sign, line) pairs."""
    ordered = sorted(revisions, key=lambda r: r.version)
    diffs = {}
    for before, after in itertools.pairwise(ordered):
        lines = []
        for field in ("title", "summary", "body"):
            old = (before.snapshot.get(field) or "").splitlines()
            new = (after.snapshot.get(field) or "").splitlines()
            for line in difflib.unified_diff(old, new, lineterm="", n=1):
                if line.startswith(("---", "+++")):
                    continue
                sign = line[:1] if line[:1] in "+-@" else " "
                text = line[1:] if sign != "@" else field
                lines.append((sign, text))
        diffs[after.version] = lines
    return diffs


def with_diffs(revisions) -> list[Revision]:
    """The revisions, newest first, each with ``.diff`` against the one before (None for
    the first)."""
    revisions = list(revisions)
    diffs = version_diffs(revisions)
    for revision in revisions:
        revision.diff = diffs.get(revision.version)
    return revisions
