"""The v1 endpoints of licence denials, screening and consultations, in the manner of
the other kinds' API (``sharing.notices.api``...): every object is fetched through
``visible_to(request.user)`` (404 when it cannot be seen); every act is a call to
``sharing.denials.services``, whose ``check_*`` comes first (403) before the body is
looked at (400)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import State
from portal.countries import country_names
from sharing.api.pagination import NewestOpenedFirst, OldestFirst
from sharing.common import validators
from sharing.common.api import (
    FourEyesActions,
    VersionedItemViewSet,
    VisibleItemViewSet,
    export_schema,
    four_eyes_schema,
)
from sharing.common.filters import ChangedSinceFilter, RefuseEmptyValues
from sharing.common.serializers import submit_serializer
from sharing.denials import exports, services
from sharing.denials.choices import (
    UNPUBLISHED,
    ConsultationStatus,
    DenialReason,
    DenialStatus,
    PartyRole,
)
from sharing.denials.models import Consultation, ConsultationMessage, Denial, DenialParty
from sharing.denials.serializers import (
    AnswerSerializer,
    ConsultationMessageSerializer,
    ConsultationMessageWriteSerializer,
    ConsultationOpenSerializer,
    ConsultationSerializer,
    DenialAmendSerializer,
    DenialSerializer,
    DenialWriteSerializer,
    ExtendSerializer,
    OutcomeWriteSerializer,
    RenewSerializer,
    RevokeSerializer,
)

# What ``q`` looks at: the first words of it, each of which must be found.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8


# --- Filters --------------------------------------------------------------------------------


class ControlEntryField(forms.CharField):
    """A control-list entry, written as the services write it (5A001.j, ML21.a)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        return validators.clean_control_codes([value])[0]


class ControlEntryFilter(django_filters.CharFilter):
    field_class = ControlEntryField


class WordsField(forms.CharField):
    """Words to look for: plain text, no control characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and any(ord(character) < 32 or ord(character) == 127 for character in value):
            raise ValidationError(_("Control characters are not allowed."))
        return value


class WordsFilter(django_filters.CharFilter):
    field_class = WordsField


def _country_choices():
    return list(country_names().items())


class DenialApiFilterSet(RefuseEmptyValues, django_filters.FilterSet):
    """Filters of the list of denials, applied on top of ``Denial.objects.visible_to``:
    they narrow what may be seen, never widen it."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=DenialStatus.choices)
    reason_category = django_filters.ChoiceFilter(label=_("Reason"), choices=DenialReason.choices)
    state = django_filters.ModelChoiceFilter(
        label=_("Notifying state"), queryset=State.objects.all()
    )
    destination = django_filters.ChoiceFilter(
        label=_("The country of an end-user it names (ISO 3166-1 alpha-2, or XK)"),
        choices=_country_choices,
        method="filter_destination",
    )
    control_entry = ControlEntryFilter(label=_("Control-list entry (e.g. 5A001.j)"))
    updated_since = ChangedSinceFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Changed at or after (ISO 8601, with time zone)"),
    )
    q = WordsFilter(
        label=_(
            "Words, each found in the national reference, the item description, the "
            "end-use or a party's name or aliases (case-insensitive)"
        ),
        method="filter_words",
    )

    class Meta:
        model = Denial
        fields = [
            "status",
            "reason_category",
            "state",
            "destination",
            "control_entry",
            "updated_since",
            "q",
        ]

    def filter_destination(self, queryset, name, value: str):
        end_users = DenialParty.objects.filter(
            denial=OuterRef("pk"), role=PartyRole.END_USER, country=value
        )
        return queryset.filter(Exists(end_users))

    def filter_words(self, queryset, name, value):
        for word in value.split()[:MAX_QUERY_WORDS]:
            parties = DenialParty.objects.filter(denial=OuterRef("pk")).filter(
                Q(name__icontains=word) | Q(aliases__icontains=word)
            )
            queryset = queryset.filter(
                Q(national_reference__icontains=word)
                | Q(item_description__icontains=word)
                | Q(end_use__icontains=word)
                | Exists(parties)
            )
        return queryset


class ConsultationApiFilterSet(RefuseEmptyValues, django_filters.FilterSet):
    direction = django_filters.ChoiceFilter(
        label=_("incoming: asked of your state; outgoing: asked by it"),
        choices=[("incoming", _("Incoming")), ("outgoing", _("Outgoing"))],
        method="filter_direction",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ConsultationStatus.choices)

    class Meta:
        model = Consultation
        fields = ["direction", "status"]

    def filter_direction(self, queryset, name, value):
        state_id = self.request.user.state_id
        if value == "incoming":
            return queryset.incoming(state_id)
        return queryset.outgoing(state_id)


# --- Acts -----------------------------------------------------------------------------------


