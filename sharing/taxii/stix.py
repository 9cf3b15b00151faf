"""What a published version becomes in STIX 2.1 (docs/interfaces.md, "STIX mapping").

Every function here is pure: it takes what a reader may already see (a revision they
may read, its item, the state that wrote it) and returns plain STIX dictionaries. Which
versions reach a reader is decided before, by ``Revision.objects.visible_to``.

Ids are UUIDv5 in one namespace of ours, made from the portal's own ids, so that the
same version always has the same id and a consumer merges updates of one object.
"""

import uuid
from datetime import UTC, datetime
from functools import cache

from portal.countries import USER_ASSIGNED, country_names
from sharing.common.choices import TLP

# Our namespace for UUIDv5 ids (fixed for ever: changing it would give every object a
# new id).
NAMESPACE = uuid.UUID("6f1c3b2e-9a4d-5e8f-b7c1-2d3e4f5a6b7c")

# When the reference objects (markings, countries, states, our extension) were first
# served: their `created` and `modified`, and when they were added to a collection.
REFERENCE_DATE = datetime(2025, 1, 1, tzinfo=UTC)

# The official OASIS TLP 2.0 marking definitions (cti-stix-common-objects,
# extension-definition-specifications/tlp-2.0): fixed ids, served as published.
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_MARKINGS = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP_MARKINGS_CREATED = "2022-10-01T00:00:00.000Z"

PORTAL = "ECHRI Exchange"


def stix_id(kind: str, *parts: object) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, '/'.join(str(p) for p in parts))}"


