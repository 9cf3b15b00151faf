"""The TAXII 2.1 server: discovery, one API root, its collections, their objects,
versions and manifests (docs/interfaces.md, "TAXII"). Read-only.

It authenticates and limits requests as ``/api/v1/`` does (personal Bearer tokens,
the same rates, revoked tokens refused at once) and audits the restricted versions it
serves as the API audits its readings. What a collection holds for a reader is
``sharing.taxii.collections``; nothing here is a rule of its own.
"""

import re
from datetime import UTC

from django.core import signing
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.moments import within_utc_range
from sharing.api.views import missing_slash
from sharing.common import services
from sharing.taxii import collections
from sharing.taxii.collections import Filters, Position

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
# The most objects one page holds (a client asking for more gets this many).
MAX_LIMIT = 1000

MATCH = re.compile(r"^match\[(?P<field>[a-z_]+)\]$")
TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$")
UUID = r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"
OBJECT_ID = re.compile(rf"^[a-z0-9][a-z0-9-]{{1,248}}[a-z0-9]--{UUID}$")


class TaxiiRenderer(JSONRenderer):
    media_type = TAXII
    format = "taxii"


class TaxiiNegotiation(BaseContentNegotiation):
    """TAXII 2.1 only: ``Accept`` may ask for it (with or without ``version=2.1``), for
    any type, or be left out; anything else is a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        if accepts_taxii(request.META.get("HTTP_ACCEPT", "")):
            return renderers[0], renderers[0].media_type
        raise exceptions.NotAcceptable(
            _("This server answers %(type)s only: ask for it in the Accept header.")
            % {"type": TAXII}
        )


def accepts_taxii(header: str) -> bool:
    if not header.strip():
        return True
    for part in header.split(","):
        kind, *params = [piece.strip() for piece in part.split(";")]
        values = dict(p.split("=", 1) for p in params if "=" in p)
        if kind.lower() in ("*/*", "application/*"):
            return True
        if kind.lower() == "application/taxii+json" and values.get("version") in (None, "2.1"):
            return True
    return False


class TaxiiView(APIView):
    renderer_classes = [TaxiiRenderer]
    content_negotiation_class = TaxiiNegotiation

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # A TAXII error message (section 3.6.1) rather than the API's shape.
        detail = response.data
        if isinstance(detail, dict) and set(detail) == {"detail"}:
            detail = detail["detail"]
        response.data = {
            "title": status_title(response.status_code),
            "description": str(detail) if not isinstance(detail, dict) else _flatten(detail),
            "http_status": str(response.status_code),
        }
        return response

    def root_url(self) -> str:
        return self.request.build_absolute_uri(reverse("taxii:api-root"))


def _flatten(detail: dict) -> str:
    """``{"limit": ["message"]}`` as ``limit: message``."""
    parts = []
    for field, messages in detail.items():
        listed = messages if isinstance(messages, list) else [messages]
        parts.append(f"{field}: {' '.join(str(m) for m in listed)}")
    return " ".join(parts)


def status_title(code: int) -> str:
    return {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        429: _("Too many requests"),
    }.get(code, _("Error"))


class DiscoveryView(TaxiiView):
    def get(self, request):
        root = self.root_url()
        return Response(
            {
                "title": "ECHRI Exchange",
                "description": _(
                    "The TAXII 2.1 server of ECHRI Exchange: what your account may read, "
                    "as STIX 2.1."
                ),
                "default": root,
                "api_roots": [root],
            }
        )


class ApiRootView(TaxiiView):
    def get(self, request):
        return Response(
            {
                "title": _("ECHRI Exchange"),
                "description": _(
                    "Notices, licence denials, best practices and advisories for industry, "
                    "each version as it reached your state. Read-only."
                ),
                "versions": [TAXII],
                "max_content_length": 0,
            }
        )


def describe(kind: collections.Kind) -> dict:
    return {
        "id": kind.id,
        "title": str(kind.title),
        "description": str(kind.description),
        "alias": kind.alias,
        "can_read": True,
        "can_write": False,
        "media_types": [STIX],
    }


class CollectionsView(TaxiiView):
    def get(self, request):
        return Response({"collections": [describe(kind) for kind in collections.KINDS]})


class CollectionMixin:
    def collection(self, identifier: str) -> collections.Kind:
        kind = collections.find(identifier)
        if kind is None:
            raise exceptions.NotFound(_("There is no such collection."))
        return kind


class CollectionView(CollectionMixin, TaxiiView):
    def get(self, request, collection):
        return Response(describe(self.collection(collection)))


def _timestamp(value: str, name: str):
    """A moment given as a query value: ISO 8601 (without an offset, UTC), one UTC can
    hold; anything else is a 400 naming the parameter."""
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well-formed but no such day or hour
        moment = None
    if moment is None:
        raise exceptions.ValidationError(
            {name: [_("Give a timestamp such as 2026-01-31T12:00:00.000Z.")]}
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not within_utc_range(moment):
        raise exceptions.ValidationError({name: [_("Give a date between the years 1 and 9999.")]})
    return moment


class ObjectsBase(CollectionMixin, TaxiiView):
    """Reading a collection's objects: the filters and paging every such address takes."""

    supported = ("type", "id", "version", "spec_version")
    default_versions = frozenset({"last"})

    def filters(self, object_id: str | None = None) -> Filters:
        query = self.request.query_params
        known = {"added_after", "limit", "next"}
        fields: dict[str, frozenset[str]] = {}
        for name in query:
            if name in known:
                continue
            match = MATCH.match(name)
            if match is None or match["field"] not in self.supported:
                raise exceptions.ValidationError(
                    {
                        name: [
                            _("Unknown parameter. This server filters on %(filters)s.")
                            % {
                                "filters": ", ".join(
                                    ["added_after", "limit", "next"]
                                    + [f"match[{f}]" for f in self.supported]
                                )
                            }
                        ]
                    }
                )
            values = frozenset(v.strip() for v in query[name].split(",") if v.strip())
            fields[match["field"]] = values
        for value in fields.get("type", ()):
            if not TYPE.match(value):
                raise exceptions.ValidationError({"match[type]": [_("Not a STIX type.")]})
        for value in fields.get("id", ()):
            if not OBJECT_ID.match(value):
                raise exceptions.ValidationError({"match[id]": [_("Not a STIX id.")]})
        versions = fields.get("version", self.default_versions) or self.default_versions
        versions = frozenset(
            v if v in ("first", "last", "all") else _as_version(v) for v in versions
        )
        for value in fields.get("spec_version", ()):
            if value not in ("2.0", "2.1"):
                raise exceptions.ValidationError({"match[spec_version]": [_("Give 2.0 or 2.1.")]})
        ids = fields.get("id", frozenset())
        if object_id is not None:
            ids = frozenset({object_id})
        added_after = query.get("added_after")
        return Filters(
            added_after=_timestamp(added_after, "added_after") if added_after else None,
            types=fields.get("type", frozenset()),
            ids=ids,
            versions=versions,
            spec_versions=fields.get("spec_version", frozenset()),
        )

    def limit(self) -> int:
        value = self.request.query_params.get("limit")
        if value is None:
            return MAX_LIMIT
        if not re.fullmatch(r"[0-9]{1,7}", value) or int(value) < 1:
            raise exceptions.ValidationError({"limit": [_("Give a whole number above 0.")]})
        return min(int(value), MAX_LIMIT)

    def salt(self, kind) -> str:
        return f"taxii-next:{kind.id}:{self.request.user.pk}"

    def start(self, kind) -> Position | None:
        value = self.request.query_params.get("next")
        if value is None:
            return None
        try:
            added, key, skip = signing.loads(value, salt=self.salt(kind))
            return Position(_timestamp(added, "next"), str(key), int(skip))
        except (signing.BadSignature, ValueError, TypeError, exceptions.ValidationError):
            raise exceptions.ValidationError(
                {"next": [_("Not a page of this collection: use the 'next' it answered.")]}
            ) from None

    def read(self, kind, filters: Filters):
        page = collections.page(
            kind, self.request.user, filters=filters, start=self.start(kind), limit=self.limit()
        )
        services.record_reading(page.shown, by=self.request.user, request=self.request)
        return page

    def paged(self, kind, page, body: dict) -> Response:
        if page.more:
            body = {"more": True, "next": self.next_token(kind, page.next), **body}
        else:
            body = {"more": False, **body}
        response = Response(body)
        if page.entries:
            added = [when for _obj, when in page.entries]
            response["X-TAXII-Date-Added-First"] = collections.stix.timestamp(min(added))
            response["X-TAXII-Date-Added-Last"] = collections.stix.timestamp(max(added))
        return response

    def next_token(self, kind, position: Position) -> str:
        return signing.dumps(
            [position.added.isoformat(), position.key, position.skip], salt=self.salt(kind)
        )

    def refuse_writing(self):
        raise exceptions.PermissionDenied(_("This collection is read-only."))


