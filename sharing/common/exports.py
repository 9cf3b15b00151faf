"""Files for spreadsheets and screening engines (docs/interfaces.md, "Exports"):
streamed row by row, so that 100,000 rows never sit in memory, and named after the
strictest marking they hold.

Each kind writes its own rows (``sharing.<kind>.exports``); what is in an export is
what the reader's list holds (``visible_to``, then the list's filters), and the export
is audited before the first byte leaves."""

import csv
import datetime
import json
from collections.abc import Iterable, Iterator

from django.db.models import Count
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.utils import timezone

from portal import audit
from sharing.common.choices import TLP
from sharing.common.pages import filtered, stricter

# Rows read from the database at a time.
CHUNK = 2000

CONTENT_TYPES = {"csv": "text/csv", "ftm": "application/x-ndjson"}
# A cell a spreadsheet would take for a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """One value as a CSV cell: lists joined by "; ", dates in ISO 8601, nothing as
    an empty cell, and text that would start a formula quoted by a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, datetime.datetime):
        value = value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    elif isinstance(value, bool):
        value = "true" if value else "false"
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file that gives back what is written to it: the csv module's writer then
    hands over each row as a string (Django's streaming CSV recipe)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: list[str], rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([cell(row.get(column)) for column in columns])


def jsonl_lines(objects: Iterable[dict]) -> Iterator[str]:
    for obj in objects:
        yield json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n"


def markings(queryset) -> dict[str, int]:
    """How many rows of ``queryset`` carry each marking (the model's ``tlp``)."""
    counts = queryset.order_by().values("tlp").annotate(n=Count("pk")).values_list("tlp", "n")
    return {tlp: n for tlp, n in counts}


def file_name(kind: str, counts: dict[str, int], extension: str) -> str:
    """``notices-2026-12-07-TLP-AMBER.csv``: what, when, and the strictest marking."""
    label = TLP(stricter(*counts) or TLP.CLEAR).label.replace(":", "-").replace("+", "-")
    return f"{kind}-{timezone.localdate().isoformat()}-{label}.{extension}"


def streamed(lines: Iterator[str], *, name: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Restricted content: kept by no cache on the way (portal/middleware sets the rest).
    response["Cache-Control"] = "private, no-store"
    return response


def record_export(
    kind: str, fmt: str, counts: dict[str, int], *, by, request, filters: dict
) -> None:
    """One audit row per export, as for a download: what, in which format, how many
    rows of each marking, with which filters (the filters the list knows, their values
    cut short; of a search only that there was one: never content)."""
    audit.record(
        audit.Action.ITEMS_EXPORTED,
        request=request,
        actor=by,
        details={
            "kind": kind,
            "format": fmt,
            "rows": sum(counts.values()),
            "markings": counts,
            "filters": {key: str(value)[:100] for key, value in filters.items() if key != "q"},
            "searched": bool(filters.get("q")),
        },
    )


def respond(
    queryset, *, kind: str, fmt: str, lines, request, known: Iterable[str]
) -> StreamingHttpResponse:
    """``queryset`` (what the reader's list holds: ``visible_to``, then its filters) as
    a streamed file, audited before the first byte; ``lines(items, absolute)`` writes
    it, ``absolute(path)`` making a page's address whole; ``known`` are the list's
    filters (what the audit records of the query). For the API and the pages."""
    queryset = queryset.order_by("-updated_at", "-pk")
    counts = markings(queryset)
    names = set(known)
    filters = {key: value for key, value in request.GET.items() if key in names}
    record_export(kind, fmt, counts, by=request.user, request=request, filters=filters)
    body = lines(chunked(queryset), request.build_absolute_uri)
    extension = "csv" if fmt == "csv" else "ftm.jsonl"
    return streamed(body, name=file_name(kind, counts, extension), content_type=CONTENT_TYPES[fmt])


def page_export(request, filterset, *, list_url: str, kind: str, lines):
    """The "Download CSV" of a list page: ``filterset`` (the page's own, on
    ``visible_to``) as CSV; filters that are wrong go back to the list, which says why."""
    results, valid = filtered(filterset)
    if not valid:
        return HttpResponseRedirect(f"{list_url}?{request.GET.urlencode()}")
    return respond(
        results, kind=kind, fmt="csv", lines=lines, request=request, known=filterset.filters
    )


def entity_row(item, *, source: str, reference: str, state: str, absolute, **fields) -> dict:
    """A row of the entities export: what the entity is, and where it was named."""
    return {
        "source": source,
        "source_id": item.pk,
        "source_reference": reference,
        "state": state,
        "tlp": item.tlp,
        "status": item.status,
        "source_url": absolute(item.get_absolute_url()),
        **fields,
    }


def chunked(queryset) -> Iterator:
    """``queryset`` row by row, CHUNK rows fetched at a time (prefetches included)."""
    return queryset.iterator(chunk_size=CHUNK)
