"""The v1 endpoints. Every object is fetched through ``visible_to(request.user)`` (404
when it cannot be seen); every change is a call to ``sharing.services``, which decide
who may (403) and what is valid (400). Nothing here is a rule of its own."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import State
from sharing import search, services
from sharing.api import serializers as api
from sharing.api.pagination import (
    ByCode,
    NewestChangeFirst,
    NewestFirst,
    NewestVersionFirst,
    OldestFirst,
    UploadOrder,
)
from sharing.api.parsers import JSONParser, MultiPartParser
from sharing.attachments import ALLOWED_TYPES
from sharing.filters import BestPracticeApiFilterSet, NoticeApiFilterSet, NotificationApiFilterSet
from sharing.models import Attachment, BestPractice, Comment, Notice, Notification, Revision
from sharing.views.attachments import download_response


class MeView(APIView):
    @extend_schema(responses=api.MeSerializer, summary="Who the token acts for")
    def get(self, request):
        user = request.user
        return Response(api.MeSerializer(user).data)


@extend_schema_view(list=extend_schema(summary="List the states"))
class StateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The states taking part: subscribing, observer and suspended."""

    queryset = State.objects.all()
    serializer_class = api.StateSerializer
    pagination_class = ByCode


@contextmanager
def as_field(given: str, sent: str):
    """Name the services' errors about ``given`` after the request's part ``sent``."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict") and given in error.error_dict:
            error.error_dict[sent] = error.error_dict.pop(given)
        raise


# --- What notices and best practices share --------------------------------------------------


class VisibleItemViewSet(viewsets.GenericViewSet):
    """What every kind of shared item does (notices, best practices, denials,
    consultations): fetched through ``visible_to`` with its content, filtered on lists
    only, its restricted readings audited, and every answer to an act the item as it
    now is.

    A subclass names its model; in each act, the services' ``check_*`` comes first, so
    that what the role may not do is a 403 before anything in the body is looked at."""

    model: type
    lookup_value_converter = "uuid"
    pagination_class = NewestChangeFirst
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).with_content()

    def get_object(self):
        # Filters are for lists; an object is found by its id alone.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def respond(self, obj, code=status.HTTP_200_OK):
        """The item re-read with its content, as every reader would see it now."""
        fresh = get_object_or_404(self.get_queryset(), pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def validated(self, serializer_class, *, partial=False):
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def audit_reading(self, objects) -> None:
        """One audit row for what the request showed of restricted items, if any."""
        services.record_reading(objects, by=self.request.user, request=self.request)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self.audit_reading(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        obj = self.get_object()
        self.audit_reading([obj])
        return Response(self.get_serializer(obj).data)


class VersionedItemViewSet(VisibleItemViewSet):
    """An item with published versions (notices, best practices, denials): its history
    as far as it reached the caller's state."""

    @extend_schema(
        responses=api.VersionSerializer(many=True),
        summary="List the versions that reached your state",
        description="Newest first. A version is listed only if its own audience reached "
        "your state (or your state wrote it): widening an audience or lowering a marking "
        "later never opens the versions before. Each carries its own marking.",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=NewestVersionFirst)
    def versions(self, request, pk=None):
        item = self.get_object()
        readable = Revision.objects.visible_to(request.user)
        page = self.paginate_queryset(readable.filter(**{self.parent_field: item}))
        services.record_reading([item], by=request.user, request=request, history=page)
        return self.get_paginated_response(api.VersionSerializer(page, many=True).data)


class SharedItemViewSet(VersionedItemViewSet):
    """The workflow notices and best practices share: drafted, changed, deleted,
    published and amended through the services a subclass names, and files attached to
    drafts by one mechanism.

    A subclass names its model, serializers and services; the ``check_write`` service
    comes first in each act."""

    write_serializer: type
    amend_serializer: type

    # The services (staticmethod-wrapped): who may write, and the acts.
    check_write = create_service = update_service = delete_service = None
    publish_service = amend_service = attach_service = None

    def create(self, request):
        services.check_can_author(request.user)
        content = self.validated(self.write_serializer)
        obj = self.create_service(by=request.user, request=request, **content)
        return self.respond(obj, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        obj = self.get_object()
        self.check_write(obj, request.user)
        content = self.validated(self.write_serializer, partial=True)
        return self.respond(self.update_service(obj, by=request.user, request=request, **content))

    def destroy(self, request, pk=None):
        self.delete_service(self.get_object(), by=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request, pk=None):
        return self.respond(
            self.publish_service(self.get_object(), by=request.user, request=request)
        )

    @action(
        detail=True,
        methods=["post"],
        filter_backends=[],
        parser_classes=[JSONParser, MultiPartParser],
    )
    def amend(self, request, pk=None):
        """JSON to change fields; multipart/form-data to add files (with the note)."""
        obj = self.get_object()
        self.check_write(obj, request.user)
        files = request.content_type.startswith("multipart/")
        data = self.validated(api.FilesAmendSerializer if files else self.amend_serializer)
        obj = self.amend_service(
            obj,
            by=request.user,
            request=request,
            change_note=data.pop("change_note"),
            material=data.pop("material"),
            **data,
        )
        return self.respond(obj)

    @extend_schema(
        methods=["GET"], responses=api.AttachmentSerializer(many=True), summary="List the files"
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": api.AttachmentUploadSerializer},
        responses={201: api.AttachmentSerializer},
        summary="Attach a file to a draft",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser],
        filter_backends=[],
        pagination_class=UploadOrder,
    )
    def attachments(self, request, pk=None):
        parent = self.get_object()
        context = {"request": request}
        if request.method == "GET":
            self.audit_reading([parent])
            files = Attachment.objects.visible_to(request.user).filter(
                **{self.parent_field: parent}
            )
            page = self.paginate_queryset(files)
            data = api.AttachmentSerializer(page, many=True, context=context).data
            return self.get_paginated_response(data)
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": [_("Send the file as the 'file' part.")]})
        with as_field("attachments", "file"):
            attachment = self.attach_service(parent, upload, by=request.user, request=request)
        data = api.AttachmentSerializer(attachment, context=context).data
        return Response(data, status=status.HTTP_201_CREATED)


