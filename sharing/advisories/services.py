"""The only place that changes industry advisories (docs/architecture.md, "Advisories").

An advisory lives the life every shared item lives (``sharing.common.lifecycle``):
drafted by an officer or admin of its state, released as version 1, amended in numbered
versions, withdrawn. What is its own: releasing and amending always need a second
officer of the state, whatever the state's approval policy (it leaves government);
withdrawing does not (taking something down must never wait); it is marked TLP:CLEAR or
TLP:GREEN only; it names entities of its source notice only, each confirmed; and the
copy guard refuses to let it out while it repeats a restricted source's words.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import State, User
from portal import audit
from portal.inputs import Conflict, refuse_unknown
from sharing.advisories import dissemination, guard, public_list
from sharing.advisories.choices import ADVISORY_TLP, AdvisoryStatus
from sharing.advisories.models import Advisory, DisseminationList
from sharing.common import textsearch
from sharing.common.choices import RESTRICTED_TLP, TLP, ApprovalAct, EventKind
from sharing.common.lifecycle import WithdrawnWithReason
from sharing.common.querysets import recipient_choices
from sharing.common.services import (
    Rendered,
    apply_item_text,
    as_predicate,
    check_can_author,
    clean_item_text,
    clean_states,
    clean_terms,
    clean_text,
    comparable,
    item_retired,
    item_text,
    next_reference,
)
from sharing.notices.choices import NoticeStatus
from sharing.notices.models import Notice, TechnologyCategory

ADVISORY_FIELDS = (
    "title",
    "summary",
    "body",
    "tlp",
    "red_flags",
    "categories",
    "source",
    "entities",
    "lists",
    "shared_with",
)
MAX_RED_FLAGS = 30
MAX_RED_FLAG = 500
# What of a source notice's entity an advisory names: never the officials' notes.
ENTITY_FIELDS = ("name", "aliases", "country", "kind", "identifiers")


# --- Who may do what ------------------------------------------------------------------------


def check_can_change(advisory: Advisory, by: User) -> None:
    """Officers and admins of the releasing state write, release and withdraw it."""
    state = check_can_author(by)
    if advisory.author_state_id != state.pk:
        raise PermissionDenied(_("Only officers and admins of the releasing state can do this."))


can_change = as_predicate(check_can_change)


def source_choices(state: State):
    """The notices an advisory of ``state`` may stand on: its own, published and not
    withdrawn."""
    return Notice.objects.filter(author_state=state, status=NoticeStatus.PUBLISHED)


# --- Content --------------------------------------------------------------------------------


def _clean_source(value, state: State, errors: dict) -> Notice | None:
    if value in (None, ""):
        return None
    key = value.pk if isinstance(value, Notice) else value
    try:
        source = source_choices(state).prefetch_related("entities").filter(pk=key).first()
    except (ValidationError, ValueError, TypeError):  # not a UUID
        source = None
    if source is None:
        errors["source"] = _("Choose a published notice of your state.")
    return source


def _clean_red_flags(values, errors: dict) -> list[str]:
    if values in (None, ""):
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        errors["red_flags"] = _("Give the red flags as a list of texts.")
        return []
    flags = [
        clean_text(" ".join(v.split()), "red_flags", MAX_RED_FLAG, required=False, errors=errors)
        for v in values
    ]
    flags = [flag for flag in flags if flag]
    if len(flags) > MAX_RED_FLAGS:
        errors["red_flags"] = _("At most %(n)d red flags.") % {"n": MAX_RED_FLAGS}
    return flags


def _clean_entities(values, source: Notice | None, errors: dict) -> list[dict]:
    """The entities named: each one of the source notice's, by its exact name, confirmed
    for release; what is named of it is what the notice says now (``ENTITY_FIELDS``).
    Given with its details (as kept, or awaiting approval), those must still be the
    notice's: what was confirmed is what goes, or the officer confirms again."""
    if values in (None, ""):
        return []
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        errors["entities"] = _("Give the entities as a list of objects.")
        return []
    if not values:
        return []
    if source is None:
        errors["entities"] = _(
            "Only an advisory made from a notice names entities: those of its notice."
        )
        return []
    offered = {entity.name: entity for entity in source.entities.all()}
    named: list[dict] = []
    for value in values:
        unknown = set(value) - {*ENTITY_FIELDS, "confirmed"}
        name = value.get("name")
        if unknown or not isinstance(name, str):
            errors["entities"] = _("Name each entity by its name in the notice.")
            return []
        entity = offered.get(name.strip())
        if entity is None:
            errors["entities"] = _("%(name)s is not an entity of the source notice.") % {
                "name": name[:200]
            }
            return []
        if value.get("confirmed") is not True:
            errors["entities"] = _(
                "Confirm each entity you name: %(name)s will be read outside government."
            ) % {"name": entity.name}
            return []
        shown = {field: getattr(entity, field) for field in ENTITY_FIELDS}
        if any(value[field] != shown[field] for field in ENTITY_FIELDS[1:] if field in value):
            errors["entities"] = _(
                "The notice's details of %(name)s changed since they were confirmed: "
                "confirm them again."
            ) % {"name": entity.name}
            return []
        if all(entity.name != n["name"] for n in named):
            named.append(shown)
    return named


