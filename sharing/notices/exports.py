"""Notices as CSV (docs/interfaces.md, "Exports"): one row per notice, its current
version, in the columns of the API's notice (lists joined by "; ")."""

from collections.abc import Iterator

from sharing.common.exports import csv_lines, entity_row

COLUMNS = [
    "id",
    "reference",
    "tlp",
    "kind",
    "title",
    "summary",
    "body",
    "categories",
    "control_codes",
    "countries_of_concern",
    "entities",
    "severity",
    "audience",
    "recipient_states",
    "valid_until",
    "status",
    "version",
    "author_state",
    "published_at",
    "updated_at",
    "withdrawn_at",
    "withdrawn_reason",
    "url",
]


def rows(notices, *, absolute) -> Iterator[dict]:
    """``notices`` (with their content) as rows; ``absolute(path)`` makes the page's
    address whole."""
    for notice in notices:
        yield {
            **{field: getattr(notice, field) for field in COLUMNS if hasattr(notice, field)},
            "categories": [term.slug for term in notice.categories.all()],
            "entities": [entity.name for entity in notice.entities.all()],
            "recipient_states": [state.pk for state in notice.recipient_states.all()],
            "author_state": notice.author_state_id,
            "url": absolute(notice.get_absolute_url()),
        }


def entity_rows(notices, *, absolute) -> Iterator[dict]:
    """Every entity of concern the ``notices`` name, as rows of the entities export."""
    for notice in notices:
        for entity in notice.entities.all():
            yield entity_row(
                notice,
                source="notice",
                reference=notice.reference,
                state=notice.author_state_id,
                absolute=absolute,
                **entity.as_dict(),
            )


def csv_file(notices, absolute) -> Iterator[str]:
    return csv_lines(COLUMNS, rows(notices, absolute=absolute))
