"""The registry's records: an entity (no name of its own), its links to the rows of
items that name it, and relations between entities citing the item that asserted them
(docs/architecture.md, "Registry of entities")."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharing.registry.choices import LinkStatus, RelationKind
from sharing.registry.querysets import EntityLinkQuerySet, EntityQuerySet, RelationQuerySet


class Entity(models.Model):
    """One company, body or person, as many items may name it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name = _("registry entity")
        verbose_name_plural = _("registry entities")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"entity {self.pk}"  # never a name: names belong to items

    def get_absolute_url(self) -> str:
        return reverse("sharing:entity-detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"registry entity {self.pk}"


class EntityLink(models.Model):
    """A notice's entity of concern or a denial's party that is (confirmed), may be
    (suggested) or is not (rejected) the registry entity. A row has at most one
    confirmed link; one with none has suggestions awaiting its state's officers."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="links")
    notice_entity = models.ForeignKey(
        "sharing.NoticeEntity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registry_links",
    )
    denial_party = models.ForeignKey(
        "sharing.DenialParty",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registry_links",
    )
    status = models.CharField(_("status"), max_length=12, choices=LinkStatus.choices)
    # How closely the row matched the entity's other names when it was suggested (100:
    # the row the entity was founded on).
    score = models.PositiveSmallIntegerField(_("score"), default=100)
    created_at = models.DateTimeField(_("suggested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = EntityLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("registry link")
        verbose_name_plural = _("registry links")
        ordering = ["-score", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notice_entity__isnull=True) ^ Q(denial_party__isnull=True),
                name="registry_link_names_one_row",
            ),
            models.UniqueConstraint(
                fields=["entity", "notice_entity"], name="registry_link_once_per_notice_entity"
            ),
            models.UniqueConstraint(
                fields=["entity", "denial_party"], name="registry_link_once_per_denial_party"
            ),
            models.UniqueConstraint(
                fields=["notice_entity"],
                condition=Q(status=LinkStatus.CONFIRMED),
                name="registry_one_entity_per_notice_entity",
            ),
            models.UniqueConstraint(
                fields=["denial_party"],
                condition=Q(status=LinkStatus.CONFIRMED),
                name="registry_one_entity_per_denial_party",
            ),
        ]

    def __str__(self) -> str:
        return f"link {self.pk} ({self.status})"

    def audit_label(self) -> str:
        return f"registry link {self.pk}"

    @property
    def row(self):
        return self.notice_entity or self.denial_party

    @property
    def item(self):
        """The notice or denial that names the entity."""
        if self.notice_entity_id:
            return self.notice_entity.notice
        return self.denial_party.denial


class Relation(models.Model):
    """ "``subject`` is ``kind`` ``object``", as the cited item asserts: the state that
    wrote the item recorded it."""

    subject = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="relations_out")
    kind = models.CharField(_("relation"), max_length=16, choices=RelationKind.choices)
    object = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="relations_in")
    notice = models.ForeignKey(
        "sharing.Notice", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    denial = models.ForeignKey(
        "sharing.Denial", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = RelationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registry relation")
        verbose_name_plural = _("registry relations")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notice__isnull=True) ^ Q(denial__isnull=True),
                name="registry_relation_cites_one_item",
            ),
            models.CheckConstraint(
                condition=~Q(subject=models.F("object")), name="registry_relation_of_two"
            ),
            models.UniqueConstraint(
                fields=["subject", "kind", "object", "notice"],
                condition=Q(notice__isnull=False),
                name="registry_relation_once_per_notice",
            ),
            models.UniqueConstraint(
                fields=["subject", "kind", "object", "denial"],
                condition=Q(denial__isnull=False),
                name="registry_relation_once_per_denial",
            ),
        ]

    def __str__(self) -> str:
        return f"relation {self.pk}: {self.kind}"

    def audit_label(self) -> str:
        return f"registry relation {self.pk}"

    @property
    def cited(self):
        return self.notice or self.denial
