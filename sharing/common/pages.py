"""What the notice and best-practice pages share."""

import difflib
import itertools

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.utils.functional import cached_property

from sharing.common.choices import TLP
from sharing.common.models import Attachment, Revision

# A list counts what it holds up to this many rows; past it, it says "more than".
COUNT_LIMIT = 1000


def filtered(filterset) -> tuple:
    """The filter's results and whether its values were valid: a value that is not valid
    shows its error and no results, never everything."""
    valid = not filterset.is_bound or filterset.is_valid()
    return (filterset.qs if valid else filterset.queryset.none()), valid


class CountingUpTo(Paginator):
    """A paginator that counts the rows only up to ``limit``. Past it, ``more`` is true,
    the list says "more than" the limit, and its pages go on one Next at a time, each
    fetching one row beyond itself to know whether another follows. Counting every row
    a reader may see was a scan of the 68,000 notices a state reads at 100,000 (70 ms,
    with two more processes helping) on every list page; counting the first thousand
    stops there.

    A page asked for past the end of an uncounted list (a link kept while notices were
    withdrawn, a number typed by hand) gets the exact count once, and the last page, as
    Django's paginator gives it."""

    # Beyond this a page number is past any end (and its OFFSET past what SQL takes).
    MAX_OFFSET = 10**9

    def __init__(self, object_list, per_page, limit: int):
        super().__init__(object_list, per_page)
        self.limit = limit

    @cached_property
    def more(self) -> bool:
        counted = self.object_list.order_by().values("pk")[: self.limit + 1].count()
        if counted <= self.limit:
            self.count = counted  # the exact count, which Paginator's pages use
            return False
        return True

    def get_page(self, number) -> Page:
        if not self.more:
            return super().get_page(number)
        try:
            number = int(number)
        except (TypeError, ValueError, OverflowError):
            number = 1
        bottom = (number - 1) * self.per_page
        window = slice(bottom, bottom + self.per_page + 1)
        rows = list(self.object_list[window]) if 0 <= bottom <= self.MAX_OFFSET else []
        if not rows:  # past either end
            self.more = False
            return super().get_page(number)
        return UncountedPage(
            rows[: self.per_page], number, self, has_next=len(rows) > self.per_page
        )


class UncountedPage(Page):
    """A page of a list that was not counted to its end: it knows whether another page
    follows, not how many."""

    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next

    # Django's would check the numbers against the page count, which needs the count.
    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


def paginate(request, results, per_page: int) -> Page:
    """The page of ``results`` (a queryset) the request asks for, the last one past the
    end; lists longer than COUNT_LIMIT are not counted to their end (CountingUpTo)."""
    return CountingUpTo(results, per_page, COUNT_LIMIT).get_page(request.GET.get("page"))


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


def stricter(*markings: str) -> str:
    """The most restrictive of TLP ``markings`` (blank ones ignored)."""
    order = TLP.values
    return max((m for m in markings if m in order), key=order.index, default="")


def with_diffs(revisions) -> list[Revision]:
    """The revisions (those the reader may read, newest first), each with ``.diff``
    against the one before it in the list (None for the first) and ``.diff_tlp``: a
    diff shows text of both versions, so it carries the stricter of their markings."""
    revisions = list(revisions)
    diffs = version_diffs(revisions)
    ordered = sorted(revisions, key=lambda r: r.version)
    before = dict(zip((r.version for r in ordered[1:]), ordered, strict=False))
    for revision in revisions:
        revision.diff = diffs.get(revision.version)
        earlier = before.get(revision.version)
        revision.diff_tlp = stricter(revision.tlp, earlier.tlp) if earlier else revision.tlp
    return revisions


def earlier_versions_hidden(revisions) -> bool:
    """Whether the item had published versions before the first of ``revisions`` (those
    the reader may read): the page then says they were not shared with the reader."""
    return bool(revisions) and min(r.version for r in revisions) > 1


def readable_history(user) -> list:
    """What a detail page prefetches of an item's history for ``user``: the versions
    and the files that reached their state (``item.readable_revisions`` and
    ``item.readable_attachments``), in two queries however many."""
    return [
        Prefetch(
            "revisions",
            queryset=Revision.objects.visible_to(user).select_related("created_by"),
            to_attr="readable_revisions",
        ),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.visible_to(user),
            to_attr="readable_attachments",
        ),
    ]
