"""Who sees what of the registry: an entity, a name, a number or a relation only through
an item the reader may read. The registry has no visibility of its own; it is the
items' ``visible_to`` read through the links (docs/architecture.md, "Registry of
entities"). The one home of those rules."""

import json

from django.apps import apps
from django.db import models
from django.db.models import Exists, Min, OuterRef, Q

from sharing.common.querysets import authoring_state


def _published_notices(user):
    Notice = apps.get_model("sharing", "Notice")
    from sharing.notices.choices import UNPUBLISHED

    return Notice.objects.visible_to(user).exclude(status__in=UNPUBLISHED)


def _notified_denials(user):
    Denial = apps.get_model("sharing", "Denial")
    from sharing.denials.choices import UNPUBLISHED

    return Denial.objects.visible_to(user).exclude(status__in=UNPUBLISHED)


def readable_rows(user, prefix: str = "") -> Q:
    """A condition on a link (through ``prefix``): its row is in a published notice or a
    notified denial ``user`` may read."""
    return Q(**{f"{prefix}notice_entity__notice__in": _published_notices(user)}) | Q(
        **{f"{prefix}denial_party__denial__in": _notified_denials(user)}
    )


class EntityLinkQuerySet(models.QuerySet):
    def named(self, query: str) -> "EntityLinkQuerySet":
        """Links of rows with a name or alias containing ``query`` (case aside). Aliases
        are JSON: PostgreSQL compares their text, SQLite the text as stored, with
        non-ASCII letters escaped, hence both spellings."""
        escaped = json.dumps(query)[1:-1]
        condition = Q()
        for row in ("notice_entity", "denial_party"):
            condition |= Q(**{f"{row}__name__icontains": query})
            condition |= Q(**{f"{row}__aliases__icontains": query})
            if escaped != query:
                condition |= Q(**{f"{row}__aliases__icontains": escaped})
        return self.filter(condition)

    def entities_newest_first(self):
        """The entities of these links, newest first by when one of them was linked
        (``entity_id``, ``seen``): on links ``visible_to`` a reader, never a date of an
        item they may not read."""
        newest = self.values("entity_id").annotate(seen=Min("created_at"))
        return newest.order_by("-seen", "entity_id")

    def confirmed(self) -> "EntityLinkQuerySet":
        from sharing.registry.choices import LinkStatus

        return self.filter(status=LinkStatus.CONFIRMED)

    def visible_to(self, user) -> "EntityLinkQuerySet":
        """The confirmed links ``user`` may see: of rows of items they may read."""
        return self.confirmed().filter(readable_rows(user))

    def awaiting(self, user) -> "EntityLinkQuerySet":
        """The suggestions ``user`` is asked to decide: for the rows of their own state's
        items (the state that named a party says what it is), officers and admins, to
        an entity they may see."""
        from sharing.registry.choices import LinkStatus

        state = authoring_state(user)
        if state is None:
            return self.none()
        Entity = apps.get_model("sharing", "Entity")
        own = Q(notice_entity__notice__author_state_id=state.pk) | Q(
            denial_party__denial__state_id=state.pk
        )
        return (
            self.filter(status=LinkStatus.SUGGESTED)
            .filter(own)
            .filter(readable_rows(user))
            .filter(entity__in=Entity.objects.visible_to(user))
        )


class EntityQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EntityQuerySet":
        """Entities named by at least one item ``user`` may read (confirmed)."""
        EntityLink = apps.get_model("sharing", "EntityLink")
        return self.filter(pk__in=EntityLink.objects.visible_to(user).values("entity_id"))


class RelationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RelationQuerySet":
        """Relations whose citing item ``user`` may read and still names one of the two
        entities (an amendment that drops the name drops the evidence), between two
        entities they may see."""
        Entity = apps.get_model("sharing", "Entity")
        EntityLink = apps.get_model("sharing", "EntityLink")
        entities = Entity.objects.visible_to(user)
        evidence = EntityLink.objects.confirmed().filter(
            Q(notice_entity__notice=OuterRef("notice"))
            | Q(denial_party__denial=OuterRef("denial")),
            Q(entity=OuterRef("subject")) | Q(entity=OuterRef("object")),
        )
        return self.filter(
            Q(notice__in=_published_notices(user)) | Q(denial__in=_notified_denials(user)),
            Exists(evidence),
            subject__in=entities,
            object__in=entities,
        )
