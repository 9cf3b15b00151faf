"""Industry advisories and the entities they name."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.countries import country_name
from sharing.advisories.choices import ADVISORY_TLP, UNPUBLISHED, AdvisoryStatus, ContactStatus
from sharing.advisories.querysets import AdvisoryQuerySet, OwnStateQuerySet
from sharing.common.choices import TLP, Audience, EntityKind, Vocabulary
from sharing.common.models import SharedItem, Term
from sharing.common.textsearch import plain_text


class Advisory(SharedItem):
    """What a state tells industry, academia and civil society so that they can do their
    due diligence: its own title, summary and Markdown body, the red flags to look for,
    the technology categories, and the entities of concern it chooses to name. It may
    stand on a notice of the state (its ``source``), whose text it never copies.

    An advisory leaves government, so it is marked TLP:CLEAR (public: its pages, the
    Atom feed, CSAF and the public screening list) or TLP:GREEN (the state's industry
    contacts only), and it is always released by a second officer of its state
    (docs/architecture.md, "Advisories"). Amended in numbered versions, it may be
    withdrawn, after which its page stays up under a banner.
    ``sharing.advisories.services`` is the only code that changes one."""

    reference = models.CharField(
        _("reference"), max_length=24, unique=True, null=True, blank=True, editable=False
    )
    author_state = models.ForeignKey(
        "accounts.State",
        verbose_name=_("releasing state"),
        on_delete=models.PROTECT,
        related_name="advisories",
    )
    source = models.ForeignKey(
        "sharing.Notice",
        verbose_name=_("source notice"),
        on_delete=models.PROTECT,
        related_name="advisories",
        null=True,
        blank=True,
    )
    tlp = models.CharField(
        _("TLP marking"),
        max_length=16,
        choices=[(value, TLP(value).label) for value in ADVISORY_TLP],
    )
    red_flags = models.JSONField(_("red flags"), default=list, blank=True)
    categories = models.ManyToManyField(
        Term,
        verbose_name=_("technology categories"),
        related_name="advisories",
        limit_choices_to={"vocabulary": Vocabulary.TECHNOLOGY},
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AdvisoryStatus.choices, default=AdvisoryStatus.DRAFT
    )
    # Other states whose industry contacts receive it too (on their lists that take
    # what other states share); they never see who those are, nor do we see theirs.
    shared_with = models.ManyToManyField(
        "accounts.State",
        verbose_name=_("also to the industry contacts of"),
        related_name="advisories_shared",
        blank=True,
    )
    # The state's dissemination lists it is e-mailed to, each version.
    lists = models.ManyToManyField(
        "sharing.DisseminationList",
        verbose_name=_("dissemination lists"),
        related_name="advisories",
        blank=True,
    )
    DRAFT_STATUS = AdvisoryStatus.DRAFT
    PENDING_STATUS = AdvisoryStatus.PENDING
    UNPUBLISHED = UNPUBLISHED
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)

    objects = AdvisoryQuerySet.as_manager()

    class Meta(SharedItem.Meta):
        verbose_name = _("industry advisory")
        verbose_name_plural = _("industry advisories")
        indexes = [
            models.Index(fields=["status", "tlp", "-published_at"], name="advisory_released"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tlp__in=ADVISORY_TLP), name="advisory_clear_or_green"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=UNPUBLISHED) | models.Q(reference__isnull=False),
                name="advisory_released_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or _('Draft')}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("sharing:advisory-detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"advisory {self.reference or f'draft {self.pk}'}"

    def search_document(self) -> tuple[str, str, str]:
        entities = [" ".join([e.name, *e.aliases]) for e in self.entities.all()]
        middle = [self.summary, *self.red_flags, *entities]
        return self.title, "\n".join(part for part in middle if part), plain_text(self.body_html)

    # What the audience and revision machinery reads of every kind: an advisory reaches
    # every state's officials once released, and anyone when it is CLEAR.
    audience = Audience.COMMUNITY

    @property
    def public(self) -> bool:
        return self.tlp == TLP.CLEAR

    @property
    def is_published(self) -> bool:
        return self.status == AdvisoryStatus.RELEASED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == AdvisoryStatus.WITHDRAWN


class AdvisoryEntity(models.Model):
    """An entity of concern an advisory names, for exporters to screen against: picked
    from its source notice's entities and confirmed one by one, with what may leave
    government of it (never the notes officials wrote about it)."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="entities")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=EntityKind.choices, default=EntityKind.COMPANY
    )
    identifiers = models.JSONField(_("identifiers"), default=list, blank=True)

    class Meta:
        verbose_name = _("named entity")
        verbose_name_plural = _("named entities")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def country_name(self) -> str:
        return country_name(self.country) if self.country else ""

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "country": self.country,
            "kind": self.kind,
            "identifiers": list(self.identifiers),
        }


