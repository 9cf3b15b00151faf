"""The v1 endpoints. Every object is fetched through ``visible_to(request.user)`` (404
when it cannot be seen); every change is a call to a kind's services
(``sharing.<kind>.services``), which decide who may (403) and what is valid (400).
Nothing here is a rule of its own."""

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
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as accounts
from accounts.models import State
from portal.inputs import refuse_unknown
from sharing.api.pagination import (
    ByCode,
    NewestChangeFirst,
    NewestVersionFirst,
    UploadOrder,
)
from sharing.api.parsers import JSONParser, MultiPartParser
from sharing.common import exports, services
from sharing.common.attachments import ALLOWED_TYPES
from sharing.common.choices import ApprovalAct
from sharing.common.models import Attachment, Revision
from sharing.common.querysets import approval_record, reading_state
from sharing.common.serializers import (
    ActSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    DecisionSerializer,
    FilesAmendSerializer,
    MeSerializer,
    RejectSerializer,
    StateSerializer,
    StateSettingsSerializer,
    TermSerializer,
    VersionSerializer,
)
from sharing.common.views import download_response


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="Who the token acts for")
    def get(self, request):
        user = request.user
        return Response(MeSerializer(user).data)


class StateSettingsView(APIView):
    """Your state's settings: read by its users, changed by its admins (audited)."""

    @extend_schema(responses=StateSettingsSerializer, summary="Read your state's settings")
    def get(self, request):
        state = reading_state(request.user)
        if state is None:
            raise exceptions.PermissionDenied(_("Only a state's users have state settings."))
        return Response(StateSettingsSerializer(state).data)

    @extend_schema(
        request=StateSettingsSerializer,
        responses=StateSettingsSerializer,
        summary="Change your state's settings",
        description="Its admins only (403 for others). A field not listed is refused.",
    )
    def patch(self, request):
        state = reading_state(request.user)
        accounts.check_can_change_settings(state, request.user)
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        refuse_unknown(request.data, accounts.STATE_SETTINGS)
        serializer = StateSettingsSerializer(state, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if k != "code"}
        state = accounts.change_state_settings(state, by=request.user, request=request, **fields)
        return Response(StateSettingsSerializer(state).data)


class TermViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A taxonomy's terms, in their order: a subclass names its proxy model. Small
    lists, staff-edited: one page, no cursor."""

    serializer_class = TermSerializer
    pagination_class = None
    model: type

    def get_queryset(self):
        return self.model.objects.all()


@extend_schema_view(list=extend_schema(summary="List the states"))
class StateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The states taking part: subscribing, observer and suspended."""

    queryset = State.objects.all()
    serializer_class = StateSerializer
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


def unknown_fields(data, serializer) -> dict:
    """The fields of ``data`` that ``serializer`` does not take, named where they are
    (``{"entities": {"1": {"colour": [...]}}}``): refused, never silently dropped, in
    nested objects too (DRF's nested serializers would drop them)."""
    if not hasattr(data, "keys"):
        return {}
    found: dict = {}
    fields = serializer.fields
    for key in data:
        field = fields.get(key)
        if field is None:
            found[key] = [_("This field cannot be set.")]
            continue
        value = data[key]
        if isinstance(field, serializers.ListSerializer) and isinstance(value, list):
            nested = {
                str(index): problem
                for index, item in enumerate(value)
                if (problem := unknown_fields(item, field.child))
            }
            if nested:
                found[key] = nested
        elif isinstance(field, serializers.Serializer):
            nested = unknown_fields(value, field)
            if nested:
                found[key] = nested
    return found


