"""The public screening list: every entity named by a released TLP:CLEAR advisory, in
numbered versions, for exporters and their screening engines (docs/architecture.md,
"Exporters' self-screening").

``refresh()`` runs in the transaction of every act that can change the list (an
advisory released, amended or withdrawn, a notice withdrawn with its advisories): it
compares what ``Advisory.objects.public()`` names now with the list's current version
and, if anything differs, makes the next version, keeping what was removed. Versions are
made one at a time (the current version's row is locked), so their numbers have no gaps.
A version's entities, and what changed since an earlier one, are read back from the
entries' ``added_in`` and ``removed_in``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from followthemoney import model as ftm

from sharing.advisories.choices import AdvisoryStatus
from sharing.advisories.models import Advisory, PublicListEntry, PublicListVersion
from sharing.common.choices import EntityKind

# FollowTheMoney's schema for each kind of entity.
FTM_SCHEMA = {
    EntityKind.COMPANY: "Company",
    EntityKind.GOVERNMENT_BODY: "PublicBody",
    EntityKind.INDIVIDUAL: "Person",
    EntityKind.BROKER: "Company",
    EntityKind.OTHER: "LegalEntity",
}
CSV_COLUMNS = [
    "id",
    "name",
    "aliases",
    "country",
    "kind",
    "identifiers",
    "advisory",
    "advisory_url",
    "state",
    "released",
]


def _key(reference: str, name: str) -> str:
    """An entity's id on the list, the same in every version: its advisory's reference
    and a digest of its name."""
    digest = hashlib.sha256(name.casefold().encode()).hexdigest()[:12]
    return f"echri-{reference.lower()}-{digest}"


def _wanted() -> dict[str, dict]:
    """What the list should hold now: each entity of each released CLEAR advisory."""
    advisories = (
        Advisory.objects.public()
        .filter(status=AdvisoryStatus.RELEASED)
        .select_related("author_state")
        .prefetch_related("entities")
        .order_by("published_at", "pk")
    )
    wanted = {}
    for advisory in advisories:
        for entity in advisory.entities.all():
            key = _key(advisory.reference, entity.name)
            wanted[key] = {
                "id": key,
                "name": entity.name,
                "aliases": list(entity.aliases),
                "country": entity.country,
                "kind": entity.kind,
                "identifiers": list(entity.identifiers),
                "advisory": advisory.reference,
                "advisory_url": settings.SITE_URL + advisory.get_absolute_url(),
                "state": advisory.author_state_id,
                "released": advisory.published_at.date().isoformat(),
            }
    return wanted


def canonical(entities: list[dict]) -> bytes:
    """The entities as ``list.json`` serves them, and as its SHA-256 is taken."""
    return json.dumps(entities, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _locked_current() -> PublicListVersion:
    """The current version, once version 0's row is locked: that row, always there,
    is the one lock every refresh queues on (locking the newest row would let a refresh
    that waited read the same newest row again, and number its version the same)."""
    PublicListVersion.objects.get_or_create(
        number=0, defaults={"sha256": hashlib.sha256(canonical([])).hexdigest()}
    )
    PublicListVersion.objects.select_for_update().get(number=0)
    return PublicListVersion.objects.order_by("-number").first()


@transaction.atomic
def refresh() -> PublicListVersion | None:
    """Make the next version if what the list should hold has changed; the new version,
    or None when nothing changed."""
    current = _locked_current()
    wanted = _wanted()
    live = {entry.key: entry for entry in PublicListEntry.objects.filter(removed_in__isnull=True)}
    gone = [entry for key, entry in live.items() if wanted.get(key) != entry.data]
    new = [data for key, data in wanted.items() if key not in live or live[key].data != data]
    if not gone and not new:
        return None
    number = current.number + 1
    PublicListEntry.objects.filter(pk__in=[entry.pk for entry in gone]).update(removed_in=number)
    PublicListEntry.objects.bulk_create(
        [PublicListEntry(key=data["id"], data=data, added_in=number) for data in new]
    )
    entities = [wanted[key] for key in sorted(wanted)]
    return PublicListVersion.objects.create(
        number=number,
        count=len(entities),
        sha256=hashlib.sha256(canonical(entities)).hexdigest(),
    )


def current() -> PublicListVersion:
    version = PublicListVersion.objects.order_by("-number").first()
    if version is None:  # a database emptied by hand (or a test's flush)
        return PublicListVersion(number=0, sha256=hashlib.sha256(canonical([])).hexdigest())
    return version


def entities_at(number: int) -> list[dict]:
    """The list's entities at version ``number``, by id."""
    entries = PublicListEntry.objects.filter(added_in__lte=number).filter(
        Q(removed_in__isnull=True) | Q(removed_in__gt=number)
    )
    return [entry.data for entry in entries.order_by("key")]


@dataclass
class Delta:
    """What changed from version ``since`` to ``version``: the entities added or changed
    (whole), and the ids of those removed (a changed one is in ``added`` only)."""

    since: int
    version: PublicListVersion
    added: list[dict]
    removed: list[str]


def delta(since: int, version: PublicListVersion) -> Delta:
    number = version.number
    added_rows = PublicListEntry.objects.filter(added_in__gt=since, added_in__lte=number).filter(
        Q(removed_in__isnull=True) | Q(removed_in__gt=number)
    )
    added = [entry.data for entry in added_rows.order_by("key")]
    added_keys = {data["id"] for data in added}
    removed_rows = PublicListEntry.objects.filter(
        added_in__lte=since, removed_in__gt=since, removed_in__lte=number
    )
    removed = sorted({entry.key for entry in removed_rows} - added_keys)
    return Delta(since, version, added, removed)


# --- Formats ---------------------------------------------------------------------------------


def as_csv(rows: list[dict], *, change: str | None = None) -> str:
    """One row per entity (lists joined by "; "); a delta adds its ``change`` column."""
    out = io.StringIO()
    columns = CSV_COLUMNS + (["change"] if change is not None else [])
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        flat = {
            key: "; ".join(value) if isinstance(value, list) else value
            for key, value in row.items()
        }
        writer.writerow({**flat, "change": row.get("change", change)})
    return out.getvalue()


def as_ftm(data: dict) -> dict:
    """An entity as FollowTheMoney's JSON (the format of OpenSanctions' yente and
    nomenklatura): its schema by kind, names, country, identifiers, the topic
    ``export.control`` and its advisory as the source."""
    schema = FTM_SCHEMA.get(data["kind"], "LegalEntity")
    proxy = ftm.make_entity(schema)
    proxy.id = data["id"]
    proxy.add("name", data["name"])
    proxy.add("alias", data["aliases"])
    if data["country"]:
        proxy.add("country", data["country"].lower())
    number = "idNumber" if schema == "Person" else "registrationNumber"
    proxy.add(number, data["identifiers"])
    proxy.add("topics", "export.control")
    proxy.add("sourceUrl", data["advisory_url"])
    proxy.add("publisher", f"{data['state']} ({settings.SITE_NAME})")
    return proxy.to_dict()


def as_ftm_lines(entities: list[dict]) -> str:
    return "".join(json.dumps(as_ftm(data), ensure_ascii=False) + "\n" for data in entities)


def delta_as_ftm_lines(change: Delta) -> str:
    """A delta in the shape of OpenSanctions' delta files: one operation per line,
    ``ADD`` (new or changed: upsert) or ``DEL``."""
    lines = [{"op": "ADD", "entity": as_ftm(data)} for data in change.added]
    lines += [{"op": "DEL", "entity": {"id": key}} for key in change.removed]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
