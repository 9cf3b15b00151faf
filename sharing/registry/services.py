"""The registry of entities: linking the rows of items to entities, relations between
entities, what a reader is shown of one, and what screening finds through it
(docs/architecture.md, "Registry of entities").

Linking. Once an item is published or notified, each of its rows (a notice's entity
of concern, a denial's party) not linked yet is compared with the names and identifiers
of the entities its state can see. Close ones become suggestions, which the state's
officers confirm or reject; a row like nothing known founds an entity of its own. Two
records are never merged silently.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from rigour.text.scripts import text_scripts

from accounts.choices import Role
from accounts.models import User
from portal import audit
from portal.inputs import CONTROL, Conflict, refuse_unknown
from sharing.common import identifiers as ids
from sharing.common import services as common
from sharing.common.querysets import as_state, authoring_state
from sharing.common.services import check_can_author
from sharing.denials import screening
from sharing.denials.choices import DENIALS_IN_FORCE, UNPUBLISHED
from sharing.denials.models import Denial, DenialParty
from sharing.notices.choices import UNPUBLISHED as NOTICE_UNPUBLISHED
from sharing.notices.choices import NoticeStatus
from sharing.notices.models import Notice, NoticeEntity
from sharing.registry.choices import LinkStatus, RelationKind, sentence
from sharing.registry.models import Entity, EntityLink, Relation

SUGGEST_AT = 70  # a name of about 90 %, or 80 % in the same country, or the same number
MOST_SUGGESTIONS = 3
RELATION_FIELDS = ("kind", "other", "direction", "cited")

Row = NoticeEntity | DenialParty
Item = Notice | Denial
ItemT = TypeVar("ItemT", Notice, Denial)


# --- Rows and items ---------------------------------------------------------------------------


def rows_of(item: Item) -> list[Row]:
    return list(item.entities.all() if isinstance(item, Notice) else item.parties.all())


def _row_field(row: Row) -> str:
    return "notice_entity" if isinstance(row, NoticeEntity) else "denial_party"


def item_of(row: Row) -> Item:
    return row.notice if isinstance(row, NoticeEntity) else row.denial


def owner_of(item: Item) -> str:
    return item.author_state_id if isinstance(item, Notice) else item.state_id


def label_of(item: Item) -> str:
    """How an item is cited: a notice by its reference, a denial by state and reference."""
    if isinstance(item, Notice):
        return item.reference or ""
    return f"{item.state_id} {item.national_reference}"


def _row_identifiers(row: Row) -> list[ids.Identifier]:
    return ids.readable(row.identifiers) if isinstance(row, NoticeEntity) else []


def _facts(row: Row, ref) -> screening.PartyFacts:
    return screening.PartyFacts(
        role="entity",
        name=row.name,
        aliases=tuple(row.aliases),
        country=row.country,
        identifiers=tuple(_row_identifiers(row)),
        ref=ref,
    )


_SCRIPTS = {
    "Latin": gettext_lazy("Latin"),
    "Cyrillic": gettext_lazy("Cyrillic"),
    "Arabic": gettext_lazy("Arabic"),
    "Greek": gettext_lazy("Greek"),
    "Hebrew": gettext_lazy("Hebrew"),
    "Han": gettext_lazy("Chinese characters"),
    "Hiragana": gettext_lazy("Japanese kana"),
    "Katakana": gettext_lazy("Japanese kana"),
    "Hangul": gettext_lazy("Hangul"),
}


def script_of(name: str) -> str:
    """The script a name is written in (rigour reads it from its letters); kana and
    Hangul first, since Japanese and Korean names mix in Han characters."""
    found = text_scripts(name)
    for script in ("Hiragana", "Katakana", "Hangul", *sorted(found)):
        if script in found:
            return str(_SCRIPTS.get(script, script))
    return str(_("Other"))


# --- Linking ---------------------------------------------------------------------------------


def _index_for(reader: User) -> screening.ScreeningIndex:
    """The entities ``reader`` may see, each as the rows naming it that they may read."""
    by_entity: dict = defaultdict(list)
    links = EntityLink.objects.visible_to(reader).select_related("notice_entity", "denial_party")
    for link in links:
        by_entity[link.entity_id].append(_facts(link.row, link.pk))
    return screening.prepare(
        screening.DenialFacts(
            id=entity_id,
            parties=tuple(parties),
            control_entry="",
            catch_all=False,
            item_description="",
        )
        for entity_id, parties in by_entity.items()
    )


def candidates(
    row: Row, index: screening.ScreeningIndex, founded: list | None = None
) -> list[tuple[Any, int]]:
    """(entity id, score) of the entities like ``row``, best first: by any of its names,
    in its country, with its identifiers; among ``index``, and the entities ``founded``
    since it was built (``DenialFacts``, a few)."""
    numbers = "\n".join(ids.written(each) for each in _row_identifiers(row))
    best: dict = {}
    for name in (row.name, *row.aliases):
        candidate = screening.Transaction(
            end_user=name, destination=row.country, end_user_identifiers=numbers
        )
        for among in (index, founded):
            if not among:
                continue
            for match in screening.screen(candidate, among, threshold=SUGGEST_AT):
                best[match.denial_id] = max(best.get(match.denial_id, 0), match.score)
    ranked = sorted(best.items(), key=lambda pair: -pair[1])
    return ranked[:MOST_SUGGESTIONS]


def _found(row: Row, by: User | None = None) -> EntityLink | None:
    """A new entity for ``row``, linked (confirmed: founding is not merging)."""
    try:
        with transaction.atomic():
            entity = Entity.objects.create()
            return EntityLink.objects.create(
                entity=entity,
                status=LinkStatus.CONFIRMED,
                decided_at=timezone.now(),
                decided_by=by,
                **{_row_field(row): row},
            )
    except IntegrityError:  # linked at the same moment by another task
        return None


def _linkable(item: Item) -> bool:
    if isinstance(item, Notice):
        return item.status not in NOTICE_UNPUBLISHED
    return item.status not in UNPUBLISHED


def _reader_for(state_id: str) -> User:
    """A stand-in officer of the state: what it can see is what its rows are compared with."""
    from accounts.models import State

    return as_state(State.objects.get(pk=state_id), role=Role.OFFICER)


class _Linking:
    """What the items of one state linked together share: its stand-in officer, the
    index of the entities it sees (built once, when first needed), and the entities
    founded since."""

    def __init__(self, state_id: str) -> None:
        self.reader = _reader_for(state_id)
        self.founded: list = []

    @functools.cached_property
    def index(self) -> screening.ScreeningIndex:
        return _index_for(self.reader)


def link(item: Item, *, linking: _Linking | None = None) -> dict:
    """Link each row of a published notice or notified denial that has no entity and no
    suggestion its state can still decide: suggestions where entities the state can see
    are alike (never one it rejected for that row), else a new entity. A suggestion of
    an entity the state can no longer see is dropped. Safe to run twice, and at once:
    each row is locked while it is linked. ``linking`` may be shared by the items of one
    state linked together."""
    counts = {"suggested": 0, "founded": 0}
    if not _linkable(item):
        return counts
    linking = linking or _Linking(owner_of(item))
    visible = Entity.objects.visible_to(linking.reader)
    for row in rows_of(item):
        with transaction.atomic():
            if not type(row).objects.select_for_update().filter(pk=row.pk).exists():
                continue  # amended away meanwhile
            links = EntityLink.objects.filter(**{_row_field(row): row})
            if links.filter(status=LinkStatus.CONFIRMED).exists():
                continue
            pending = links.filter(status=LinkStatus.SUGGESTED)
            if pending.filter(entity__in=visible).exists():
                continue  # awaiting the state's decision
            pending.update(status=LinkStatus.REJECTED, decided_at=timezone.now())
            refused = set(links.values_list("entity_id", flat=True))
            alike = [
                (entity_id, score)
                for entity_id, score in candidates(row, linking.index, linking.founded)
                if entity_id not in refused
            ]
            if alike:
                made_links = EntityLink.objects.bulk_create(
                    [
                        EntityLink(
                            entity_id=entity_id,
                            status=LinkStatus.SUGGESTED,
                            score=score,
                            **{_row_field(row): row},
                        )
                        for entity_id, score in alike
                    ]
                )
                counts["suggested"] += len(made_links)
                continue
            made = _found(row)
            if made is not None:
                counts["founded"] += 1
                linking.founded.append(
                    screening.DenialFacts(
                        id=made.entity_id,
                        parties=(_facts(row, made.pk),),
                        control_entry="",
                        catch_all=False,
                        item_description="",
                    )
                )
    return counts


def link_pending(limit: int = 500) -> dict:
    """Link the rows of published notices and notified denials that have no entity (what
    a lost task would have linked, items from before the registry, and rows whose
    suggestions their state can no longer see), state by state: each state's entities
    are indexed once per run, if needed, and those founded during it compared as well."""
    totals = {"suggested": 0, "founded": 0}
    open_entities = NoticeEntity.objects.exclude(notice__status__in=NOTICE_UNPUBLISHED).exclude(
        registry_links__status=LinkStatus.CONFIRMED
    )
    open_parties = DenialParty.objects.exclude(denial__status__in=UNPUBLISHED).exclude(
        registry_links__status=LinkStatus.CONFIRMED
    )
    notices = Notice.objects.filter(pk__in=open_entities.values("notice_id")).order_by(
        "published_at", "pk"
    )[:limit]
    denials = Denial.objects.filter(pk__in=open_parties.values("denial_id")).order_by(
        "created_at", "pk"
    )[:limit]
    by_state: dict[str, list[Item]] = defaultdict(list)
    items: list[Item] = [*notices, *denials]
    for item in items:
        by_state[owner_of(item)].append(item)
    for state_id, own in sorted(by_state.items()):
        linking = _Linking(state_id)
        for item in own:
            for key, value in link(item, linking=linking).items():
                totals[key] += value
    return totals


def link_event(event) -> dict:
    """Link the rows of the item an event announced."""
    if event.notice_id is not None:
        return link(event.notice)
    if event.denial_id is not None:
        return link(event.denial)
    return {"suggested": 0, "founded": 0}


# --- Deciding suggestions ----------------------------------------------------------------------


def check_can_decide(link: EntityLink, by: User) -> None:
    """The state that named the party says what it is: its officers and admins."""
    state = authoring_state(by)
    if state is None or owner_of(link.item) != state.pk:
        raise PermissionDenied(_("Only the state that named it links it to the registry."))


def _locked(link: EntityLink, by: User) -> EntityLink:
    """The suggestion, once every link of its row is locked (two decisions on one row at
    once are taken one after the other)."""
    row_field = "notice_entity_id" if link.notice_entity_id else "denial_party_id"
    list(
        EntityLink.objects.select_for_update()
        .filter(**{row_field: getattr(link, row_field)})
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    locked = (
        EntityLink.objects.select_for_update(of=("self",))
        .select_related("notice_entity__notice", "denial_party__denial")
        .get(pk=link.pk)
    )
    check_can_decide(locked, by)
    if locked.status != LinkStatus.SUGGESTED:
        raise Conflict(_("This suggestion was decided already."))
    return locked


def _decide(locked: EntityLink, status: str, by: User, request, action: str) -> None:
    locked.status, locked.decided_at, locked.decided_by = status, timezone.now(), by
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(
        action,
        request=request,
        actor=by,
        target=locked,
        details={"entity": str(locked.entity_id), "item": str(locked.item.pk)},
    )


@transaction.atomic
def confirm(link: EntityLink, *, by: User, request: HttpRequest | None = None) -> EntityLink:
    """The row is that entity: the link holds, the row's other suggestions are rejected."""
    locked = _locked(link, by)
    siblings = EntityLink.objects.filter(**{_row_field(locked.row): locked.row}).exclude(
        pk=locked.pk
    )
    if siblings.filter(status=LinkStatus.CONFIRMED).exists():
        raise Conflict(_("This name is linked to another entity already."))
    siblings.filter(status=LinkStatus.SUGGESTED).update(
        status=LinkStatus.REJECTED, decided_at=timezone.now(), decided_by=by
    )
    _decide(locked, LinkStatus.CONFIRMED, by, request, audit.Action.REGISTRY_LINK_CONFIRMED)
    return locked


