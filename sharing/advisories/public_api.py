"""The public API (``/public/v1/``): exporters screen names against the entities of
public advisories, and screening engines download the list in versions. Anyone may call
it, signed in or not, within a rate per address; it reads the public screening list
only, which holds nothing but what released TLP:CLEAR advisories name."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from sharing.advisories import public_list, public_screening
from sharing.advisories.serializers import (
    DeltaSerializer,
    ListSerializer,
    ScreenBatchResultSerializer,
    ScreenBatchSerializer,
    ScreenQuerySerializer,
    ScreenResultSerializer,
)
from sharing.api.throttling import PublicAddressRateThrottle


class PublicView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicAddressRateThrottle]


def _matches(party, matches) -> list[dict]:
    return [{"score": m.score, "reasons": list(m.reasons), "entity": m.entity} for m in matches]


class ScreenView(PublicView):
    @extend_schema(
        operation_id="screen_one",
        summary="Screen one name",
        parameters=[ScreenQuerySerializer],
        responses=ScreenResultSerializer,
    )
    def get(self, request):
        query = ScreenQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        party = public_screening.Party(data["name"], data.get("country", ""))
        version, (matches,) = public_screening.screen([party], threshold=data["threshold"])
        return Response(
            {
                "version": version,
                "party": {"name": party.name, "country": party.country},
                "matches": _matches(party, matches),
            }
        )

    @extend_schema(
        operation_id="screen_many",
        summary="Screen up to 100 names",
        request=ScreenBatchSerializer,
        responses=ScreenBatchResultSerializer,
    )
    def post(self, request):
        body = ScreenBatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        parties = [
            public_screening.Party(p["name"], p.get("country", ""))
            for p in body.validated_data["parties"]
        ]
        version, results = public_screening.screen(
            parties, threshold=body.validated_data["threshold"]
        )
        return Response(
            {
                "version": version,
                "results": [
                    {
                        "version": version,
                        "party": {"name": party.name, "country": party.country},
                        "matches": _matches(party, matches),
                    }
                    for party, matches in zip(parties, results, strict=True)
                ],
            }
        )


SINCE = OpenApiParameter(
    "since",
    int,
    description="A version you hold: only what changed after it (added or changed, removed).",
)


def _since(request, version) -> int | None:
    """The ``since`` asked for, checked: a version of the list up to the current one."""
    value = request.query_params.get("since")
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 9) or int(value) > version.number:
        raise ValidationError(
            {"since": [_("Give a version of the list, from 0 to %(n)d.") % {"n": version.number}]}
        )
    return int(value)


def _download(content: str, content_type: str, version, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["X-List-Version"] = str(version.number)
    response["X-List-SHA256"] = version.sha256
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class ListJsonView(PublicView):
    @extend_schema(
        operation_id="list_json",
        summary="The list, or what changed since a version",
        parameters=[SINCE],
        responses=PolymorphicProxySerializer(
            component_name="ListOrDelta",
            serializers=[ListSerializer, DeltaSerializer],
            resource_type_field_name=None,
        ),
    )
    def get(self, request):
        version = public_list.current()
        since = _since(request, version)
        if since is None:
            return Response(
                {
                    "version": version.number,
                    "created": version.created_at,
                    "count": version.count,
                    "sha256": version.sha256,
                    "entities": public_list.entities_at(version.number),
                },
                headers={"X-List-Version": str(version.number)},
            )
        change = public_list.delta(since, version)
        return Response(
            {
                "version": version.number,
                "since": since,
                "sha256": version.sha256,
                "added": change.added,
                "removed": change.removed,
            },
            headers={"X-List-Version": str(version.number)},
        )


class ListCsvView(PublicView):
    @extend_schema(
        operation_id="list_csv",
        summary="The list as CSV (a delta adds a `change` column)",
        parameters=[SINCE],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        version = public_list.current()
        since = _since(request, version)
        if since is None:
            rows = public_list.entities_at(version.number)
            content = public_list.as_csv(rows)
        else:
            change = public_list.delta(since, version)
            rows = [{**data, "change": "added"} for data in change.added]
            rows += [{"id": key, "change": "removed"} for key in change.removed]
            content = public_list.as_csv(rows, change="")
        return _download(content, "text/csv; charset=utf-8", version, "screening-list.csv")


class ListFtmView(PublicView):
    @extend_schema(
        operation_id="list_ftm",
        summary="The list as FollowTheMoney entities, one JSON object per line",
        description="With `since`, OpenSanctions' delta lines: `ADD` (new or changed) and `DEL`.",
        parameters=[SINCE],
        responses={(200, "application/x-ndjson"): OpenApiTypes.STR},
    )
    def get(self, request):
        version = public_list.current()
        since = _since(request, version)
        if since is None:
            content = public_list.as_ftm_lines(public_list.entities_at(version.number))
        else:
            content = public_list.delta_as_ftm_lines(public_list.delta(since, version))
        return _download(content, "application/x-ndjson", version, "screening-list.ftm.json")
