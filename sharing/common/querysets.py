"""Who may read what: the one visibility rule (docs/architecture.md,
"The visibility rule").

Every read path (pages, the API, search, feeds, notifications, e-mails, attachment
downloads) goes through ``visible_to``; nothing filters notices by hand. What cannot
be seen does not exist for the reader: views answer 404.
"""

from django.apps import apps
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from accounts.choices import Role, StateStatus
from sharing.common.choices import ApprovalStatus, Audience


def reading_state(user):
    """The state on whose behalf ``user`` reads, or None if they read nothing: anonymous,
    deactivated, platform staff (they manage accounts, not content), or of a suspended
    state."""
    if not (user.is_authenticated and user.is_active) or user.state_id is None:
        return None
    state = user.state
    return None if state.is_suspended else state


def authoring_state(user):
    """The state on whose behalf ``user`` writes and decides, or None: officers and
    admins of a subscribing state (viewers and observer states only read). The one home
    of that rule; ``sharing.common.services.check_can_author`` refuses with it."""
    state = reading_state(user)
    if (
        state is None
        or state.status != StateStatus.SUBSCRIBING
        or user.role not in {Role.STATE_ADMIN, Role.OFFICER}
    ):
        return None
    return state


# Which states a broad audience reaches, by their status. A `selected` audience reaches
# the states named in the notice instead. Both directions of the rule (which notices a
# state reads, which states a notice reaches) are read off this one table.
AUDIENCE_REACH = {
    Audience.SUBSCRIBING: {StateStatus.SUBSCRIBING},
    Audience.COMMUNITY: {StateStatus.SUBSCRIBING, StateStatus.OBSERVER},
}


def broad_audiences(state) -> list[str]:
    return [audience for audience, statuses in AUDIENCE_REACH.items() if state.status in statuses]


def audience_reach(model_name: str, state) -> Q:
    """Rows of a notice-like model (notices, denials: a `selected` audience names its
    recipient states) whose audience reaches ``state``."""
    Recipients = apps.get_model("sharing", model_name).recipient_states.through
    owner = f"{model_name.lower()}_id"
    # pk IN (the state's rows), not a correlated EXISTS: inside the OR of visible_to,
    # PostgreSQL costs an EXISTS as if run once per row (a thousand times too dear at
    # 100,000 notices), which made it pick nested loops, and JIT, for a list's COUNT.
    # Both forms it runs as one hashed lookup; this one it also plans as one.
    reach = Q(audience=Audience.SELECTED) & Q(
        pk__in=Recipients.objects.filter(state_id=state.pk).values(owner)
    )
    broad = broad_audiences(state)
    if broad:
        reach |= Q(audience__in=broad)
    return reach


def recipient_choices(author_state):
    """The states a notice of ``author_state`` may name as its recipients."""
    State = apps.get_model("accounts", "State")
    return State.objects.exclude(pk=author_state.pk).exclude(status=StateStatus.SUSPENDED)


def under(relation: str, condition: Q) -> Q:
    """``condition`` (on a model's fields) read through ``relation`` of another model:
    under("notice", Q(status="draft")) is Q(notice__status="draft")."""
    moved = Q()
    moved.connector, moved.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            moved.children.append(under(relation, child))
        else:
            lookup, value = child  # type: ignore[misc]  # a Q's other children are pairs
            moved.children.append((f"{relation}__{lookup}", value))
    return moved


def approval_record() -> tuple:
    """Prefetches for a notice's or best practice's four-eyes record: who published and
    who approved each version (``signed_versions``), and its submissions not taken back,
    newest first (``approval_history``: what awaits approval, the last rejection).
    Whether a reader is shown the latter is the lifecycle's business
    (``Lifecycle.approval_shown``, ``rejection_shown``)."""
    Revision = apps.get_model("sharing", "Revision")
    Approval = apps.get_model("sharing", "Approval")
    return (
        models.Prefetch(
            "revisions",
            queryset=Revision.objects.select_related("created_by", "approved_by").defer("snapshot"),
            to_attr="signed_versions",
        ),
        models.Prefetch(
            "approvals",
            queryset=Approval.objects.exclude(status=ApprovalStatus.RECALLED).select_related(
                "submitted_by", "decided_by"
            ),
            to_attr="approval_history",
        ),
    )


# A notice's or best practice's fields that lists and search results never show.
LONG_TEXT_FIELDS = ("body", "body_html", "search_text", "search_folded", "search_vector")


class VisibleQuerySet(models.QuerySet):
    """A model whose rows some users may read: ``readable(user)`` is the rule, as a
    condition on the model's fields (None: nothing), and ``visible_to`` applies it.
    Other models apply the same condition through a relation (``under``), as a join."""

    def readable(self, user) -> Q | None:
        raise NotImplementedError

    def visible_to(self, user):
        condition = self.readable(user)
        return self.none() if condition is None else self.filter(condition)


def _authoring(obj) -> Q:
    """The states that wrote ``obj``: a notice's author, a best practice's lead and
    co-authors (a condition on states)."""
    if obj._meta.model_name in {"notice", "denial", "advisory"}:
        return Q(pk=obj.author_state_id)
    CoAuthors = obj.co_authors.through
    return Q(pk=obj.lead_state_id) | Q(
        pk__in=CoAuthors.objects.filter(bestpractice_id=obj.pk).values("state_id")
    )


def _reached(obj) -> Q:
    """The states ``obj``'s audience reaches (a condition on states): those a `selected`
    notice names, or those whose status AUDIENCE_REACH gives a broad audience."""
    if obj.audience == Audience.SELECTED:
        Recipients = obj.recipient_states.through
        owner = f"{obj._meta.model_name}_id"
        return Q(pk__in=Recipients.objects.filter(**{owner: obj.pk}).values("state_id"))
    return Q(status__in=AUDIENCE_REACH[obj.audience])