@transaction.atomic
def reject(link: EntityLink, *, by: User, request: HttpRequest | None = None) -> EntityLink:
    """The row is not that entity; once no suggestion is left, it founds its own."""
    locked = _locked(link, by)
    _decide(locked, LinkStatus.REJECTED, by, request, audit.Action.REGISTRY_LINK_REJECTED)
    row = locked.row
    links = EntityLink.objects.filter(**{_row_field(row): row})
    decidable = EntityLink.objects.awaiting(by).filter(**{_row_field(row): row})
    if not links.filter(status=LinkStatus.CONFIRMED).exists() and not decidable.exists():
        # What is left, the state can no longer see: dropped; the row is its own entity.
        links.filter(status=LinkStatus.SUGGESTED).update(
            status=LinkStatus.REJECTED, decided_at=timezone.now(), decided_by=by
        )
        _found(row, by)
    return locked


# --- Relations ---------------------------------------------------------------------------------


def citable(entity: Entity, by: User) -> list[Item]:
    """The items of ``by``'s state that may assert a relation of ``entity``: published
    notices and notified denials naming it."""
    state = authoring_state(by)
    if state is None:
        return []
    links = EntityLink.objects.visible_to(by).filter(entity=entity)
    notices = Notice.objects.filter(
        author_state=state,
        status=NoticeStatus.PUBLISHED,
        entities__registry_links__in=links,
    ).distinct()
    denials = Denial.objects.filter(
        state=state, status__in=DENIALS_IN_FORCE, parties__registry_links__in=links
    ).distinct()
    return [*notices.order_by("-published_at"), *denials.order_by("-decided_on")]


