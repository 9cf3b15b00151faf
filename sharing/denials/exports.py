"""Licence denials as CSV and as FollowTheMoney entities (docs/interfaces.md,
"Exports"): one row per denial, its current version, in the columns of the API's
denial; and for screening engines, each denied party with a ``Sanction`` that records
the denial."""

from collections.abc import Iterator

from django.conf import settings
from followthemoney import model as ftm

from sharing.common.exports import csv_lines, entity_row, jsonl_lines

COLUMNS = [
    "id",
    "state",
    "national_reference",
    "tlp",
    "decided_on",
    "review_on",
    "control_entry",
    "catch_all",
    "item_description",
    "end_use",
    "reason_category",
    "reason",
    "end_user",
    "consignee",
    "status",
    "audience",
    "recipient_states",
    "version",
    "created_at",
    "updated_at",
    "revoked_at",
    "revoked_reason",
    "expired_at",
    "url",
]


def _parties(denial, role: str) -> list[str]:
    return [party.name for party in denial.parties.all() if party.role == role]


def rows(denials, *, absolute) -> Iterator[dict]:
    for denial in denials:
        yield {
            **{field: getattr(denial, field) for field in COLUMNS if hasattr(denial, field)},
            "state": denial.state_id,
            "end_user": _parties(denial, "end_user"),
            "consignee": _parties(denial, "consignee"),
            "recipient_states": [state.pk for state in denial.recipient_states.all()],
            "url": absolute(denial.get_absolute_url()),
        }


def entity_rows(denials, *, absolute) -> Iterator[dict]:
    """Every party the ``denials`` name, as rows of the entities export."""
    for denial in denials:
        for party in denial.parties.all():
            yield entity_row(
                denial,
                source="denial",
                reference=denial.national_reference,
                state=denial.state_id,
                absolute=absolute,
                **party.as_dict(),
            )


def ftm_entities(denials, *, absolute) -> Iterator[dict]:
    """Each party of each denial as a FollowTheMoney ``LegalEntity`` (a denial does
    not say whether a party is a company or a person), then the denial as a
    ``Sanction`` of that entity, by the notifying state."""
    for denial in denials:
        url = absolute(denial.get_absolute_url())
        for party in denial.parties.all():
            entity = ftm.make_entity("LegalEntity")
            entity.make_id("echri-denial", str(denial.pk), str(party.pk))
            entity.add("name", party.name)
            entity.add("alias", party.aliases)
            if party.country:
                entity.add("country", party.country.lower())
            entity.add("address", party.address)
            entity.add("topics", "export.control")
            entity.add("sourceUrl", url)
            yield entity.to_dict()
            sanction = ftm.make_entity("Sanction")
            sanction.make_id("echri-denial-sanction", str(denial.pk), str(party.pk))
            sanction.add("entity", entity.id)
            sanction.add("authority", f"{denial.state.name} ({settings.SITE_NAME})")
            sanction.add("country", denial.state_id.lower())
            sanction.add("authorityId", denial.national_reference)
            sanction.add("program", f"Licence denial: {denial.reason_category}")
            sanction.add("reason", denial.reason)
            sanction.add("provisions", denial.control_entry or "catch-all")
            sanction.add("startDate", denial.decided_on)
            sanction.add("endDate", denial.revoked_at or denial.review_on)
            sanction.add("listingDate", denial.created_at)
            sanction.add("status", denial.status)
            sanction.add("sourceUrl", url)
            yield sanction.to_dict()


def csv_file(denials, absolute) -> Iterator[str]:
    return csv_lines(COLUMNS, rows(denials, absolute=absolute))


def ftm_file(denials, absolute) -> Iterator[str]:
    return jsonl_lines(ftm_entities(denials, absolute=absolute))
