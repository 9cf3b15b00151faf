"""What the notice and best-practice pages share."""

import difflib
import itertools

from django.core.paginator import Page, Paginator

from sharing.models import Revision


def filtered(filterset) -> tuple:
    """The filter's results and whether its values were valid: a value that is not valid
    shows its error and no results, never everything."""
    valid = not filterset.is_bound or filterset.is_valid()
    return (filterset.qs if valid else filterset.queryset.none()), valid


def paginate(request, results, per_page: int) -> Page:
    """The page of ``results`` the request asks for (the last one past the end)."""
    return Paginator(results, per_page).get_page(request.GET.get("page"))


def other_params(request) -> str:
    """The request's query string without its page number, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


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
            # The first two lines are difflib's file headers; a changed line of the text
            # may itself begin with "---" (a Markdown rule), so they go by position.
            for line in itertools.islice(difflib.unified_diff(old, new, lineterm="", n=1), 2, None):
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