def cited_key(item: Item) -> str:
    return f"{'notice' if isinstance(item, Notice) else 'denial'}:{item.pk}"


def clean_relation(entity: Entity, data: dict, *, by: User) -> dict:
    """The relation ``by`` asserts of ``entity``: its kind, the other entity (one ``by``
    may see), its direction ("from": entity is kind other; "to": other is kind entity)
    and the citing item (one of ``by``'s state's naming ``entity``)."""
    refuse_unknown(data, RELATION_FIELDS)
    errors: dict = {}
    kind = data.get("kind")
    if kind not in RelationKind.values:
        errors["kind"] = [_("Choose the kind of relation.")]
    direction = data.get("direction", "from")
    if direction not in ("from", "to"):
        errors["direction"] = [_("Choose which way the relation goes.")]
    other = None
    other_id = data.get("other")
    if isinstance(other_id, str) and len(other_id) <= 36:
        try:
            other = Entity.objects.visible_to(by).filter(pk=other_id).first()
        except ValidationError:
            other = None
    if other is None:
        errors["other"] = [_("Choose an entity you can see in the registry.")]
    elif other.pk == entity.pk:
        errors["other"] = [_("An entity is not related to itself.")]
    cited = {cited_key(item): item for item in citable(entity, by)}.get(str(data.get("cited")))
    if cited is None:
        errors["cited"] = [_("Cite a published item of your state that names this entity.")]
    if errors:
        raise ValidationError(errors)
    subject, target = (entity, other) if direction == "from" else (other, entity)
    return {"subject": subject, "kind": kind, "object": target, "cited": cited}