class PublicListVersion(models.Model):
    """One version of the public screening list: the entities named by released
    TLP:CLEAR advisories, numbered from 0 (empty) and made anew whenever that set
    changes (docs/architecture.md, "Exporters' self-screening"). ``sha256`` is the
    hash of the list at this version as ``list.json`` serves it."""

    number = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"public list v{self.number}"


class PublicListEntry(models.Model):
    """An entity on the public screening list from version ``added_in`` until the
    version before ``removed_in``: its ``key`` stays the same across versions (a changed
    entity is removed and added again under it), so that deltas can be merged."""

    key = models.CharField(max_length=80)
    data = models.JSONField()
    added_in = models.PositiveIntegerField()
    removed_in = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["key", "added_in"]
        indexes = [
            models.Index(
                fields=["key"], condition=models.Q(removed_in__isnull=True), name="public_list_live"
            ),
            models.Index(fields=["added_in"], name="public_list_added"),
            models.Index(fields=["removed_in"], name="public_list_removed"),
        ]

    def __str__(self) -> str:
        return self.key


class DisseminationList(models.Model):
    """A state's list of people outside government it sends advisories to ("surveillance
    exporters", "universities", "civil society"): only that state sees it."""

    state = models.ForeignKey(
        "accounts.State", on_delete=models.PROTECT, related_name="dissemination_lists"
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Whether its contacts also receive the advisories other states share with this one.
    takes_shared = models.BooleanField(
        _("also the advisories other states share with us"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("dissemination list")
        verbose_name_plural = _("dissemination lists")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["state", "name"], name="list_name_once_per_state")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sharing:contact-list")

    def audit_label(self) -> str:
        return f"dissemination list {self.pk}"


class Contact(models.Model):
    """A person outside government on a state's dissemination lists: never a portal
    account; they read what was sent to them and nothing else. Their address is
    confirmed by double opt-in, whether the state invited them or they asked to join
    (and the state agreed). Seen by their state's officers and admins only."""

    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="contacts")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(_("status"), max_length=16, choices=ContactStatus.choices)
    lists = models.ManyToManyField(
        DisseminationList, verbose_name=_("lists"), related_name="contacts", blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    left_at = models.DateTimeField(_("unsubscribed or undeliverable"), null=True, blank=True)

    objects = OwnStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("industry contact")
        verbose_name_plural = _("industry contacts")
        ordering = ["organisation", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["state", "email"], name="contact_once_per_state")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def get_absolute_url(self) -> str:
        return reverse("sharing:contact-detail", args=[self.pk])

    def audit_label(self) -> str:
        """How the audit log names a contact: never by name or address."""
        return f"contact {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status == ContactStatus.ACTIVE


class Dissemination(models.Model):
    """One version of an advisory to be sent to its lists: written in the transaction
    that released or amended it, then worked through by a task (and the sweeper, if the
    broker or a worker lost it) until every active contact on its lists has had one
    message. ``done_at`` says it is finished."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="disseminations")
    version = models.PositiveIntegerField()
    # The news of its withdrawal, to everyone a version of it was sent to.
    withdrawal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["advisory", "version", "withdrawal"],
                name="dissemination_once_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisory_id} v{self.version}"


class Sending(models.Model):
    """One contact's message of one dissemination: at most one, whatever happens (a
    worker that dies half-way and a task run twice send nobody a second copy). Kept
    when the contact is erased, without them, for the counts."""

    dissemination = models.ForeignKey(
        Dissemination, on_delete=models.CASCADE, related_name="sendings"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, related_name="sendings"
    )
    email = models.ForeignKey(
        "portal.OutgoingEmail", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dissemination", "contact"], name="sending_once_per_contact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dissemination_id} to {self.contact_id}"