def _documented(item: str, serializer, write, amend, material: str):
    """The schema of the shared operations, in the words of one kind of item."""
    return extend_schema_view(
        list=extend_schema(summary=f"List the {item}s you may read", responses=serializer),
        retrieve=extend_schema(summary=f"Read a {item}", responses=serializer),
        create=extend_schema(summary="Create a draft", request=write, responses={201: serializer}),
        partial_update=extend_schema(summary="Change a draft", request=write, responses=serializer),
        destroy=extend_schema(summary="Delete a draft"),
        publish=extend_schema(request=None, responses=serializer, summary="Publish a draft"),
        amend=extend_schema(
            request={"application/json": amend, "multipart/form-data": api.FilesAmendSerializer},
            responses=serializer,
            summary="Publish a new version",
            description=material,
        ),
    )


# --- Notices --------------------------------------------------------------------------------


@_documented(
    "notice",
    api.NoticeSerializer,
    api.NoticeWriteSerializer,
    api.NoticeAmendSerializer,
    "A material change (the default) asks every recipient state to acknowledge again.",
)
class NoticeViewSet(SharedItemViewSet):
    """Threat and risk notices."""

    model = Notice
    serializer_class = api.NoticeSerializer
    write_serializer = api.NoticeWriteSerializer
    amend_serializer = api.NoticeAmendSerializer
    filterset_class = NoticeApiFilterSet
    parent_field = "notice"
    check_write = staticmethod(services.check_can_edit)
    create_service = staticmethod(services.create_draft)
    update_service = staticmethod(services.update_draft)
    delete_service = staticmethod(services.delete_draft)
    publish_service = staticmethod(services.publish_notice)
    amend_service = staticmethod(services.amend_notice)
    attach_service = staticmethod(services.add_attachment)

    @extend_schema(
        request=api.WithdrawSerializer, responses=api.NoticeSerializer, summary="Withdraw"
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request, pk=None):
        notice = self.get_object()
        services.check_can_edit(notice, request.user)
        reason = self.validated(api.WithdrawSerializer)["reason"]
        notice = services.withdraw_notice(notice, by=request.user, reason=reason, request=request)
        return self.respond(notice)

    @extend_schema(
        request=api.AcknowledgeSerializer,
        responses={201: api.AcknowledgementSerializer, 200: api.AcknowledgementSerializer},
        summary="Acknowledge the current version for your state",
        description="201 the first time your state acknowledges the version it is asked "
        "about; 200 on a repeat or a raised level. A lower level than your state reached "
        "is refused (400).",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request, pk=None):
        notice = self.get_object()
        services.check_can_acknowledge(notice, request.user)
        data = self.validated(api.AcknowledgeSerializer)
        result = services.acknowledge(notice, by=request.user, request=request, **data)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(api.AcknowledgementSerializer(result.acknowledgement).data, status=code)

    @extend_schema(responses=api.AcknowledgementsSerializer, summary="Who has acknowledged")
    @action(detail=True, methods=["get"], filter_backends=[])
    def acknowledgements(self, request, pk=None):
        notice = get_object_or_404(
            self.get_queryset().prefetch_related("acknowledgements__by"), pk=pk
        )
        self.audit_reading([notice])
        answers, pending = services.acknowledgements_shown(notice, request.user)
        data = {"acknowledgements": answers, "pending_states": [state.pk for state in pending]}
        return Response(api.AcknowledgementsSerializer(data).data)

    @extend_schema(
        methods=["GET"],
        responses=api.CommentSerializer(many=True),
        summary="Read the discussion",
    )
    @extend_schema(
        methods=["POST"],
        request=api.CommentWriteSerializer,
        responses={201: api.CommentSerializer},
        summary="Add a comment",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=OldestFirst)
    def comments(self, request, pk=None):
        notice = self.get_object()
        if request.method == "POST":
            services.check_can_comment(notice, request.user)
            body = self.validated(api.CommentWriteSerializer)["body"]
            comment = services.add_comment(notice, by=request.user, body=body, request=request)
            return Response(api.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        self.audit_reading([notice])
        page = self.paginate_queryset(
            Comment.objects.visible_to(request.user).filter(notice=notice).select_related("author")
        )
        return self.get_paginated_response(api.CommentSerializer(page, many=True).data)


# --- Best practices -------------------------------------------------------------------------


@_documented(
    "best practice",
    api.BestPracticeSerializer,
    api.BestPracticeWriteSerializer,
    api.BestPracticeAmendSerializer,
    "A material change (the default) is announced to the readers. The lead state's "
    "officers and admins, and those of co-authoring states, amend.",
)
class BestPracticeViewSet(SharedItemViewSet):
    """The best-practice library."""

    model = BestPractice
    serializer_class = api.BestPracticeSerializer
    write_serializer = api.BestPracticeWriteSerializer
    amend_serializer = api.BestPracticeAmendSerializer
    filterset_class = BestPracticeApiFilterSet
    parent_field = "best_practice"
    check_write = staticmethod(services.check_can_write)
    create_service = staticmethod(services.create_practice)
    update_service = staticmethod(services.update_practice)
    delete_service = staticmethod(services.delete_practice_draft)
    publish_service = staticmethod(services.publish_practice)
    amend_service = staticmethod(services.amend_practice)
    attach_service = staticmethod(services.add_practice_attachment)

    @extend_schema(request=None, responses=api.BestPracticeSerializer, summary="Archive")
    @action(detail=True, methods=["post"], filter_backends=[])
    def archive(self, request, pk=None):
        practice = services.archive_practice(self.get_object(), by=request.user, request=request)
        return self.respond(practice)

    @extend_schema(
        methods=["POST"],
        request=api.EndorseSerializer,
        responses={201: api.EndorsementSerializer, 200: api.EndorsementSerializer},
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
        data = self.validated(api.EndorseSerializer)
        result = services.endorse(practice, by=request.user, request=request, **data)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(api.EndorsementSerializer(result.endorsement).data, status=code)


class AttachmentDownloadView(APIView):
    def perform_content_negotiation(self, request, force=False):
        # The file answers in its own type whatever the Accept header; only the errors
        # are rendered, as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download a file",
        responses={
            (200, content_type): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment, in its type."
            )
            for content_type in ALLOWED_TYPES
        },
    )
    def get(self, request, pk):
        attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
        return download_response(attachment, request)