def timestamp(moment: datetime) -> str:
    """A STIX timestamp: UTC, microseconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normal(value: str) -> str:
    """A STIX timestamp of any precision as ``timestamp`` writes it (the official
    marking definitions have milliseconds), to compare versions."""
    return timestamp(datetime.fromisoformat(value.replace("Z", "+00:00")))


# The properties of our own, declared by one toplevel-property extension (served with
# the reference objects) as STIX 2.1 asks, rather than as bare custom properties.
EXTENSION = stix_id("extension-definition", "echri-properties", 1)
OWN_PROPERTIES = [
    "x_echri_kind",
    "x_echri_notice_kind",
    "x_echri_reference",
    "x_echri_version",
    "x_echri_change",
    "x_echri_severity",
    "x_echri_control_codes",
    "x_echri_valid_until",
    "x_echri_red_flags",
    "x_echri_doc_type",
    "x_echri_decided_on",
    "x_echri_review_on",
    "x_echri_control_entry",
    "x_echri_catch_all",
    "x_echri_item_description",
    "x_echri_end_use",
    "x_echri_reason_category",
    "x_echri_entity_kind",
    "x_echri_aliases",
    "x_echri_country",
    "x_echri_identifiers",
    "x_echri_address",
    "x_echri_withdrawal_reason",
]
OWN = {EXTENSION: {"extension_type": "toplevel-property-extension"}}
PORTAL_IDENTITY = stix_id("identity", "portal")

CLEAR = [TLP_MARKINGS[TLP.CLEAR]]
# The STIX region (region-ov) of each user-assigned country code.
USER_ASSIGNED_REGIONS = {"XK": "southern-europe"}


def _common(kind: str, object_id: str, created: datetime, modified: datetime) -> dict:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": object_id,
        "created": timestamp(created),
        "modified": timestamp(modified),
    }


# --- Reference objects: the same for every reader ------------------------------------------

# Built once per process (every TAXII page walks them): never changed by their readers.


@cache
def marking_definitions() -> list[dict]:
    return [
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": marking,
            "created": TLP_MARKINGS_CREATED,
            "name": TLP(level).label,
            "extensions": {
                TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": str(level)}
            },
        }
        for level, marking in TLP_MARKINGS.items()
    ]


@cache
def portal_objects() -> list[dict]:
    """The portal as an identity, and the extension that declares our properties."""
    return [
        {
            **_common("identity", PORTAL_IDENTITY, REFERENCE_DATE, REFERENCE_DATE),
            "name": PORTAL,
            "description": "The information-sharing portal of the states subscribing to "
            "the Export Controls and Human Rights Initiative Code of Conduct.",
            "identity_class": "system",
            "object_marking_refs": CLEAR,
        },
        {
            **_common("extension-definition", EXTENSION, REFERENCE_DATE, REFERENCE_DATE),
            "created_by_ref": PORTAL_IDENTITY,
            "name": "ECHRI Exchange properties",
            "description": "Properties of notices, licence denials, best practices and "
            "advisories that STIX has no name for, on the objects themselves.",
            "schema": "Each property is named x_echri_<field> after the portal's own field "
            "(the README of the portal, 'Connect your system', lists them): strings, lists "
            "of strings, integers, booleans, ISO 8601 dates.",
            "version": "1.0.0",
            "extension_types": ["toplevel-property-extension"],
            "extension_properties": OWN_PROPERTIES,
            "object_marking_refs": CLEAR,
        },
    ]


def state_identity_id(code: str) -> str:
    return stix_id("identity", "state", code)


def state_identity(code: str, name: str) -> dict:
    return {
        **_common("identity", state_identity_id(code), REFERENCE_DATE, REFERENCE_DATE),
        "name": name,
        "identity_class": "organization",
        "sectors": ["government-national"],
        "object_marking_refs": CLEAR,
    }


def country_location_id(code: str) -> str:
    return stix_id("location", "country", code)


@cache
def country_locations() -> list[dict]:
    """Every country the portal takes, once: which of them readable items name is not
    told by serving only those. ISO 3166 codes are the `country`; Kosovo's XK is a
    user-assigned code, not ISO's, so its location names its region and carries the
    code as ours."""
    locations = []
    for code, name in sorted(country_names().items()):
        location = {
            **_common("location", country_location_id(code), REFERENCE_DATE, REFERENCE_DATE),
            "name": name,
            "object_marking_refs": CLEAR,
        }
        if code in USER_ASSIGNED:
            location.update(region=USER_ASSIGNED_REGIONS[code], x_echri_country=code)
            location["extensions"] = OWN
        else:
            location["country"] = code
        locations.append(location)
    return locations


# --- A version of an item ----------------------------------------------------------------


IDENTITY_CLASS = {
    "company": "organization",
    "government_body": "organization",
    "individual": "individual",
    "broker": "unknown",
    "other": "unknown",
}


def _entity(item_key: str, entity: dict, *, marking, created, modified) -> dict:
    identity = {
        **_common(
            "identity",
            stix_id("identity", item_key, "entity", entity["name"].casefold()),
            created,
            modified,
        ),
        "name": entity["name"],
        "identity_class": IDENTITY_CLASS.get(entity.get("kind", ""), "unknown"),
        "object_marking_refs": marking,
        "extensions": OWN,
    }
    if entity.get("role"):
        identity["roles"] = [entity["role"].replace("_", "-")]
    if entity.get("notes"):
        identity["description"] = entity["notes"]
    for field in ("kind", "aliases", "country", "identifiers", "address"):
        value = entity.get(field)
        if value:
            identity["x_echri_entity_kind" if field == "kind" else f"x_echri_{field}"] = value
    return identity


def _text(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def version_objects(
    kind: str,
    item,
    revision,
    *,
    created: datetime,
    author: str,
    revoked_at: datetime | None = None,
    withdrawal_reason: str = "",
) -> list[dict]:
    """The report for one version of ``item`` (and the identities it names), as
    ``revision`` stored it; ``revoked_at`` makes it the last version, revoked."""
    snapshot = revision.snapshot
    modified = revoked_at or revision.created_at
    if kind == "best_practice":
        level = TLP.CLEAR if revision.public else TLP.GREEN
    else:
        level = revision.tlp or snapshot.get("tlp") or TLP.CLEAR
    marking = [TLP_MARKINGS[level]]
    key = f"{kind}/{item.pk}"
    entities: dict[str, dict] = {}
    for named in snapshot.get("entities", snapshot.get("parties", [])):
        entity = _entity(key, named, marking=marking, created=created, modified=modified)
        if entity["id"] in entities:  # named twice (end-user and consignee): one, both roles
            known = entities[entity["id"]]
            roles = known.get("roles", []) + entity.get("roles", [])
            if roles:
                known["roles"] = sorted(set(roles))
            continue
        entities[entity["id"]] = entity
    countries = [country_location_id(code) for code in snapshot.get("countries_of_concern", [])]
    report = {
        **_common("report", stix_id("report", key), created, modified),
        "created_by_ref": state_identity_id(author),
        "name": snapshot.get("title") or _denial_name(snapshot),
        "published": timestamp(created),
        "report_types": ["threat-report"],
        "object_refs": [*entities, *countries] or [state_identity_id(author)],
        "object_marking_refs": marking,
        "external_references": [
            {"source_name": PORTAL, "external_id": getattr(item, "reference", None) or str(item.pk)}
        ],
        "extensions": OWN,
        "x_echri_kind": kind,
        "x_echri_version": revision.version,
        "x_echri_change": revision.change_kind,
    }
    description = _text(
        snapshot.get("summary", ""), snapshot.get("body", ""), snapshot.get("reason", "")
    )
    if description:
        report["description"] = description
    labels = snapshot.get("categories") or snapshot.get("topics")
    if labels:
        report["labels"] = list(labels)
    if getattr(item, "reference", None):
        report["x_echri_reference"] = item.reference
    for field in (
        "severity", "control_codes", "valid_until", "red_flags", "doc_type", "decided_on",
        "review_on", "control_entry", "catch_all", "item_description", "end_use",
        "reason_category",
    ):  # fmt: skip
        value = snapshot.get(field)
        if value not in (None, "", []) and (field != "catch_all" or kind == "denial"):
            report[f"x_echri_{field}"] = value
    if kind == "notice" and snapshot.get("kind"):
        report["x_echri_notice_kind"] = snapshot["kind"]
    if revoked_at is not None:
        report["revoked"] = True
        if withdrawal_reason:
            report["x_echri_withdrawal_reason"] = withdrawal_reason
    return [report, *entities.values()]


def _denial_name(snapshot: dict) -> str:
    entry = snapshot.get("control_entry") or "catch-all"
    return f"Licence denial {snapshot.get('national_reference', '')} ({entry})".replace("  ", " ")
