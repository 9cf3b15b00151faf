"""The TAXII collections and what each holds for one reader (docs/interfaces.md, "TAXII").

A collection is a sequence of *units*, ordered by when they were added:

- the reference objects every reader gets (the TLP marking definitions, the portal's
  identity and extension, the states' identities, the countries), added on
  ``REFERENCE_DATE``;
- each version of an item that the reader may read (``Revision.objects.visible_to``,
  the one rule for versions), added when it was published: the report and the
  identities it names;
- for a withdrawn, revoked or archived item the reader may read, its last version once
  more, revoked, added when it was retired.

Paging walks that sequence from a position (a unit and how many of its objects were
already served), so that ``next`` is exact however the filters thin it out.
"""

import copy
import dataclasses
import heapq
import uuid
from collections.abc import Iterator
from datetime import datetime

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import State
from sharing.advisories.services import AdvisoryLifecycle
from sharing.denials.services import DenialLifecycle
from sharing.notices.services import NoticeLifecycle
from sharing.practices.services import PracticeLifecycle
from sharing.taxii import stix

# Units read from the database at a time.
CHUNK = 500


@dataclasses.dataclass(frozen=True)
class Kind:
    alias: str
    kind: str  # the revision's relation, and the kind named in STIX ids
    lifecycle: type  # the kind's life: its model and its owning state's field
    retired: str  # when it was withdrawn, revoked or archived
    reason: str  # and why, when it says
    title: str
    description: str
    # When it was first published (a denial is notified when it is published).
    published: str = "published_at"

    @property
    def id(self) -> str:
        return str(uuid.uuid5(stix.NAMESPACE, f"collection/{self.alias}"))

    @property
    def model(self):
        return self.lifecycle.model

    @property
    def owner(self) -> str:
        return self.lifecycle.owner


KINDS = [
    Kind(
        "notices", "notice", NoticeLifecycle, "withdrawn_at", "withdrawn_reason",
        _("Threat and risk notices"),
        _("The notices you may read, each version that reached your state."),
    ),
    Kind(
        "denials", "denial", DenialLifecycle, "revoked_at", "revoked_reason",
        _("Licence denials"),
        _("The licence denials you may read, each version that reached your state."),
        "created_at",
    ),
    Kind(
        "best-practices", "best_practice", PracticeLifecycle, "archived_at", "",
        _("Best practices"),
        _("The best practices you may read, each version that reached your state."),
    ),
    Kind(
        "advisories", "advisory", AdvisoryLifecycle, "withdrawn_at", "withdrawn_reason",
        _("Advisories for industry"),
        _("The advisories for industry you may read, each version that reached your state."),
    ),
]  # fmt: skip


def find(identifier: str) -> Kind | None:
    """A collection by its id or its alias."""
    return next((k for k in KINDS if identifier in (k.id, k.alias)), None)


@dataclasses.dataclass(frozen=True)
class Position:
    """Where a page ended: a unit (when it was added, and its key among those added at
    that moment) and how many of its objects were served."""

    added: datetime
    key: str
    skip: int = 0

    @property
    def unit(self) -> tuple[datetime, str]:
        return (self.added, self.key)


@dataclasses.dataclass
class Unit:
    added: datetime
    key: str
    objects: list[dict]
    # For each object's id, the versions (``modified``) of it the reader may read.
    versions: dict[str, list[str]]
    # The item as this unit showed it (its marking and version then), for the audit.
    shown: object = None

    @property
    def at(self) -> tuple[datetime, str]:
        return (self.added, self.key)


@dataclasses.dataclass(frozen=True)
class Filters:
    added_after: datetime | None = None
    types: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    # "last" (the default), "first", "all", or the versions (STIX timestamps) asked for.
    versions: frozenset[str] = frozenset({"last"})
    spec_versions: frozenset[str] = frozenset()

    def admit(self, obj: dict, unit: Unit) -> bool:
        if self.types and obj["type"] not in self.types:
            return False
        if self.ids and obj["id"] not in self.ids:
            return False
        if self.spec_versions and obj.get("spec_version", "2.1") not in self.spec_versions:
            return False
        if "all" in self.versions:
            return True
        version = version_of(obj)
        known = unit.versions.get(obj["id"], [version])
        return (
            ("last" in self.versions and version == max(known))
            or ("first" in self.versions and version == min(known))
            or stix.normal(version) in self.versions
        )


def version_of(obj: dict) -> str:
    return obj.get("modified") or obj["created"]


# --- The units -------------------------------------------------------------------------------


def _reference_units() -> list[Unit]:
    """One unit per reference object, keyed by its group and id: a page that ends
    among them resumes at the same object even if a state was added in between."""
    states = [
        stix.state_identity(code, name)
        for code, name in State.objects.order_by("code").values_list("code", "name")
    ]
    groups = [
        stix.marking_definitions(),
        stix.portal_objects(),
        states,
        stix.country_locations(),
    ]
    return [
        Unit(stix.REFERENCE_DATE, f"a{group}:{obj['id']}", [obj], {})
        for group, objects in enumerate(groups)
        for obj in sorted(objects, key=lambda o: o["id"])
    ]


def _items(kind: Kind, user):
    return kind.model.objects.visible_to(user)


def _timelines(kind: Kind, user, items: dict) -> dict:
    """For each of ``items`` (by pk), the units of it the reader may read, in order:
    ``(added, revision, revoked)``, each version once, then its retirement if any."""
    Revision = apps.get_model("sharing", "Revision")
    rows = (
        Revision.objects.visible_to(user, of=kind.kind)
        .filter(**{f"{kind.kind}_id__in": list(items)})
        .only("id", kind.kind, "version", "created_at", "snapshot", "tlp", "public", "change_kind")
        .order_by("created_at", "pk")
    )
    timelines: dict = {pk: [] for pk in items}
    for revision in rows:
        timelines[getattr(revision, f"{kind.kind}_id")].append(revision)
    return timelines