def validated(serializer_class, data, *, partial=False) -> dict:
    """``data`` checked by the serializer; a field it does not take is refused by name
    (the document says so: ``additionalProperties: false``)."""
    serializer = serializer_class(data=data, partial=partial)
    unknown = unknown_fields(data, serializer)
    if unknown:
        raise exceptions.ValidationError(unknown)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


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
        return self.validated_data(serializer_class, self.request.data, partial=partial)

    def validated_data(self, serializer_class, data, *, partial=False) -> dict:
        return validated(serializer_class, data, partial=partial)

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

    # --- Exports (docs/interfaces.md, "Exports") ---

    # The actions that answer a file: in their own type whatever Accept says; only
    # their errors are rendered, as JSON.
    export_actions: tuple[str, ...] = ()

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(
            request, force=force or self.action in self.export_actions
        )

    def export(self, *, kind: str, fmt: str, lines, narrow=None):
        """The list, with its filters, as a file (``sharing.common.exports.respond``);
        ``narrow(queryset)`` keeps fewer rows. The list's content without what a page
        of the API adds (figures, approvals), which a file does not show."""
        listed = self.model.objects.visible_to(self.request.user).with_content()
        queryset = self.filter_queryset(listed)
        return exports.respond(
            narrow(queryset) if narrow else queryset,
            kind=kind,
            fmt=fmt,
            lines=lines,
            request=self.request,
            known=self.filterset_class.base_filters,
        )


class VersionedItemViewSet(VisibleItemViewSet):
    """An item with published versions (notices, best practices, denials): its history
    as far as it reached the caller's state."""

    @extend_schema(
        responses=VersionSerializer(many=True),
        summary="List the versions that reached your state",
        description="Newest first. A version is listed only if its own audience reached "
        "your state (or your state wrote it): widening an audience or lowering a marking "
        "later never opens the versions before. Each carries its own marking.",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=NewestVersionFirst)
    def versions(self, request, pk=None):
        item = self.get_object()
        readable = Revision.objects.visible_to(request.user, of=self.parent_field).select_related(
            "created_by", "approved_by"
        )
        page = self.paginate_queryset(readable.filter(**{self.parent_field: item}))
        services.record_reading([item], by=request.user, request=request, history=page)
        return self.get_paginated_response(VersionSerializer(page, many=True).data)


class FourEyesActions:
    """Submit, approve, reject and take back, on a viewset of one kind of item under
    four eyes (docs/architecture.md, "Four eyes"): a subclass names the kind's services,
    its amendment serializer, and what its retiring act takes (a notice's withdrawal and
    a denial's revocation a reason; a best practice's archiving nothing)."""

    check_write = submit_service = approve_service = reject_service = recall_service = None
    amend_serializer: type
    retire_serializer: type | None = None
    # What where the item stands may refuse with a 409 (four eyes; published already,
    # withdrawn, not in force): sharing/api/schema.py documents it.
    conflicting_actions = (
        "create", "publish", "amend", "submit", "approve", "reject", "recall", "withdraw",
        "archive", "revoke", "renew", "partial_update", "destroy", "attachments", "submit_new",
    )  # fmt: skip

    def get_queryset(self):
        # Who published and approved each item, and what awaits approval (FourEyesFields).
        return super().get_queryset().prefetch_related(*approval_record())

    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        obj = self.get_object()
        self.check_write(obj, request.user)
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        act = self.validated_data(ActSerializer, {"act": request.data.get("act", "publish")})
        rest = {key: value for key, value in request.data.items() if key != "act"}
        if act["act"] == ApprovalAct.AMEND:
            rest = self.validated_data(self.amend_serializer, rest)
        elif act["act"] == ApprovalAct.RETIRE and self.retire_serializer is not None:
            rest = self.validated_data(self.retire_serializer, rest)
        else:
            refuse_unknown(rest, ())  # publishing (or archiving) takes nothing more
        self.submit_service(obj, by=request.user, request=request, act=act["act"], **rest)
        return self.respond(obj)

    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        obj = self.get_object()
        seen = self.validated(DecisionSerializer).get("approval")
        obj = self.approve_service(obj, by=request.user, request=request, approval=seen)
        return self.respond(obj)

    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request, pk=None):
        obj = self.get_object()
        data = self.validated(RejectSerializer)
        obj = self.reject_service(obj, by=request.user, request=request, **data)
        return self.respond(obj)

    @action(detail=True, methods=["post"], filter_backends=[])
    def recall(self, request, pk=None):
        obj = self.recall_service(self.get_object(), by=request.user, request=request)
        return self.respond(obj)


