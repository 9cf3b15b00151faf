"""The v1 endpoints. Every object is fetched through ``visible_to(request.user)`` (404
when it cannot be seen); every change is a call to ``sharing.notices.services``, which decide
who may (403) and what is valid (400). Nothing here is a rule of its own."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from sharing.api.pagination import (
    OldestFirst,
)
from sharing.common.api import SharedItemViewSet, TermViewSet, documented, export_schema
from sharing.common.serializers import submit_serializer
from sharing.notices import exports, services
from sharing.notices.filters import NoticeApiFilterSet
from sharing.notices.models import Comment, Notice, TechnologyCategory
from sharing.notices.serializers import (
    AcknowledgementSerializer,
    AcknowledgementsSerializer,
    AcknowledgeSerializer,
    CommentSerializer,
    CommentWriteSerializer,
    NoticeAmendSerializer,
    NoticeSerializer,
    NoticeWriteSerializer,
    WithdrawSerializer,
)


@documented(
    "notice",
    NoticeSerializer,
    NoticeWriteSerializer,
    NoticeAmendSerializer,
    "A material change (the default) asks every recipient state to acknowledge again.",
    retire="withdrawing",
    submit=submit_serializer(NoticeAmendSerializer, WithdrawSerializer),
)
class NoticeViewSet(SharedItemViewSet):
    """Threat and risk notices."""

    model = Notice
    serializer_class = NoticeSerializer
    write_serializer = NoticeWriteSerializer
    amend_serializer = NoticeAmendSerializer
    filterset_class = NoticeApiFilterSet
    parent_field = "notice"
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
    retire_serializer = WithdrawSerializer
    export_actions = ("export_csv",)

    @extend_schema(request=WithdrawSerializer, responses=NoticeSerializer, summary="Withdraw")
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request, pk=None):
        notice = self.get_object()
        services.check_can_change(notice, request.user)
        reason = self.validated(WithdrawSerializer)["reason"]
        notice = services.withdraw(notice, by=request.user, reason=reason, request=request)
        return self.respond(notice)

    @extend_schema(
        request=AcknowledgeSerializer,
        responses={201: AcknowledgementSerializer, 200: AcknowledgementSerializer},
        summary="Acknowledge the current version for your state",
        description="201 the first time your state acknowledges the version it is asked "
        "about; 200 on a repeat or a raised level. A lower level than your state reached "
        "is refused (400).",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request, pk=None):
        notice = self.get_object()
        services.check_can_acknowledge(notice, request.user)
        data = self.validated(AcknowledgeSerializer)
        result = services.acknowledge(notice, by=request.user, request=request, **data)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(AcknowledgementSerializer(result.acknowledgement).data, status=code)

    @extend_schema(responses=AcknowledgementsSerializer, summary="Who has acknowledged")
    @action(detail=True, methods=["get"], filter_backends=[])
    def acknowledgements(self, request, pk=None):
        notice = get_object_or_404(
            self.get_queryset().prefetch_related("acknowledgements__by"), pk=pk
        )
        self.audit_reading([notice])
        answers, pending = services.acknowledgements_shown(notice, request.user)
        data = {"acknowledgements": answers, "pending_states": [state.pk for state in pending]}
        return Response(AcknowledgementsSerializer(data).data)

    @extend_schema(
        methods=["GET"],
        responses=CommentSerializer(many=True),
        summary="Read the discussion",
    )
    @extend_schema(
        methods=["POST"],
        request=CommentWriteSerializer,
        responses={201: CommentSerializer},
        summary="Add a comment",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=OldestFirst)
    def comments(self, request, pk=None):
        notice = self.get_object()
        if request.method == "POST":
            services.check_can_comment(notice, request.user)
            body = self.validated(CommentWriteSerializer)["body"]
            comment = services.comment(notice, by=request.user, body=body, request=request)
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        self.audit_reading([notice])
        page = self.paginate_queryset(
            Comment.objects.visible_to(request.user).filter(notice=notice).select_related("author")
        )
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @export_schema("notice", "csv", "One row per notice, its current version.")
    @action(detail=False, methods=["get"], url_path="export.csv", pagination_class=None)
    def export_csv(self, request):
        return self.export(kind="notices", fmt="csv", lines=exports.csv_file)


@extend_schema_view(
    list=extend_schema(
        summary="List the technology categories",
        description="The slugs that a notice's `categories` and the `category` filter take.",
    )
)
class CategoryViewSet(TermViewSet):
    model = TechnologyCategory
