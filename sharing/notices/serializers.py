"""What the API reads and writes.

Output serializers describe objects already fetched through ``visible_to``. Input
serializers check only the shape of what is sent (types, enumerations, lengths) so
that the OpenAPI document can describe it; every rule (who may, what is valid together,
what a state may name) is the services' business, and their ``ValidationError`` comes
back as the same ``{"field": ["message"]}`` 400.
"""

from rest_framework import serializers

from sharing.common import services as common
from sharing.common import validators
from sharing.common.choices import TLP, Audience, EntityKind
from sharing.common.serializers import (
    AmendSerializer,
    FourEyesFields,
    PageUrlField,
    StrictBooleanField,
    StrictCharField,
    codes_field,
    strings_field,
)
from sharing.notices.choices import AckLevel, NoticeKind, Severity
from sharing.notices.models import Acknowledgement, Comment, Notice


class EntitySerializer(serializers.Serializer):
    """A named entity of concern: a company, agency, person or broker."""

    name = StrictCharField(max_length=200)
    aliases = strings_field(required=False)
    country = StrictCharField(
        max_length=2, allow_blank=True, required=False, help_text="ISO 3166-1 alpha-2, or XK."
    )
    kind = serializers.ChoiceField(choices=EntityKind.choices, required=False)
    identifiers = strings_field(required=False, help_text="Registration numbers, LEI, addresses.")
    notes = StrictCharField(max_length=2000, allow_blank=True, required=False)


class NoticeSerializer(FourEyesFields, serializers.ModelSerializer):
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    control_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    countries_of_concern = serializers.ListField(child=serializers.CharField(), read_only=True)
    entities = EntitySerializer(many=True, read_only=True)
    recipient_states = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    author_state = serializers.PrimaryKeyRelatedField(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    acknowledge_version = serializers.IntegerField(
        source="ack_version",
        read_only=True,
        help_text="The version recipient states are asked to acknowledge (raised by a "
        "material amendment, not by a minor correction).",
    )
    url = PageUrlField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "reference",
            "kind",
            "title",
            "summary",
            "body",
            "body_html",
            "categories",
            "control_codes",
            "countries_of_concern",
            "entities",
            "severity",
            "tlp",
            "audience",
            "recipient_states",
            "valid_until",
            "status",
            "version",
            "acknowledge_version",
            "author_state",
            "created_by",
            "created_at",
            "published_at",
            "updated_at",
            "withdrawn_at",
            "withdrawn_reason",
            "published_by",
            "approved_by",
            "awaiting_approval",
            "url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "body": {"help_text": "Markdown."},
            "body_html": {"help_text": "The body rendered to sanitised HTML."},
            "reference": {"help_text": "<STATE>-<YEAR>-<NNNN>; null until published."},
        }


class NoticeWriteSerializer(serializers.Serializer):
    """The content of a draft (POST), or the fields to change (PATCH: any of them)."""

    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    title = StrictCharField(max_length=common.MAX_TITLE)
    summary = StrictCharField(
        max_length=common.MAX_SUMMARY, help_text="Plain text, a few sentences."
    )
    body = StrictCharField(
        max_length=common.MAX_BODY, allow_blank=True, required=False, help_text="Markdown."
    )
    categories = serializers.ListField(
        child=serializers.SlugField(),
        min_length=1,
        help_text="Technology category slugs, as listed by GET /api/v1/categories/.",
    )
    control_codes = strings_field(
        validators.MAX_CODES, required=False, help_text="e.g. 4A005, 5A001.j, ML21.a"
    )
    countries_of_concern = codes_field(required=False, help_text="ISO 3166-1 alpha-2 codes (XK).")
    entities = EntitySerializer(many=True, required=False, max_length=validators.MAX_ENTITIES)
    severity = serializers.ChoiceField(choices=Severity.choices)
    tlp = serializers.ChoiceField(choices=TLP.choices, help_text="TLP 2.0 marking.")
    audience = serializers.ChoiceField(choices=Audience.choices)
    recipient_states = codes_field(
        required=False, help_text="State codes; required for a `selected` audience."
    )
    valid_until = serializers.DateField(required=False, allow_null=True)


class NoticeAmendSerializer(AmendSerializer):
    """A new version: the fields to change, what changed, and whether it is material."""

    write_serializer = NoticeWriteSerializer
    material = StrictBooleanField(
        default=True,
        help_text="true (the default): recipients are told and asked to acknowledge "
        "again; false: a minor correction, kept in the history and not announced. A "
        "change of audience, recipients or marking is always material.",
    )


class WithdrawSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=common.MAX_NOTE)


class AcknowledgeSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AckLevel.choices, default=AckLevel.RECEIVED)
    note = StrictCharField(max_length=common.MAX_NOTE, allow_blank=True, required=False)


class AcknowledgementSerializer(serializers.ModelSerializer):
    state = serializers.PrimaryKeyRelatedField(read_only=True)
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Acknowledgement
        fields = ["state", "version", "level", "note", "acknowledged_at", "by"]
        read_only_fields = fields


class AcknowledgementsSerializer(serializers.Serializer):
    acknowledgements = AcknowledgementSerializer(many=True)
    pending_states = serializers.ListField(
        child=serializers.CharField(),
        help_text="Recipient states that have not acknowledged the version they are asked "
        "about. Only the author state sees the other states' answers.",
    )


class CommentSerializer(serializers.ModelSerializer):
    state = serializers.PrimaryKeyRelatedField(read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    author_name = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "state", "author", "author_name", "body", "created_at"]
        read_only_fields = fields


class CommentWriteSerializer(serializers.Serializer):
    body = StrictCharField(max_length=common.MAX_COMMENT)