# --- The inbox ------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(summary="Your notifications, newest first"))
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications, about what they may still read."""

    serializer_class = api.NotificationSerializer
    lookup_value_converter = "int"
    pagination_class = NewestFirst
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationApiFilterSet

    def get_queryset(self):
        return (
            Notification.objects.visible_to(self.request.user)
            .select_related("notice", "best_practice", "denial", "consultation")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(request=None, responses=api.NotificationSerializer, summary="Mark one as read")
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        services.mark_read(notification, by=request.user)
        notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}),
        summary="Mark all as read",
    )
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[])
    def read_all(self, request):
        return Response({"marked": services.mark_all_read(by=request.user)})


# --- Search ---------------------------------------------------------------------------------


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(
        help_text='Words, "a phrase", `or`, -word; the first 200 characters count.'
    )
    type = serializers.CharField(
        required=False,
        default="notice,best_practice",
        help_text="Comma-separated: notice, best_practice.",
    )
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=10_000)

    def validate_type(self, value):
        kinds = [kind.strip() for kind in value.split(",") if kind.strip()]
        unknown = sorted(set(kinds) - set(search.KINDS))
        if unknown or not kinds:
            raise serializers.ValidationError(_("Choose from notice and best_practice."))
        return tuple(dict.fromkeys(kinds))


class SearchView(APIView):
    page_size = 20

    @extend_schema(
        parameters=[SearchParamsSerializer],
        responses=inline_serializer(
            "SearchResults",
            {
                "results": api.SearchHitSerializer(many=True),
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
            },
        ),
        summary="Search everything you may read",
    )
    def get(self, request):
        # A plain dict: an empty parameter is refused, not taken for a missing one.
        params = SearchParamsSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        number = params.validated_data["page"]
        results = search.search(
            request.user,
            params.validated_data["q"],
            kinds=params.validated_data["type"],
            offset=(number - 1) * self.page_size,
            limit=self.page_size,
        )

        def page_url(n):
            query = request.query_params.copy()
            query["page"] = n
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        services.record_reading(
            [hit.obj for hit in results.hits if hit.kind == "notice"],
            by=request.user,
            request=request,
        )
        more = number * self.page_size < results.total
        hits = api.SearchHitSerializer(results.hits, many=True, context={"request": request})
        return Response(
            {
                "results": hits.data,
                "count": results.total,
                "next": page_url(number + 1) if more else None,
                "previous": page_url(number - 1) if number > 1 else None,
            }
        )
