"""What the API reads and writes.

Output serializers describe objects already fetched through ``visible_to``. Input
serializers check only the shape of what is sent (types, enumerations, lengths) so
that the OpenAPI document can describe it; every rule (who may, what is valid together,
what a state may name) is the services' business, and their ``ValidationError`` comes
back as the same ``{"field": ["message"]}`` 400.
"""

from rest_framework import serializers

from sharing.common import services as common
from sharing.common.serializers import (
    AmendSerializer,
    FourEyesFields,
    PageUrlField,
    StrictBooleanField,
    StrictCharField,
    codes_field,
)
from sharing.practices.choices import DocType, EndorsementKind, PracticeAudience
from sharing.practices.models import BestPractice, Endorsement


class EndorsementSerializer(serializers.ModelSerializer):
    state = serializers.PrimaryKeyRelatedField(read_only=True)
    since = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Endorsement
        fields = ["state", "kind", "note", "since", "updated_at"]
        read_only_fields = fields


class BestPracticeSerializer(FourEyesFields, serializers.ModelSerializer):
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    lead_state = serializers.PrimaryKeyRelatedField(read_only=True)
    co_authors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    endorsements = EndorsementSerializer(many=True, read_only=True)
    url = PageUrlField()

    class Meta:
        model = BestPractice
        fields = [
            "id",
            "title",
            "summary",
            "body",
            "body_html",
            "doc_type",
            "topics",
            "lead_state",
            "co_authors",
            "audience",
            "public",
            "status",
            "version",
            "created_by",
            "created_at",
            "published_at",
            "updated_at",
            "archived_at",
            "endorsements",
            "published_by",
            "approved_by",
            "awaiting_approval",
            "url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "body": {"help_text": "Markdown."},
            "body_html": {"help_text": "The body rendered to sanitised HTML."},
        }


class BestPracticeWriteSerializer(serializers.Serializer):
    title = StrictCharField(max_length=common.MAX_TITLE)
    summary = StrictCharField(max_length=common.MAX_SUMMARY)
    body = StrictCharField(
        max_length=common.MAX_BODY, allow_blank=True, required=False, help_text="Markdown."
    )
    doc_type = serializers.ChoiceField(choices=DocType.choices)
    topics = serializers.ListField(
        child=serializers.SlugField(),
        min_length=1,
        help_text="Topic slugs, as listed by GET /api/v1/topics/.",
    )
    co_authors = codes_field(required=False, help_text="Co-authoring state codes.")
    audience = serializers.ChoiceField(choices=PracticeAudience.choices)
    public = StrictBooleanField(
        required=False, help_text="Also readable without signing in (capacity building)."
    )


class BestPracticeAmendSerializer(AmendSerializer):
    """A new version: the fields to change, what changed, and whether it is material."""

    write_serializer = BestPracticeWriteSerializer
    material = StrictBooleanField(
        default=True,
        help_text="true (the default): the readers are told; false: a minor correction. A "
        "change of audience is always material.",
    )


class EndorseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EndorsementKind.choices)
    note = StrictCharField(max_length=common.MAX_NOTE, allow_blank=True, required=False)
