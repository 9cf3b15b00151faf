from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LinkStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Not the same")


class RelationKind(models.TextChoices):
    SUCCESSOR_OF = "successor_of", pgettext_lazy("relation", "successor of")
    SUBSIDIARY_OF = "subsidiary_of", pgettext_lazy("relation", "subsidiary of")
    OWNED_BY = "owned_by", pgettext_lazy("relation", "owned by")
    FRONT_FOR = "front_for", pgettext_lazy("relation", "front for")
    OFFICER_OF = "officer_of", pgettext_lazy("relation", "officer of")


# How a relation reads, from its subject's side and from its object's, as whole sentences
# (each translates as a whole): "%(a)s" is the entity on that side, "%(b)s" the other.
SENTENCES = {
    RelationKind.SUCCESSOR_OF: (
        _("“%(a)s” is the successor of “%(b)s”"),
        _("“%(a)s” is the predecessor of “%(b)s”"),
    ),
    RelationKind.SUBSIDIARY_OF: (
        _("“%(a)s” is a subsidiary of “%(b)s”"),
        _("“%(a)s” is the parent of “%(b)s”"),
    ),
    RelationKind.OWNED_BY: (
        _("“%(a)s” is owned by “%(b)s”"),
        _("“%(a)s” owns “%(b)s”"),
    ),
    RelationKind.FRONT_FOR: (
        _("“%(a)s” is a front for “%(b)s”"),
        _("“%(a)s” uses “%(b)s” as a front"),
    ),
    RelationKind.OFFICER_OF: (
        _("“%(a)s” is an officer of “%(b)s”"),
        _("“%(a)s” has “%(b)s” as an officer"),
    ),
}


def sentence(kind: str, outward: bool, a: str, b: str) -> str:
    """The relation in words, from ``a``'s side (``outward``: ``a`` is its subject)."""
    forward, backward = SENTENCES[RelationKind(kind)]
    return str(forward if outward else backward) % {"a": a, "b": b}