def _clean_lists(values, state: State, errors: dict) -> list[DisseminationList]:
    """The state's own dissemination lists, given as lists or their ids."""
    values = list(values or [])
    keys = [v.pk if isinstance(v, DisseminationList) else v for v in values]
    if not all(isinstance(k, int) and not isinstance(k, bool) for k in keys):
        errors["lists"] = _("Give the lists by their ids.")
        return []
    found = list(DisseminationList.objects.filter(state=state, pk__in=keys))
    if len(found) != len(set(keys)):
        errors["lists"] = _("Choose among your state's dissemination lists.")
    return found


def clean(data: dict, *, state: State) -> dict:
    """Check every content field of an advisory and return them normalised; one
    ValidationError names every field that is wrong."""
    refuse_unknown(data, ADVISORY_FIELDS)
    errors: dict = {}
    tlp = data.get("tlp")
    if tlp not in ADVISORY_TLP:
        errors["tlp"] = _(
            "An advisory leaves government: mark it TLP:CLEAR (public) or TLP:GREEN "
            "(your industry contacts)."
        )
    source = _clean_source(data.get("source"), state, errors)
    cleaned = {
        **clean_item_text(data, errors),
        "tlp": tlp,
        "red_flags": _clean_red_flags(data.get("red_flags"), errors),
        "categories": clean_terms(
            data.get("categories"), TechnologyCategory, "categories", errors, required=False
        ),
        "source": source,
        "entities": _clean_entities(data.get("entities"), source, errors),
        "lists": _clean_lists(data.get("lists"), state, errors),
        "shared_with": clean_states(
            data.get("shared_with"),
            recipient_choices(state),
            "shared_with",
            errors,
            required=False,
        ),
    }
    if errors:
        raise ValidationError(errors)
    return cleaned


def content_of(advisory: Advisory) -> dict:
    """An advisory's current content, in the shape ``clean`` takes."""
    return {
        **item_text(advisory),
        "tlp": advisory.tlp,
        "red_flags": list(advisory.red_flags),
        "categories": list(advisory.categories.all()),
        "source": advisory.source,
        # Stored ones were confirmed when they were named.
        "entities": [{**e.as_dict(), "confirmed": True} for e in advisory.entities.all()],
        "lists": list(advisory.lists.all()),
        "shared_with": list(advisory.shared_with.all()),
    }


def _comparable(content: dict) -> dict:
    plain = comparable(content, relations=("categories", "lists", "shared_with"), dates=())
    plain["source"] = str(content["source"].pk) if content["source"] else None
    # Confirmed, as every entity an advisory names was: what an amendment awaiting
    # approval holds is cleaned again, as it stands, when it is approved.
    plain["entities"] = [
        {**{field: entity[field] for field in ENTITY_FIELDS}, "confirmed": True}
        for entity in content["entities"]
    ]
    return plain