class ActsThroughServices:
    """The acts on one denial or consultation, on a ``VisibleItemViewSet``: the item
    fetched through ``visible_to`` (404), the service's ``check`` (403) before the body
    is looked at (400), the service called, and the item as it now is in answer
    (docs/architecture.md, "Three homes for rules")."""

    def _act(self, check, serializer_class, service):
        item = self.get_object()
        check(item, self.request.user)
        data = self.validated(serializer_class)
        return self.respond(service(item, by=self.request.user, request=self.request, **data))


# --- Denials --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List the licence denials you may read"),
    retrieve=extend_schema(summary="Read a licence denial"),
    create=extend_schema(
        summary="Notify a licence denial",
        description="Officers and admins of a subscribing state. In force at once, "
        "screened against and announced to its audience. 409 when your state asks another "
        "official to approve its denials: submit it (`POST .../denials/submit/`) instead.",
        request=DenialWriteSerializer,
        responses={201: DenialSerializer},
    ),
    submit_new=extend_schema(
        operation_id="denials_submit_new",
        summary="Submit a new licence denial for approval",
        description="Where your state asks another official to approve its denials: the "
        "denial awaits approval (`pending_approval`), read by your state's officers and "
        "admins only, and is notified once approved. 409 where your state does not ask.",
        request=DenialWriteSerializer,
        responses={201: DenialSerializer},
    ),
    destroy=extend_schema(
        summary="Delete a draft denial",
        description="A denial not notified (a submission rejected or taken back).",
    ),
    partial_update=extend_schema(
        summary="Change a draft denial",
        description="A denial not notified; one awaiting approval is taken back.",
        request=DenialWriteSerializer,
        responses=DenialSerializer,
    ),
    publish=extend_schema(
        summary="Notify a draft denial",
        description="Where your state no longer asks for approval (409 where it does: "
        "submit it instead).",
        request=None,
        responses=DenialSerializer,
    ),
    **four_eyes_schema(
        DenialSerializer,
        retire="revoking",
        submit=submit_serializer(DenialAmendSerializer, RevokeSerializer),
    ),
    amend=extend_schema(
        summary="Amend a denial in force",
        description="The fields to change and a change note; a new version, announced.",
        request=DenialAmendSerializer,
        responses=DenialSerializer,
    ),
    revoke=extend_schema(
        summary="Revoke a denial",
        description="It stays readable, drops out of screening, and its readers are told.",
        request=RevokeSerializer,
        responses=DenialSerializer,
    ),
    renew=extend_schema(
        summary="Renew a denial at its review",
        request=RenewSerializer,
        responses=DenialSerializer,
    ),
    consultations=extend_schema(
        summary="Consult the denying state",
        description="About an essentially identical transaction your state is "
        "considering. The answer is due within 10 working days of the denying state's "
        "calendar.",
        request=ConsultationOpenSerializer,
        responses={201: ConsultationSerializer},
    ),
)
class DenialViewSet(FourEyesActions, ActsThroughServices, VersionedItemViewSet):
    """Licence denials: notified, amended, revoked and renewed by the notifying state,
    screened against and consulted about by the others; under four eyes where the
    notifying state asks for them."""

    model = Denial
    serializer_class = DenialSerializer
    filterset_class = DenialApiFilterSet
    parent_field = "denial"
    check_write = staticmethod(services.check_can_change)
    submit_service = staticmethod(services.submit)
    approve_service = staticmethod(services.approve)
    reject_service = staticmethod(services.reject)
    recall_service = staticmethod(services.recall)
    amend_serializer = DenialAmendSerializer
    retire_serializer = RevokeSerializer
    export_actions = ("export_csv", "export_ftm")

    def get_queryset(self):
        return super().get_queryset().with_figures()

    @export_schema("denial", "csv", "One row per denial, its current version.")
    @action(detail=False, methods=["get"], url_path="export.csv", pagination_class=None)
    def export_csv(self, request):
        return self.export(kind="denials", fmt="csv", lines=exports.csv_file)

    @export_schema(
        "denial",
        "ftm",
        "FollowTheMoney entities, one JSON object per line: each party of a notified "
        "denial (never a draft or one awaiting approval) as a LegalEntity, then a "
        "Sanction recording the denial.",
    )
    @action(detail=False, methods=["get"], url_path="export.ftm.jsonl", pagination_class=None)
    def export_ftm(self, request):
        # For screening engines: what was notified, never a draft or what awaits approval.
        return self.export(
            kind="denials",
            fmt="ftm",
            lines=exports.ftm_file,
            narrow=lambda denials: denials.exclude(status__in=UNPUBLISHED),
        )

    def create(self, request):
        services.check_can_notify(request.user)
        content = self.validated(DenialWriteSerializer)
        denial = services.publish(by=request.user, request=request, **content)
        return self.respond(denial, status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"], filter_backends=[], url_path="submit")
    def submit_new(self, request):
        services.check_can_notify(request.user)
        content = self.validated(DenialWriteSerializer)
        denial = services.submit_new(by=request.user, request=request, **content)
        return self.respond(denial, status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        services.delete(self.get_object(), by=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def partial_update(self, request, pk=None):
        denial = self.get_object()
        services.check_can_change(denial, request.user)
        content = self.validated(DenialWriteSerializer, partial=True)
        return self.respond(services.update(denial, by=request.user, request=request, **content))

    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request, pk=None):
        denial = services.publish_draft(self.get_object(), by=request.user, request=request)
        return self.respond(denial)

    @action(detail=True, methods=["post"], filter_backends=[])
    def amend(self, request, pk=None):
        return self._act(services.check_can_change, DenialAmendSerializer, services.amend)

    @action(detail=True, methods=["post"], filter_backends=[])
    def revoke(self, request, pk=None):
        return self._act(services.check_can_change, RevokeSerializer, services.revoke)

    @action(detail=True, methods=["post"], filter_backends=[])
    def renew(self, request, pk=None):
        return self._act(services.check_can_change, RenewSerializer, services.renew)

    @action(detail=True, methods=["post"], filter_backends=[])
    def consultations(self, request, pk=None):
        denial = self.get_object()
        services.check_can_consult(denial, request.user)
        content = self.validated(ConsultationOpenSerializer)
        consultation = services.open_consultation(
            denial, by=request.user, request=request, **content
        )
        fresh = get_object_or_404(consultations_of(request.user), pk=consultation.pk)
        data = ConsultationSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


# --- Consultations --------------------------------------------------------------------------


def consultations_of(user):
    return Consultation.objects.visible_to(user).select_related("denial__state")


@extend_schema_view(
    list=extend_schema(
        summary="List your state's consultations",
        description="Those your state asked (outgoing) and those asked of it "
        "(incoming), newest first.",
    ),
    retrieve=extend_schema(summary="Read a consultation"),
    answer=extend_schema(
        summary="Answer the consultation",
        description="The denying state's officers and admins; a late answer is taken.",
        request=AnswerSerializer,
        responses=ConsultationSerializer,
    ),
    extend=extend_schema(
        summary="Extend the deadline, once",
        description="The denying state's officers and admins: to at most 30 working "
        "days from the opening.",
        request=ExtendSerializer,
        responses=ConsultationSerializer,
    ),
    outcome=extend_schema(
        summary="Record the outcome of your application",
        description="The consulting state's officers and admins; a short summary is "
        "circulated to every state that reads the denial.",
        request=OutcomeWriteSerializer,
        responses=ConsultationSerializer,
    ),
)
class ConsultationViewSet(ActsThroughServices, VisibleItemViewSet):
    """Consultations between a consulting and a denying state: the two states, and no
    one else, read them; their officers and admins act in them."""

    model = Consultation
    serializer_class = ConsultationSerializer
    pagination_class = NewestOpenedFirst
    filterset_class = ConsultationApiFilterSet
    # Answered already, extended already, decided already or not yet: a 409.
    conflicting_actions = ("answer", "extend", "outcome")

    def get_queryset(self):
        return consultations_of(self.request.user)

    @action(detail=True, methods=["post"], filter_backends=[])
    def answer(self, request, pk=None):
        return self._act(services.check_can_answer, AnswerSerializer, services.answer_consultation)

    @action(detail=True, methods=["post"], filter_backends=[])
    def extend(self, request, pk=None):
        return self._act(services.check_can_answer, ExtendSerializer, services.extend_consultation)

    @action(detail=True, methods=["post"], filter_backends=[])
    def outcome(self, request, pk=None):
        return self._act(
            services.check_can_record_outcome, OutcomeWriteSerializer, services.record_outcome
        )

    @extend_schema(
        methods=["GET"],
        responses=ConsultationMessageSerializer(many=True),
        summary="Read the thread",
    )
    @extend_schema(
        methods=["POST"],
        request=ConsultationMessageWriteSerializer,
        responses={201: ConsultationMessageSerializer},
        summary="Write in the thread",
        description="The two states' officers and admins; the other state is told.",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=OldestFirst)
    def messages(self, request, pk=None):
        consultation = self.get_object()
        if request.method == "POST":
            services.check_can_write_in(consultation, request.user)
            body = self.validated(ConsultationMessageWriteSerializer)["body"]
            message = services.write_in_consultation(
                consultation, by=request.user, body=body, request=request
            )
            data = ConsultationMessageSerializer(message).data
            return Response(data, status=status.HTTP_201_CREATED)
        self.audit_reading([consultation])
        page = self.paginate_queryset(
            ConsultationMessage.objects.filter(consultation=consultation).select_related("author")
        )
        return self.get_paginated_response(ConsultationMessageSerializer(page, many=True).data)