def relate(entity: Entity, *, by: User, request: HttpRequest | None = None, **data) -> Relation:
    """Record a relation ``by``'s state asserts in one of its items."""
    state = check_can_author(by)
    cleaned = clean_relation(entity, data, by=by)
    cited = cleaned.pop("cited")
    try:
        with transaction.atomic():
            made = Relation.objects.create(
                **cleaned,
                state=state,
                created_by=by,
                **{"notice" if isinstance(cited, Notice) else "denial": cited},
            )
            audit.record(
                audit.Action.REGISTRY_RELATION_ADDED,
                request=request,
                actor=by,
                target=made,
                details={
                    "subject": str(made.subject_id),
                    "kind": made.kind,
                    "object": str(made.object_id),
                    "cited": str(cited.pk),
                },
            )
    except IntegrityError:
        raise ValidationError({"kind": _("That item asserts this relation already.")}) from None
    return made


def check_can_remove(relation: Relation, by: User) -> None:
    state = authoring_state(by)
    if state is None or relation.state_id != state.pk:
        raise PermissionDenied(_("Only the state that recorded a relation removes it."))


@transaction.atomic
def unrelate(relation: Relation, *, by: User, request: HttpRequest | None = None) -> None:
    check_can_remove(relation, by)
    audit.record(
        audit.Action.REGISTRY_RELATION_REMOVED,
        request=request,
        actor=by,
        target=relation,
        details={"kind": relation.kind, "subject": str(relation.subject_id)},
    )
    relation.delete()