def _apply(advisory: Advisory, cleaned: dict, rendered: Rendered) -> None:
    apply_item_text(advisory, cleaned, rendered)
    advisory.tlp = cleaned["tlp"]
    advisory.red_flags = cleaned["red_flags"]
    advisory.source = cleaned["source"]
    advisory.save()
    advisory.categories.set(cleaned["categories"])
    advisory.lists.set(cleaned["lists"])
    advisory.shared_with.set(cleaned["shared_with"])
    advisory.entities.all().delete()
    advisory.entities.bulk_create(
        [
            advisory.entities.model(
                advisory=advisory,
                position=position,
                **{field: entity[field] for field in ENTITY_FIELDS},
            )
            for position, entity in enumerate(cleaned["entities"])
        ]
    )
    textsearch.index(advisory)


# --- The copy guard -------------------------------------------------------------------------


def restricted_texts(source: Notice | None) -> list[str]:
    """Every text of ``source`` that may not leave government: its content now if it is
    marked AMBER or stricter, and each published version that was."""
    if source is None:
        return []
    texts = []
    if source.tlp in RESTRICTED_TLP:
        texts += [source.title, source.summary, source.body]
        texts += [entity.notes for entity in source.entities.all()]
    for revision in source.revisions.filter(tlp__in=RESTRICTED_TLP):
        snapshot = revision.snapshot
        texts += [snapshot.get(field) or "" for field in ("title", "summary", "body")]
        texts += [e.get("notes") or "" for e in snapshot.get("entities") or []]
    return [text for text in texts if text]


def copied_passages(content: dict) -> list[guard.Passage]:
    """The passages of ``content`` (an advisory's, cleaned or current) that repeat a
    restricted source's words (``sharing.advisories.guard``)."""
    texts = {
        "title": content["title"],
        "summary": content["summary"],
        "body": content["body"],
        "red_flags": "\n".join(content["red_flags"]),
    }
    return guard.copied_passages(texts, restricted_texts(content["source"]))


def check_not_copied(content: dict) -> None:
    _refuse_copies(copied_passages(content), content["source"])


def _refuse_copies(passages: list[guard.Passage], source: Notice | None) -> None:
    """A ValidationError naming each copied passage, by field, if there are any."""
    if not passages or source is None:
        return
    errors: dict[str, list[str]] = {}
    for passage in passages:
        errors.setdefault(passage.field, []).append(
            _(
                "These %(n)d words repeat %(reference)s, which is marked %(tlp)s and may "
                "not leave government; rewrite them in your own words: “%(passage)s”"
            )
            % {
                "n": passage.words,
                "reference": source.reference,
                "tlp": TLP(source.tlp).label,
                "passage": passage.text,
            }
        )
    raise ValidationError(errors)


# --- The lifecycle --------------------------------------------------------------------------