class SharedItemViewSet(FourEyesActions, VersionedItemViewSet):
    """The workflow notices and best practices share: drafted, changed, deleted,
    published and amended through the services a subclass names, and files attached to
    drafts by one mechanism.

    A subclass names its model, serializers and services; the ``check_write`` service
    comes first in each act."""

    write_serializer: type
    amend_serializer: type

    # The services (staticmethod-wrapped): who may write, and the acts.
    create_service = update_service = delete_service = None
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
        data = self.validated(FilesAmendSerializer if files else self.amend_serializer)
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
        methods=["GET"], responses=AttachmentSerializer(many=True), summary="List the files"
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
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
            files = Attachment.objects.visible_to(request.user, of=self.parent_field).filter(
                **{self.parent_field: parent}
            )
            page = self.paginate_queryset(files)
            data = AttachmentSerializer(page, many=True, context=context).data
            return self.get_paginated_response(data)
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": [_("Send the file as the 'file' part.")]})
        with as_field("attachments", "file"):
            attachment = self.attach_service(parent, upload, by=request.user, request=request)
        data = AttachmentSerializer(attachment, context=context).data
        return Response(data, status=status.HTTP_201_CREATED)


FOUR_EYES = (
    "Under your state's approval policy (four eyes), publishing, a material "
    "amendment and {retire} are submitted, then approved or rejected by another officer or "
    "admin of your state. Acting directly while the policy applies answers 409, naming it."
)


def four_eyes_schema(serializer, *, retire: str, submit) -> dict:
    """The schema of submit, approve, reject and recall (``FourEyesActions``), in the
    words of one kind of item: for ``extend_schema_view``."""
    policy = FOUR_EYES.format(retire=retire)
    return {
        "submit": extend_schema(
            request=submit,
            responses=serializer,
            summary="Submit for approval",
            description=policy + " `act` says what: `publish` (a draft: it awaits approval "
            "as `pending_approval`, read by your state's officers and admins only), `amend` "
            "(the fields of an amendment; material) or `retire`. 409 when your state's policy "
            "asks for no approval, or something already awaits it.",
        ),
        "approve": extend_schema(
            request=DecisionSerializer,
            responses=serializer,
            summary="Approve what awaits approval",
            description="The act then happens as it would have alone (a reference, a "
            "version, the recipients told), you recorded as its approver. 403 for its "
            "submitter (another official approves), for viewers and for other states; 409 "
            "when nothing awaits approval or the item changed since it was submitted.",
        ),
        "reject": extend_schema(
            request=RejectSerializer,
            responses=serializer,
            summary="Reject what awaits approval",
            description="With a reason, told to the submitter. A submitted draft is a draft "
            "again; an amendment or withdrawal does not happen. 403 and 409 as for approve.",
        ),
        "recall": extend_schema(
            request=None,
            responses=serializer,
            summary="Take back what awaits approval",
            description="Its submitter, or an officer or admin of the state who may do the "
            "act; editing a submitted draft takes it back too. 409 when nothing awaits "
            "approval.",
        ),
    }


def export_schema(item: str, fmt: str, description: str):
    """The schema of an export action: the list's filters, and a file."""
    content_type = exports.CONTENT_TYPES[fmt]
    return extend_schema(
        summary=f"Export the {item}s you may read ({fmt.upper()})",
        description=f"{description} Takes the list's filters. Streamed; audited as a "
        "download. The file name carries the strictest TLP marking it holds.",
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.STR, description="The file."),
        },
    )


def documented(item: str, serializer, write, amend, material: str, *, retire: str, submit):
    """The schema of the shared operations, in the words of one kind of item."""
    policy = FOUR_EYES.format(retire=retire)
    return extend_schema_view(
        **four_eyes_schema(serializer, retire=retire, submit=submit),
        list=extend_schema(summary=f"List the {item}s you may read", responses=serializer),
        retrieve=extend_schema(summary=f"Read a {item}", responses=serializer),
        create=extend_schema(summary="Create a draft", request=write, responses={201: serializer}),
        partial_update=extend_schema(summary="Change a draft", request=write, responses=serializer),
        destroy=extend_schema(summary="Delete a draft"),
        publish=extend_schema(
            request=None,
            responses=serializer,
            summary="Publish a draft",
            description=policy,
        ),
        amend=extend_schema(
            request={"application/json": amend, "multipart/form-data": FilesAmendSerializer},
            responses=serializer,
            summary="Publish a new version",
            description=material,
        ),
    )


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