# --- What a reader sees ------------------------------------------------------------------------


@dataclass
class Sighting:
    """One row naming the entity, in an item the reader may read."""

    link: EntityLink
    row: Row
    item: Item
    identifiers: list[ids.Identifier]


@dataclass
class Related:
    relation: Relation
    sentence: str  # "“A” is a front for “B”", from the entity's side
    other: Entity
    removable: bool


@dataclass
class EntityView:
    entity: Entity
    sightings: list[Sighting]
    relations: list[Related] = field(default_factory=list)
    related_sightings: list[Sighting] = field(default_factory=list)  # the others' names

    @property
    def shown(self) -> list[Sighting]:
        """Every row whose names the view shows: what is read of their items."""
        return [*self.sightings, *self.related_sightings]

    @property
    def name(self) -> str:
        return self.sightings[0].row.name

    def get_absolute_url(self) -> str:
        return self.entity.get_absolute_url()

    @property
    def names(self) -> list[tuple[str, str, bool, Item]]:
        """(name, its script, whether an alias, the item giving it), each once."""
        seen, found = set(), []
        for sighting in self.sightings:
            for alias, name in [
                (False, sighting.row.name),
                *((True, a) for a in sighting.row.aliases),
            ]:
                if name.casefold() not in seen:
                    seen.add(name.casefold())
                    found.append((name, script_of(name), alias, sighting.item))
        return found

    @property
    def identifiers(self) -> list[tuple[ids.Identifier, Item]]:
        seen, found = set(), []
        for sighting in self.sightings:
            for identifier in sighting.identifiers:
                if identifier not in seen:
                    seen.add(identifier)
                    found.append((identifier, sighting.item))
        return found

    @property
    def addresses(self) -> list[tuple[str, str, Item]]:
        """(address, country, item) of the denials' parties, each once."""
        seen, found = set(), []
        for sighting in self.sightings:
            address = getattr(sighting.row, "address", "")
            if address and address.casefold() not in seen:
                seen.add(address.casefold())
                found.append((address, sighting.row.country, sighting.item))
        return found


def sightings(user: User, entities, visible=None) -> dict:
    """entity id → the rows naming it that ``user`` may read, newest item first;
    ``visible``, if given, is ``EntityLink.objects.visible_to(user)`` built already (a
    page asking several times builds the rule once)."""
    visible = EntityLink.objects.visible_to(user) if visible is None else visible
    links = (
        visible.filter(entity__in=entities)
        .select_related("notice_entity__notice__author_state", "denial_party__denial__state")
        .order_by("created_at")
    )
    found: dict = defaultdict(list)
    for each in links:
        row = each.row
        found[each.entity_id].append(Sighting(each, row, item_of(row), _row_identifiers(row)))
    return found