def _reading_states():
    State = apps.get_model("accounts", "State")
    return State.objects.exclude(status=StateStatus.SUSPENDED)  # they read nothing


def recipient_states(obj):
    """The states, other than its authors, that the audience of ``obj`` (a notice or a
    best practice) reaches now: those told of a new version, and those asked to
    acknowledge a notice. Suspended states are left out (they read nothing)."""
    return _reading_states().filter(_reached(obj)).exclude(_authoring(obj))


# The kinds of item that have versions, by the name of their relation from a revision
# (or a file) to the item.
VERSIONED = {
    "notice": "Notice",
    "best_practice": "BestPractice",
    "denial": "Denial",
    "advisory": "Advisory",
}


def _kinds(of: str | None) -> dict[str, str]:
    """VERSIONED, or only the kind ``of`` (a relation name) when a page reads one."""
    if of is None:
        return VERSIONED
    return {of: VERSIONED[of]}


class RevisionQuerySet(VisibleQuerySet):
    def readable(self, user, of: str | None = None) -> Q | None:
        """Versions ``user`` may read, of an item they may read now: those that reached
        their state when they were published (the states a revision keeps), public
        versions, and the item's current version (what its page shows anyway). Widening
        an audience, adding a co-author, lowering a marking or a state's change of
        status later never opens the versions before (docs/architecture.md, "Versions").

        ``of`` (a relation: "notice", "best_practice", ...) limits the rule to the
        versions of one kind of item: a page about a notice asks only that, and the
        query built is a quarter of the size (docs/architecture.md, "Performance")."""
        state = reading_state(user)
        reached = Q(public=True)
        if state is not None:
            Reached = apps.get_model("sharing", "Revision").reached_states.through
            # Correlated, so that each revision asks the (revision, state) index: as a
            # list of every revision the state was ever reached by, it read 100,000 rows
            # for a page of four versions at 100,000 notices.
            mine = Reached.objects.filter(state_id=state.pk, revision_id=OuterRef("pk"))
            reached |= Q(Exists(mine))
        condition = Q()
        for relation, model_name in _kinds(of).items():
            item = apps.get_model("sharing", model_name).objects.readable(user)
            if item is not None:
                current = Q(version=F(f"{relation}__version"))
                condition |= under(relation, item) & (reached | current)
        return condition or None

    def visible_to(self, user, of: str | None = None) -> "RevisionQuerySet":
        condition = self.readable(user, of)
        return self.none() if condition is None else self.filter(condition)


class ApprovalQuerySet(models.QuerySet):
    def awaiting_decision_by(self, user) -> "ApprovalQuerySet":
        """What ``user`` is asked to approve or reject: acts awaiting approval on their
        own state's notices, best practices and licence denials, submitted by someone
        else; for officers and admins of a subscribing state. The lifecycle's
        ``_check_official`` as a query (a dashboard list); acting on one checks it again."""
        state = authoring_state(user)
        if state is None:
            return self.none()
        return (
            self.filter(status=ApprovalStatus.PENDING)
            .filter(
                Q(notice__author_state_id=state.pk)
                | Q(best_practice__lead_state_id=state.pk)
                | Q(denial__state_id=state.pk)
                | Q(advisory__author_state_id=state.pk)
            )
            .exclude(submitted_by_id=user.pk)
        )


# A version number no item reaches: "not removed yet" in comparisons.
NEVER = 2**31 - 1


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user, of: str | None = None) -> "AttachmentQuerySet":
        """Files ``user`` may download: of a notice or best practice they may read now,
        and part of a version they may read (from the version that added a file to the
        one before the version that removed it). A draft's files go with the draft (and
        with it when it awaits approval). ``of`` ("notice" or "best_practice") limits
        the rule to one kind of item, as ``Revision.objects.visible_to`` does."""
        Revision = apps.get_model("sharing", "Revision")
        condition = Q()
        for relation, model_name in _kinds(of).items():
            if relation not in {"notice", "best_practice"}:
                continue  # the only kinds with files
            Model = apps.get_model("sharing", model_name)
            items = Model.objects.visible_to(user)
            in_version = Revision.objects.visible_to(user, of=relation).filter(
                **{f"{relation}_id": OuterRef(f"{relation}_id")},
                version__gte=OuterRef("version"),
                version__lt=Coalesce(OuterRef("removed_in"), Value(NEVER)),
            )
            unpublished = items.filter(status__in=Model.UNPUBLISHED)
            condition |= Q(**{f"{relation}__in": items.values("pk")}) & (
                Q(**{f"{relation}__in": unpublished.values("pk")}) | Q(Exists(in_version))
            )
        return self.filter(condition)

    def current(self) -> "AttachmentQuerySet":
        """The files of an item's current version."""
        return self.filter(removed_in__isnull=True)


def as_state(state, role=Role.VIEWER):
    """A stand-in reader with the rights of any user of ``state`` (of its officers,
    given ``Role.OFFICER``), for asking what a state (rather than a person) may read: a
    webhook's, an endorsing state's, a watching state's."""
    User = apps.get_model("accounts", "User")
    return User(state=state, role=role, is_active=True)


def reader_states(obj):
    """The states whose users read ``obj`` (a published, withdrawn or archived notice or
    best practice) by the rules above: the authoring states and those its audience
    reaches, or every state for a public best practice (anyone reads it). Suspended
    states are never among them: they read nothing as a state (what one of their users
    sees of a public best practice, anyone sees)."""
    if getattr(obj, "public", False):
        return _reading_states()
    return _reading_states().filter(_authoring(obj) | _reached(obj))
