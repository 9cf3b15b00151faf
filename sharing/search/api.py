"""The search endpoint. Every kind of item is searched through its
``visible_to(request.user)`` (sharing.search.engine): what a reader cannot see is not
found. Nothing here is a rule of its own."""

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.countries import country_names
from sharing.common import exports
from sharing.common import services as common
from sharing.common.choices import TLP
from sharing.common.filters import EMPTY
from sharing.denials import exports as denial_exports
from sharing.denials.choices import UNPUBLISHED as DENIAL_UNPUBLISHED
from sharing.denials.models import Denial
from sharing.notices import exports as notice_exports
from sharing.notices.choices import UNPUBLISHED as NOTICE_UNPUBLISHED
from sharing.notices.models import Notice
from sharing.search import engine as search
from sharing.search.serializers import SearchHitSerializer


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
                "results": SearchHitSerializer(many=True),
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

        common.record_reading(
            [hit.obj for hit in results.hits if hit.kind == "notice"],
            by=request.user,
            request=request,
        )
        more = number * self.page_size < results.total
        hits = SearchHitSerializer(results.hits, many=True, context={"request": request})
        return Response(
            {
                "results": hits.data,
                "count": results.total,
                "next": page_url(number + 1) if more else None,
                "previous": page_url(number - 1) if number > 1 else None,
            }
        )


ENTITY_COLUMNS = [
    "source",
    "source_id",
    "source_reference",
    "state",
    "tlp",
    "status",
    "name",
    "aliases",
    "kind",
    "role",
    "country",
    "identifiers",
    "address",
    "notes",
    "source_url",
]


class EntityExportParamsSerializer(serializers.Serializer):
    source = serializers.ChoiceField(
        choices=["notice", "denial"],
        required=False,
        help_text="Only the entities of concern of notices, or only the parties of denials.",
    )
    country = serializers.ChoiceField(
        choices=sorted(country_names()),
        required=False,
        help_text="The entity's country (ISO 3166-1 alpha-2, XK).",
    )
    state = serializers.RegexField(
        r"^[A-Z]{2}$", required=False, help_text="The state that shared the notice or denial."
    )
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False)


class EntitiesExportView(APIView):
    """The entities named in what the reader may read: the entities of concern of
    published notices and the parties of notified denials, one row each."""

    def perform_content_negotiation(self, request, force=False):
        # A file, whatever Accept says; only the errors are rendered, as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Export the entities you may read (CSV)",
        description="One row per entity of concern of a published notice, and per party "
        "of a notified denial, that you may read. Streamed; audited as a download. The "
        "file name carries the strictest TLP marking it holds.",
        parameters=[EntityExportParamsSerializer],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The file.")},
    )
    def get(self, request):
        empty = [name for name, value in request.query_params.items() if value == ""]
        if empty:
            raise ValidationError({name: [EMPTY] for name in empty})
        params = EntityExportParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        wanted = params.validated_data
        sources = []
        if wanted.get("source") in (None, "notice"):
            sources.append((Notice.objects.exclude(status__in=NOTICE_UNPUBLISHED), "author_state"))
        if wanted.get("source") in (None, "denial"):
            sources.append((Denial.objects.exclude(status__in=DENIAL_UNPUBLISHED), "state"))
        querysets = []
        for queryset, owner in sources:
            queryset = (
                queryset.visible_to(request.user).with_content().order_by("-updated_at", "-pk")
            )
            if "state" in wanted:
                queryset = queryset.filter(**{f"{owner}_id": wanted["state"]})
            if "tlp" in wanted:
                queryset = queryset.filter(tlp=wanted["tlp"])
            querysets.append(queryset)
        # The rows the file will hold, by marking: entities of the items, in the country.
        counts: dict[str, int] = {}
        for queryset in querysets:
            relation = "entities" if queryset.model is Notice else "parties"
            named = queryset.order_by().filter(**{f"{relation}__isnull": False})
            if "country" in wanted:
                named = named.filter(**{f"{relation}__country": wanted["country"]})
            for tlp, n in named.values("tlp").annotate(n=Count(relation)).values_list("tlp", "n"):
                counts[tlp] = counts.get(tlp, 0) + n
        exports.record_export(
            "entities", "csv", counts, by=request.user, request=request, filters=dict(wanted)
        )
        absolute = request.build_absolute_uri
        country = wanted.get("country")

        def rows():
            for queryset in querysets:
                writer = notice_exports if queryset.model is Notice else denial_exports
                for row in writer.entity_rows(exports.chunked(queryset), absolute=absolute):
                    if country is None or row["country"] == country:
                        yield row

        return exports.streamed(
            exports.csv_lines(ENTITY_COLUMNS, rows()),
            name=exports.file_name("entities", counts, "csv"),
            content_type=exports.CONTENT_TYPES["csv"],
        )