def clean_query(value) -> str:
    """A registry search: at most 200 characters, control characters as spaces."""
    text = value if isinstance(value, str) else ""
    return " ".join(CONTROL.sub(" ", text[:200]).split())


def record_reading(sightings, *, by: User, request) -> None:
    """What a page or an answer showed of the rows' items (names, numbers): readings of
    AMBER and stricter ones, audited as their own pages are."""
    notices = {s.item.pk: s.item for s in sightings if s.link.notice_entity_id}
    denials = {s.item.pk: s.item for s in sightings if s.link.denial_party_id}
    common.record_reading(notices.values(), by=by, request=request)
    common.record_reading(denials.values(), by=by, request=request)


def view_of(entity: Entity, user: User) -> EntityView | None:
    """What ``user`` is shown of ``entity``: None when no item they may read names it."""
    return views_of([entity], user).get(entity.pk)


def views_of(entities, user: User) -> dict:
    """entity id → what ``user`` is shown of it, for the entities some item they may
    read names; in a fixed number of queries, however many."""
    wanted = {entity.pk: entity for entity in entities}
    seen = sightings(user, list(wanted))
    relations = list(
        Relation.objects.visible_to(user)
        .filter(Q(subject__in=list(seen)) | Q(object__in=list(seen)))
        .select_related("notice", "denial", "subject", "object")
    )
    others = {r.object_id for r in relations} | {r.subject_id for r in relations}
    others_seen = {**sightings(user, others - set(seen)), **seen}
    state = authoring_state(user)
    views = {}
    for key, rows in seen.items():
        related, shown = [], {}
        for relation in relations:
            if key not in (relation.subject_id, relation.object_id):
                continue
            outward = relation.subject_id == key
            other = relation.object if outward else relation.subject
            other_rows = others_seen.get(other.pk)
            if not other_rows:
                continue
            shown[other.pk] = other_rows[0]  # the name the sentence gives
            words = sentence(relation.kind, outward, rows[0].row.name, other_rows[0].row.name)
            removable = state is not None and relation.state_id == state.pk
            related.append(Related(relation, words, other, removable))
        views[key] = EntityView(wanted[key], rows, related, list(shown.values()))
    return views


# --- Screening through the registry -------------------------------------------------------------

_SAME_ENTITY = pgettext_lazy("registry", "Registry: “%(matched)s” is the same entity as “%(name)s”")
_RELATED = pgettext_lazy("registry", "Registry: %(relation)s, as %(cited)s asserts")


@dataclass(frozen=True)
class Reached:
    """An item screening reaches through the registry, and how."""

    kind: str  # "denial" or "notice"
    item_id: Any
    score: int
    reasons: tuple[str, ...]  # each way it was reached


