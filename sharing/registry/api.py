"""The v1 endpoints of the registry of entities: the entities the reader may see and
each one's page, the relations an officer records, and the suggestions awaiting their
state's decision. Entities are fetched through ``Entity.objects.visible_to`` and shown
through ``sharing.registry.services.view_of`` (404 for anyone else); every act is a call
to ``sharing.registry.services``."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from sharing.api.pagination import NewestChangeFirst
from sharing.common import services as common
from sharing.common.api import validated
from sharing.registry import services
from sharing.registry.models import Entity, EntityLink
from sharing.registry.serializers import (
    RegistryEntitySerializer,
    RelationWriteSerializer,
    SuggestionSerializer,
)


class NewestFirst(NewestChangeFirst):
    ordering = ("-created_at", "-pk")


class ById(NewestChangeFirst):
    """Entities by id: the registry's own dates would tell of items the reader may not
    read."""

    ordering = ("pk",)


def _readings(request, sightings) -> None:
    services.record_reading(sightings, by=request.user, request=request)


# The entity list's query, read as the OpenAPI document describes it (not blank).
QUERY = serializers.CharField()


@extend_schema_view(
    list=extend_schema(
        summary="List the entities of the registry you may see",
        description="Those named by at least one item you may read, newest first; each "
        "with what those items say of it. `q` keeps those with a name or alias containing it.",
        parameters=[OpenApiParameter("q", str, description="Part of a name or alias.")],
    ),
    retrieve=extend_schema(
        summary="Read an entity of the registry",
        description="Its names (with their script), identifiers, addresses and relations, "
        "each with the item giving it, and the items naming it: only items you may read.",
    ),
    relations=extend_schema(
        summary="Record a relation one of your state's items asserts",
        description="Officers and admins; the cited item is a published notice or a denial "
        "in force of your state naming this entity.",
        request=RelationWriteSerializer,
        responses={201: RegistryEntitySerializer},
    ),
)
class EntityViewSet(viewsets.GenericViewSet):
    serializer_class = RegistryEntitySerializer
    pagination_class = ById
    lookup_value_converter = "uuid"

    def get_queryset(self):
        return Entity.objects.visible_to(self.request.user)

    def _view(self, entity: Entity):
        seen = services.view_of(entity, self.request.user)
        if seen is None:
            raise Http404
        return seen

    def list(self, request):
        entities = self.get_queryset()
        raw = request.query_params.get("q")
        if raw is not None:
            # An empty query is refused, as the document says; control characters never
            # get here (sharing.api.middleware refuses them in every API query).
            try:
                QUERY.run_validation(raw)
            except DRFValidationError as error:
                raise DRFValidationError({"q": error.detail}) from error
        query = services.clean_query(raw or "")
        if query:
            rows = EntityLink.objects.visible_to(request.user).named(query)
            entities = entities.filter(pk__in=rows.values("entity_id"))
        page = self.paginate_queryset(entities)
        found = services.views_of(page, request.user)
        views = [found[entity.pk] for entity in page if entity.pk in found]
        _readings(request, [s for view in views for s in view.shown])
        return self.get_paginated_response(
            RegistryEntitySerializer(views, many=True, context={"request": request}).data
        )

    def retrieve(self, request, pk=None):
        seen = self._view(get_object_or_404(self.get_queryset(), pk=pk))
        _readings(request, seen.shown)
        return Response(RegistryEntitySerializer(seen, context={"request": request}).data)

    @action(detail=True, methods=["post"])
    def relations(self, request, pk=None):
        entity = get_object_or_404(self.get_queryset(), pk=pk)
        common.check_can_author(request.user)
        data = validated(RelationWriteSerializer, request.data)
        services.relate(entity, by=request.user, request=request, **data)
        seen = self._view(entity)
        _readings(request, seen.shown)
        return Response(
            RegistryEntitySerializer(seen, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(
        summary="List the registry's suggestions awaiting your state",
        description="Names your state gave in its notices and denials that resemble an "
        "entity of the registry: officers and admins confirm or reject them.",
    ),
    confirm=extend_schema(
        summary="Confirm a suggestion: the name is that entity",
        request=None,
        responses=SuggestionSerializer,
    ),
    reject=extend_schema(
        summary="Reject a suggestion: the name is not that entity",
        description="Once none is left, the name becomes an entity of its own.",
        request=None,
        responses=SuggestionSerializer,
    ),
)
class SuggestionViewSet(viewsets.GenericViewSet):
    serializer_class = SuggestionSerializer
    pagination_class = NewestFirst
    lookup_value_converter = "int"

    def get_queryset(self):
        return services.awaiting(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SuggestionSerializer(page, many=True).data)

    def _act(self, act, pk):
        link = get_object_or_404(self.get_queryset(), pk=pk)
        done = act(link, by=self.request.user, request=self.request)
        return Response(SuggestionSerializer(done).data)

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._act(services.confirm, pk)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(services.reject, pk)
