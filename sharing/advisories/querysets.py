"""Who may read which advisory: the one visibility rule for advisories
(docs/architecture.md, "The visibility rule" and "Advisories")."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Q

from accounts.choices import Role
from sharing.advisories.choices import UNPUBLISHED
from sharing.common.choices import TLP, Audience
from sharing.common.querysets import (
    VisibleQuerySet,
    authoring_state,
    broad_audiences,
    reading_state,
)


class AdvisoryQuerySet(VisibleQuerySet):
    def readable(self, user) -> Q:
        """Advisories ``user`` may read. Anyone, signed in or not, reads released (and
        later withdrawn) TLP:CLEAR ones. The releasing state's officers and admins also
        read its drafts and those awaiting approval (its viewers, only what is
        released); every other state's users read released ones, CLEAR or GREEN."""
        public = Q(tlp=TLP.CLEAR) & ~Q(status__in=UNPUBLISHED)
        state = reading_state(user)
        if state is None:
            return public
        own = Q(author_state_id=state.pk)
        if user.role == Role.VIEWER:
            own &= ~Q(status__in=UNPUBLISHED)
        condition = public | own
        if Audience.COMMUNITY in broad_audiences(state):
            condition |= ~Q(status__in=UNPUBLISHED)
        return condition

    def public(self) -> "AdvisoryQuerySet":
        """What anyone may read: the public pages, the feed, CSAF and the screening list
        show this and nothing else, whoever asks."""
        return self.visible_to(AnonymousUser())

    def sent_to(self, contact) -> "AdvisoryQuerySet":
        """What a contact outside government may read through their own link: released
        (or since withdrawn) advisories whose current version was sent to them (not
        only the news of a withdrawal); nothing for a contact no longer active."""
        if contact is None or not contact.is_active:
            return self.none()
        return (
            self.exclude(status__in=UNPUBLISHED)
            .filter(
                disseminations__version=F("version"),
                disseminations__withdrawal=False,
                disseminations__sendings__contact=contact,
            )
            .distinct()
        )

    def with_content(self) -> "AdvisoryQuerySet":
        return self.select_related("author_state", "source", "created_by").prefetch_related(
            "categories", "entities"
        )


class OwnStateQuerySet(VisibleQuerySet):
    """Industry contacts and dissemination lists: their state's alone, seen by its
    officers and admins (personal data of people outside government)."""

    def readable(self, user) -> Q | None:
        state = authoring_state(user)
        return None if state is None else Q(state_id=state.pk)