class AdvisoryLifecycle(WithdrawnWithReason):
    """The life of an advisory in the lifecycle's terms: released (published) only with
    a second officer's approval, amended the same way (every change is announced, so
    there are no minor corrections), withdrawn (retired) at once with a reason."""

    model = Advisory
    edit_page = "sharing:advisory-edit"
    owner = "author_state"
    published_status = AdvisoryStatus.RELEASED
    relations = ("categories", "lists", "shared_with")
    # Every change of an advisory is material: its readers outside government, the
    # feed and its CSAF document all get the new version.
    reach = ADVISORY_FIELDS
    reach_refusal = gettext_lazy(
        "Every change to an advisory is announced: it cannot be a minor correction."
    )
    retired_status = AdvisoryStatus.WITHDRAWN
    actions = {
        "drafted": audit.Action.ADVISORY_DRAFTED,
        "draft_updated": audit.Action.ADVISORY_DRAFT_UPDATED,
        "draft_deleted": audit.Action.ADVISORY_DRAFT_DELETED,
        "published": audit.Action.ADVISORY_RELEASED,
        "amended": audit.Action.ADVISORY_AMENDED,
        "retired": audit.Action.ADVISORY_WITHDRAWN,
    }
    events = {
        "published": EventKind.ADVISORY_RELEASED,
        "amended": EventKind.ADVISORY_AMENDED,
        "corrected": EventKind.ADVISORY_AMENDED,
        "retired": EventKind.ADVISORY_WITHDRAWN,
    }
    refusals = {
        "edit_published": gettext_lazy("Only a draft can be edited; amend a released advisory."),
        "delete_published": gettext_lazy("A released advisory is withdrawn, never deleted."),
        "files_published": gettext_lazy("An advisory has no files."),
        "files_kept": gettext_lazy("An advisory has no files."),
        "already_published": gettext_lazy("This advisory has already been released."),
        "amend_unpublished": gettext_lazy("Only a released advisory can be amended."),
        "nothing_changed": gettext_lazy(
            "Nothing has changed; change the advisory before amending it."
        ),
        "retire_unpublished": gettext_lazy("Only a released advisory can be withdrawn."),
    }

    def check_can_change(self, item: Advisory, by: User) -> None:
        check_can_change(item, by)

    def clean(self, data: dict, owner: State) -> dict:
        return clean(data, state=owner)

    def content_of(self, item: Advisory) -> dict:
        return content_of(item)

    def comparable(self, content: dict) -> dict:
        return _comparable(content)

    def snapshot(self, item: Advisory) -> dict:
        return _comparable(content_of(item))  # an advisory has no files

    def apply(self, item: Advisory, cleaned: dict, rendered: Rendered) -> None:
        _apply(item, cleaned, rendered)

    def check_changes(self, item, by, before, after):
        if not item.is_unpublished and before["source"] != after["source"]:
            raise ValidationError({"source": _("A released advisory keeps its source notice.")})

    def check_leaving(self, item, content):
        check_not_copied(content)

    def _retirement(self, item, by, details):
        """A withdrawal's reason is shown publicly at once (no second officer): the copy
        guard reads it too."""
        cleaned = super()._retirement(item, by, details)
        texts = {"reason": cleaned["reason"]}
        _refuse_copies(guard.copied_passages(texts, restricted_texts(item.source)), item.source)
        return cleaned

    def publishing(self, item, now):
        item.reference = next_reference(item.author_state, now.year, "ADV")

    def published_details(self, item):
        return {"reference": item.reference, "tlp": item.tlp}

    def check_amendable(self, item):
        if item.is_withdrawn:
            raise Conflict(_("A withdrawn advisory cannot be amended."))
        super().check_amendable(item)

    def requires(self, owner: State, *markings: str) -> bool:
        return True

    # Each act that can change what the public screening list names makes its next
    # version, in the act's own transaction.

    def _publish(self, item, **kwargs):
        item = super()._publish(item, **kwargs)
        public_list.refresh()
        dissemination.start(item)
        return item

    def _amend(self, item, change, **kwargs):
        super()._amend(item, change, **kwargs)
        public_list.refresh()
        dissemination.start(item)

    def _retire(self, item, details, **kwargs):
        item = super()._retire(item, details, **kwargs)
        public_list.refresh()
        dissemination.start(item, withdrawal=True)
        return item

    def requires_act(self, act: str, owner: State, *markings: str) -> bool:
        return act != ApprovalAct.RETIRE

    def policy_name(self, owner: State) -> str:
        return _("every industry advisory is released by a second officer")


_LIFE = AdvisoryLifecycle()
(create, update, delete, _attach, _detach, _release_alone, _amend_alone, withdraw,
 submit, approve, reject, recall) = _LIFE.acts()  # fmt: skip
(approval_shown, rejection_shown, can_decide, can_recall,
 needs_approval, comparable_content) = _LIFE.questions()  # fmt: skip


@receiver(item_retired, sender=Notice)
def withdraw_with_source(sender, item: Notice, *, by: User, request: HttpRequest | None, **kwargs):
    """Withdraw every released advisory standing on ``notice``, which is being withdrawn
    (in its transaction): nothing made from a withdrawn notice stays up. What awaits
    approval on them is taken back; their drafts stay drafts, which can no longer be
    released (their source is withdrawn)."""
    # Said publicly, in English as the CSAF documents are: nothing of the notice (its
    # reference, its reason) goes with it.
    with translation.override("en"):
        reason = _("The information this advisory was based on has been withdrawn.")
    for advisory in Advisory.objects.filter(source=item).order_by("published_at", "pk"):
        locked = _LIFE.locked(advisory)
        if locked.is_published:
            withdraw(locked, by=by, request=request, reason=reason)
        elif locked.is_pending:
            _LIFE.recall_pending(locked, by=by, request=request)


def source_offered(advisory_or_notice) -> list:
    """The entities a page offers to name: its source notice's."""
    source = getattr(advisory_or_notice, "source", advisory_or_notice)
    return list(source.entities.all()) if source is not None else []
