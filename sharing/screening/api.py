"""The v1 endpoints of screening and of watched applications: a state's officers and
admins screen an application, list their watches, watch what they screened, and record
the decision. Watches are fetched through ``Watch.objects.visible_to(request.user)``
(404 for anyone else); every act is a call to ``sharing.screening.services``, whose
check comes first (403)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from sharing.api.pagination import NewestChangeFirst
from sharing.common.api import VisibleItemViewSet, validated
from sharing.denials import services as denials
from sharing.screening import services
from sharing.screening.models import Watch, WatchMatch
from sharing.screening.serializers import (
    ScreeningResultSerializer,
    ScreenSerializer,
    WatchDecisionSerializer,
    WatchSerializer,
    WatchWriteSerializer,
)


class ScreenView(APIView):
    """``POST /api/v1/denials/screen/``: at the denials' address, where it was before it
    covered notices too."""

    @extend_schema(
        operation_id="denials_screen_create",
        tags=["denials"],
        summary="Screen an application against the denials and alerts in force",
        description="The denials in force, and the published end-user and diversion alerts "
        "naming an entity of concern, that your state may read and that match the "
        "candidate transaction, best first, each with why it matched. Officers and "
        "admins; every screening is kept and audited. Its number may then be watched "
        "(`POST /api/v1/watches/`).",
        request=ScreenSerializer,
        responses=ScreeningResultSerializer,
    )
    def post(self, request):
        denials.check_can_screen(request.user)
        data = validated(ScreenSerializer, request.data)
        result = services.screen(by=request.user, request=request, **data)
        context = {"request": request}
        return Response(ScreeningResultSerializer(result, context=context).data)


class SoonestFirst(NewestChangeFirst):
    ordering = ("decide_by", "pk")


@extend_schema_view(
    list=extend_schema(
        summary="List your state's watched applications",
        description="Officers and admins; the soonest decide-by date first.",
    ),
    retrieve=extend_schema(summary="Read a watched application"),
    create=extend_schema(
        summary="Watch an application you screened",
        description="Screened again whenever a denial your state may read is notified, "
        "amended or renewed, or an end-user or diversion alert published or amended; a new "
        "match, or a score risen by 10 or more, is told to your state's officers and admins "
        "(`screening.new_match`). What the screening showed is known already.",
        request=WatchWriteSerializer,
        responses={201: WatchSerializer},
    ),
    decide=extend_schema(
        summary="Record the decision: the watch ends",
        description="Your state's officers and admins. 409 when it was decided or lapsed.",
        request=WatchDecisionSerializer,
        responses=WatchSerializer,
    ),
)
class WatchViewSet(VisibleItemViewSet):
    model = Watch
    serializer_class = WatchSerializer
    pagination_class = SoonestFirst
    filter_backends: list = []
    conflicting_actions = ("decide",)

    def get_queryset(self):
        user = self.request.user
        readable = WatchMatch.objects.visible_to(user)
        return (
            Watch.objects.visible_to(user)
            .select_related("owner", "decided_by")
            .prefetch_related(
                Prefetch("matches", queryset=readable.order_by("pk"), to_attr="readable_matches")
            )
        )

    def list(self, request):
        # Watches are read like everything else: those of your state you may see (none
        # for a viewer), never a 403.
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        services.check_can_watch(request.user)
        data = self.validated(WatchWriteSerializer)
        made = services.create(by=request.user, request=request, **data)
        return self.respond(made, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        watch = self.get_object()
        services.check_can_decide(watch, request.user)
        data = self.validated(WatchDecisionSerializer)
        return self.respond(services.decide(watch, by=request.user, request=request, **data))
