"""The v1 endpoints. Every object is fetched through ``visible_to(request.user)`` (404
when it cannot be seen); every change is a call to ``sharing.practices.services``, which decide
who may (403) and what is valid (400). Nothing here is a rule of its own."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from sharing.common.api import SharedItemViewSet, TermViewSet, documented
from sharing.common.serializers import submit_serializer
from sharing.practices import services
from sharing.practices.filters import BestPracticeApiFilterSet
from sharing.practices.models import BestPractice, Topic
from sharing.practices.serializers import (
    BestPracticeAmendSerializer,
    BestPracticeSerializer,
    BestPracticeWriteSerializer,
    EndorsementSerializer,
    EndorseSerializer,
)


@documented(
    "best practice",
    BestPracticeSerializer,
    BestPracticeWriteSerializer,
    BestPracticeAmendSerializer,
    "A material change (the default) is announced to the readers. The lead state's "
    "officers and admins, and those of co-authoring states, amend.",
    retire="archiving",
    submit=submit_serializer(BestPracticeAmendSerializer),
)
class BestPracticeViewSet(SharedItemViewSet):
    """The best-practice library."""

    model = BestPractice
    serializer_class = BestPracticeSerializer
    write_serializer = BestPracticeWriteSerializer
    amend_serializer = BestPracticeAmendSerializer
    filterset_class = BestPracticeApiFilterSet
    parent_field = "best_practice"
    check_write = staticmethod(services.check_can_change)
    create_service = staticmethod(services.create)
    update_service = staticmethod(services.update)
    delete_service = staticmethod(services.delete)
    publish_service = staticmethod(services.publish)
    amend_service = staticmethod(services.amend)
    attach_service = staticmethod(services.attach)
    submit_service = staticmethod(services.submit)
    approve_service = staticmethod(services.approve)
    reject_service = staticmethod(services.reject)
    recall_service = staticmethod(services.recall)

    @extend_schema(request=None, responses=BestPracticeSerializer, summary="Archive")
    @action(detail=True, methods=["post"], filter_backends=[])
    def archive(self, request, pk=None):
        practice = services.archive(self.get_object(), by=request.user, request=request)
        return self.respond(practice)

    @extend_schema(
        methods=["POST"],
        request=EndorseSerializer,
        responses={201: EndorsementSerializer, 200: EndorsementSerializer},
        summary="Adopt or endorse it for your state",
        description="201 when your state had not endorsed it; 200 when it changes how.",
    )
    @extend_schema(
        methods=["DELETE"],
        request=None,
        responses={204: None},
        summary="Withdraw your state's endorsement",
    )
    @action(detail=True, methods=["post", "delete"], filter_backends=[])
    def endorse(self, request, pk=None):
        practice = self.get_object()
        if request.method == "DELETE":
            services.withdraw_endorsement(practice, by=request.user, request=request)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.check_can_endorse(practice, request.user)
        data = self.validated(EndorseSerializer)
        result = services.endorse(practice, by=request.user, request=request, **data)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(EndorsementSerializer(result.endorsement).data, status=code)


@extend_schema_view(
    list=extend_schema(
        summary="List the best-practice topics",
        description="The slugs that a best practice's `topics` and the `topic` filter take.",
    )
)
class TopicViewSet(TermViewSet):
    model = Topic
