"""The search endpoint. Every kind of item is searched through its
``visible_to(request.user)`` (sharing.search.engine): what a reader cannot see is not
found. Nothing here is a rule of its own."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sharing.common import services as common
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