def _as_version(value: str) -> str:
    return collections.stix.timestamp(_timestamp(value, "match[version]"))


class ObjectsView(ObjectsBase):
    def get(self, request, collection):
        kind = self.collection(collection)
        page = self.read(kind, self.filters())
        objects = [obj for obj, _when in page.entries]
        return self.paged(kind, page, {"objects": objects} if objects else {})

    def post(self, request, collection):
        self.collection(collection)
        self.refuse_writing()


class ManifestView(ObjectsBase):
    def get(self, request, collection):
        kind = self.collection(collection)
        page = self.read(kind, self.filters())
        records = [
            {
                "id": obj["id"],
                "date_added": collections.stix.timestamp(when),
                "version": collections.version_of(obj),
                "media_type": STIX,
            }
            for obj, when in page.entries
        ]
        return self.paged(kind, page, {"objects": records} if records else {})


class ObjectView(ObjectsBase):
    supported = ("version", "spec_version")

    def get(self, request, collection, object_id):
        kind = self.collection(collection)
        page = self.read(kind, self.filters(self.object_id(object_id)))
        if not page.entries:
            raise exceptions.NotFound(_("This collection holds no such object for you."))
        return self.paged(kind, page, {"objects": [obj for obj, _when in page.entries]})

    def delete(self, request, collection, object_id):
        self.collection(collection)
        self.refuse_writing()

    def object_id(self, value: str) -> str:
        if not OBJECT_ID.match(value):
            raise exceptions.NotFound(_("This collection holds no such object for you."))
        return value


class VersionsView(ObjectView):
    supported = ("spec_version",)
    default_versions = frozenset({"all"})

    def get(self, request, collection, object_id):
        kind = self.collection(collection)
        page = self.read(kind, self.filters(self.object_id(object_id)))
        if not page.entries:
            raise exceptions.NotFound(_("This collection holds no such object for you."))
        versions = [collections.version_of(obj) for obj, _when in page.entries]
        return self.paged(kind, page, {"versions": versions})


class NotFoundView(TaxiiView):
    """Any other address under /taxii2/: a TAXII error, never a page."""

    def get(self, request, rest=""):
        redirect = missing_slash(request, NotFoundView)
        if redirect is not None:
            return redirect
        raise exceptions.NotFound(_("There is nothing at this address."))

    post = put = patch = delete = get