def _objects(kind: Kind, item, revision, revoked_at=None) -> list[dict]:
    return stix.version_objects(
        kind.kind,
        item,
        revision,
        created=getattr(item, kind.published) or revision.created_at,
        author=getattr(item, f"{kind.owner}_id"),
        revoked_at=revoked_at,
        withdrawal_reason=getattr(item, kind.reason, "") if kind.reason else "",
    )


def _as_shown(item, revision):
    shown = copy.copy(item)
    shown.version = revision.version
    marking = revision.tlp or revision.snapshot.get("tlp")
    if marking:
        shown.tlp = marking
    return shown


def _versions(kind: Kind, item, timeline) -> dict[str, list[str]]:
    """Every version of every object the item's readable units hold."""
    versions: dict[str, list[str]] = {}
    units = [_objects(kind, item, revision) for revision in timeline]
    retired = getattr(item, kind.retired)
    if retired is not None and timeline:
        units.append(_objects(kind, item, timeline[-1], retired)[:1])
    for objects in units:
        for obj in objects:
            versions.setdefault(obj["id"], []).append(version_of(obj))
    return versions


def _after(field: str, moment: datetime | None, strict: bool) -> Q:
    if moment is None:
        return Q()
    return Q(**{f"{field}__gt" if strict else f"{field}__gte": moment})


def _chunks(queryset, field: str, lower: Q) -> Iterator[list]:
    """``queryset`` ordered by ``field`` then pk, read CHUNK rows at a time."""
    ordered = queryset.order_by(field, "pk")
    condition = lower
    while True:
        rows = list(ordered.filter(condition)[:CHUNK])
        if not rows:
            return
        yield rows
        if len(rows) < CHUNK:
            return
        last = rows[-1]
        moment = getattr(last, field)
        condition = Q(**{f"{field}__gt": moment}) | Q(**{field: moment, "pk__gt": last.pk})


def _revision_units(
    kind: Kind, user, since: datetime | None, strict: bool, versioned: bool
) -> Iterator[Unit]:
    """Each readable version, with (when ``versioned``, for the version filters) the
    versions of its objects the reader may read."""
    Revision = apps.get_model("sharing", "Revision")
    revisions = Revision.objects.visible_to(user, of=kind.kind)
    for chunk in _chunks(revisions, "created_at", _after("created_at", since, strict)):
        items = {
            item.pk: item
            for item in _items(kind, user).filter(
                pk__in={getattr(r, f"{kind.kind}_id") for r in chunk}
            )
        }
        versions: dict = {pk: {} for pk in items}
        if versioned:
            timelines = _timelines(kind, user, items)
            versions = {pk: _versions(kind, item, timelines[pk]) for pk, item in items.items()}
        for revision in chunk:
            pk = getattr(revision, f"{kind.kind}_id")
            if pk not in items:
                continue  # readable versions are of readable items; never otherwise
            yield Unit(
                revision.created_at,
                f"r{revision.pk:012d}",
                _objects(kind, items[pk], revision),
                versions[pk],
                _as_shown(items[pk], revision),
            )


def _retirement_units(kind: Kind, user, since: datetime | None, strict: bool) -> Iterator[Unit]:
    retired = _items(kind, user).filter(**{f"{kind.retired}__isnull": False})
    for chunk in _chunks(retired, kind.retired, _after(kind.retired, since, strict)):
        items = {item.pk: item for item in chunk}
        timelines = _timelines(kind, user, items)
        for item in chunk:
            timeline = timelines[item.pk]
            if not timeline:
                continue
            when = getattr(item, kind.retired)
            yield Unit(
                when,
                f"w{item.pk}",
                _objects(kind, item, timeline[-1], when)[:1],
                _versions(kind, item, timeline),
                _as_shown(item, timeline[-1]),
            )


def units(kind: Kind, user, *, start: Position | None, filters: Filters):
    """The collection's units for ``user`` from ``start`` on (that unit included), added
    after ``filters.added_after``, in order."""
    added_after = filters.added_after
    since, strict = added_after, True
    if start is not None and (since is None or start.added >= since):
        since, strict = start.added, False
    streams = [
        _reference_units(),
        _revision_units(kind, user, since, strict, "all" not in filters.versions),
        _retirement_units(kind, user, since, strict),
    ]
    for unit in heapq.merge(*streams, key=lambda u: u.at):
        if added_after is not None and unit.added <= added_after:
            continue
        if start is not None and unit.at < start.unit:
            continue
        yield unit


@dataclasses.dataclass
class Page:
    entries: list[tuple[dict, datetime]]
    more: bool
    next: Position | None
    # The items whose versions the page holds, as it showed them (for the audit).
    shown: list


def page(kind: Kind, user, *, filters: Filters, start: Position | None, limit: int) -> Page:
    """Up to ``limit`` objects of the collection that ``user`` may read and ``filters``
    admit, from ``start`` on."""
    entries: list[tuple[dict, datetime]] = []
    shown: list = []
    end: Position | None = None
    for unit in units(kind, user, start=start, filters=filters):
        first = start.skip if start is not None and unit.at == start.unit else 0
        for index in range(first, len(unit.objects)):
            obj = unit.objects[index]
            if not filters.admit(obj, unit):
                continue
            if len(entries) == limit:
                return Page(entries, True, end, shown)
            entries.append((obj, unit.added))
            end = Position(unit.added, unit.key, index + 1)
            if unit.shown is not None and (not shown or shown[-1] is not unit.shown):
                shown.append(unit.shown)
    return Page(entries, False, None, shown)