def reach(
    reader: User,
    matched: list[tuple[str, screening.Match]],
    denial_ids: frozenset,
    notice_ids: frozenset,
) -> list[Reached]:
    """What ``matched`` (("denial" | "notice", match) pairs, among what ``reader`` may
    read) leads to in the registry: the other items in force, among ``denial_ids`` and
    ``notice_ids``, naming the same entities, or entities related to them by a relation
    ``reader`` may see. Each reached item takes the score of the match that led to it."""
    party_refs: dict = {}
    entity_refs: dict = {}
    for kind, match in matched:
        for ref, score in match.parties:
            key = ("denial_party" if kind == "denial" else "notice_entity", ref)
            if score > party_refs.get(key, (0,))[0]:
                party_refs[key] = (score, match.denial_id)
    if not party_refs:
        return []
    condition = Q()
    for row_field, ref in party_refs:
        condition |= Q(**{row_field: ref})
    starts = (
        EntityLink.objects.confirmed()
        .filter(condition)
        .select_related("notice_entity", "denial_party")
    )
    for start in starts:
        key = (_row_field(start.row), start.row.pk)
        score, origin = party_refs[key]
        if score > entity_refs.get(start.entity_id, (0,))[0]:
            entity_refs[start.entity_id] = (score, origin, start.row.name)
    if not entity_refs:
        return []

    # Where each reachable entity leads, and in what words.
    routes: dict = defaultdict(list)  # entity id → [(score, origin id, matched name, relation)]
    for entity_id, (score, origin, name) in entity_refs.items():
        routes[entity_id].append((score, origin, name, None))
    relations = (
        Relation.objects.visible_to(reader)
        .filter(Q(subject__in=entity_refs) | Q(object__in=entity_refs))
        .select_related("notice", "denial")
    )
    for relation in relations:
        for start, other, outward in (
            (relation.subject_id, relation.object_id, True),
            (relation.object_id, relation.subject_id, False),
        ):
            if start in entity_refs:
                score, origin, name = entity_refs[start]
                routes[other].append(
                    (score, origin, name, (relation.kind, outward, relation.cited))
                )

    # The rows of the entities reached (a few), kept when their item is among those the
    # reader may read (sets given, never sent to the database as a long list).
    targets = (
        EntityLink.objects.confirmed()
        .filter(entity__in=list(routes))
        .select_related("notice_entity", "denial_party")
    )
    best: dict = {}
    for target in targets:
        row = target.row
        kind = "notice" if isinstance(row, NoticeEntity) else "denial"
        item_id = row.notice_id if kind == "notice" else row.denial_id
        if item_id not in (notice_ids if kind == "notice" else denial_ids):
            continue
        for score, origin, matched_name, relation in routes[target.entity_id]:
            if item_id == origin:
                continue
            if relation is None:
                reason = str(_SAME_ENTITY) % {"matched": matched_name, "name": row.name}
            else:
                kind_of, outward, cited = relation
                reason = str(_RELATED) % {
                    "relation": sentence(kind_of, outward, matched_name, row.name),
                    "cited": label_of(cited),
                }
            key = (kind, item_id)
            known = best.get(key)
            if known is None:
                best[key] = Reached(kind, item_id, score, (reason,))
            elif reason not in known.reasons:
                best[key] = Reached(
                    kind, item_id, max(score, known.score), (*known.reasons, reason)
                )
    return sorted(best.values(), key=lambda each: -each.score)


def merged(
    found: list[tuple[ItemT, screening.Match]], reached: list[Reached], kind: str, load
) -> list[tuple[ItemT, screening.Match]]:
    """``found`` with what was reached of ``kind`` added: to a match already there as a
    reason (the higher score kept), otherwise as a match of its own. ``load(ids)`` gives
    the items by id."""
    ours = [each for each in reached if each.kind == kind]
    if not ours:
        return found
    position = {item.pk: index for index, (item, _match) in enumerate(found)}
    result: list[tuple[ItemT, screening.Match]] = list(found)
    fresh = [each for each in ours if each.item_id not in position]
    items = load([each.item_id for each in fresh]) if fresh else {}
    for each in ours:
        if each.item_id in position:
            item, known = result[position[each.item_id]]
            result[position[each.item_id]] = (item, _backed(known, each))
        elif each.item_id in items:
            match = screening.Match(
                denial_id=each.item_id,
                score=each.score,
                reasons=each.reasons,
                matched_names=(),
                registry=True,
            )
            result.append((items[each.item_id], match))
    result.sort(key=lambda pair: -pair[1].score)
    return result


def _backed(match: screening.Match, reached: Reached) -> screening.Match:
    """``match`` with what the registry adds: its reason, and its score if higher."""
    return replace(
        match,
        score=max(match.score, reached.score),
        reasons=(*match.reasons, *reached.reasons),
        registry=True,
    )


def awaiting(by: User):
    """The suggestions ``by`` is asked to decide, with their rows and items."""
    return EntityLink.objects.awaiting(by).select_related(
        "notice_entity__notice", "denial_party__denial"
    )
