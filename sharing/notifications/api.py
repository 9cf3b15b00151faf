"""The v1 endpoints. Every object is fetched through ``visible_to(request.user)`` (404
when it cannot be seen); every change is a call to ``sharing.notifications.services``, which decide
who may (403) and what is valid (400). Nothing here is a rule of its own."""

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from sharing.api.pagination import (
    NewestFirst,
)
from sharing.notifications import services
from sharing.notifications.filters import NotificationApiFilterSet
from sharing.notifications.models import Notification
from sharing.notifications.serializers import NotificationSerializer


@extend_schema_view(list=extend_schema(summary="Your notifications, newest first"))
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications, about what they may still read."""

    serializer_class = NotificationSerializer
    lookup_value_converter = "int"
    pagination_class = NewestFirst
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationApiFilterSet

    def get_queryset(self):
        return (
            Notification.objects.visible_to(self.request.user)
            .select_related(
                "notice", "best_practice", "denial", "advisory", "consultation", "watch"
            )
            .without_long_texts()
            .order_by("-created_at", "-pk")
        )

    @extend_schema(request=None, responses=NotificationSerializer, summary="Mark one as read")
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
