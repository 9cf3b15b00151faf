"""Who may read what: the one visibility rule (docs/architecture.md,
"The visibility rule").

Every read path (pages, the API, search, feeds, notifications, e-mails, attachment
downloads) goes through ``visible_to``; nothing filters notices by hand. What cannot
be seen does not exist for the reader: views answer 404.
"""

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Q

from accounts.choices import Role
from sharing.common.querysets import VisibleQuerySet, audience_reach, reading_state


def screening_state(user):
    """The state on whose behalf ``user`` screens applications, or None: officers and
    admins of a state that reads. The one home of that rule (screening pages, the API,
    and which watched applications one sees)."""
    state = reading_state(user)
    if state is None or user.role not in {Role.STATE_ADMIN, Role.OFFICER}:
        return None
    return state


class DenialQuerySet(VisibleQuerySet):
    def readable(self, user) -> Q | None:
        """Denials ``user`` may read: their own state's (one not notified yet, a draft or
        awaiting approval, to its officers and admins only), and those notified whose
        audience reaches their state (the same rule as notices)."""
        from sharing.denials.choices import UNPUBLISHED

        state = reading_state(user)
        if state is None:
            return None
        own = Q(state_id=state.pk)
        if user.role == Role.VIEWER:
            own &= ~Q(status__in=UNPUBLISHED)
        return own | (~Q(status__in=UNPUBLISHED) & audience_reach("Denial", state))

    def in_force(self) -> "DenialQuerySet":
        from sharing.denials.choices import DENIALS_IN_FORCE

        return self.filter(status__in=DENIALS_IN_FORCE)

    def with_content(self) -> "DenialQuerySet":
        return self.select_related("state", "created_by").prefetch_related(
            "parties", "recipient_states"
        )

    def with_figures(self) -> "DenialQuerySet":
        """Each denial with what its readers are shown besides its content, in a fixed
        number of queries: ``screenings_matched`` and ``states_screening``, how many
        screenings by states other than the notifying one matched it and from how many
        states (counted, never named); and ``closed_consultations``, the circulated
        outcomes of its consultations (outcome, consulting state, date), newest first,
        which every reader of the denial sees (the question and the thread stay the two
        states' own: Consultation.objects.visible_to)."""
        from django.db.models import Count, IntegerField, Prefetch, Subquery
        from django.db.models.functions import Coalesce

        from sharing.denials.choices import ConsultationStatus

        ScreeningHit = apps.get_model("sharing", "ScreeningHit")
        Consultation = apps.get_model("sharing", "Consultation")
        hits = (
            ScreeningHit.objects.filter(denial=OuterRef("pk"))
            .exclude(screening__state_id=OuterRef("state_id"))
            .values("denial")
        )

        def counted(expression):
            total = Subquery(hits.annotate(n=expression).values("n"), output_field=IntegerField())
            return Coalesce(total, 0)

        closed = (
            Consultation.objects.filter(status=ConsultationStatus.CLOSED)
            .select_related("consulting_state")
            .only("denial", "outcome", "outcome_at", "consulting_state__name")
            .order_by("-outcome_at", "pk")
        )
        return self.annotate(
            screenings_matched=counted(Count("pk")),
            states_screening=counted(Count("screening__state", distinct=True)),
        ).prefetch_related(
            Prefetch("consultations", queryset=closed, to_attr="closed_consultations")
        )


class ConsultationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ConsultationQuerySet":
        """Consultations ``user``'s state takes part in, as the consulting or the denying
        state: the two states, and no one else, read the question and the thread."""
        state = reading_state(user)
        if state is None:
            return self.none()
        return self.filter(Q(consulting_state_id=state.pk) | Q(denial__state_id=state.pk))

    def incoming(self, state_id) -> "ConsultationQuerySet":
        """Asked of ``state_id``: about its denials."""
        return self.filter(denial__state_id=state_id)

    def outgoing(self, state_id) -> "ConsultationQuerySet":
        """Asked by ``state_id``."""
        return self.filter(consulting_state_id=state_id)
