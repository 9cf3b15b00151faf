"""What the API reads and writes.

Output serializers describe objects already fetched through ``visible_to``. Input
serializers check only the shape of what is sent (types, enumerations, lengths) so
that the OpenAPI document can describe it; every rule (who may, what is valid together,
what a state may name) is the services' business, and their ``ValidationError`` comes
back as the same ``{"field": ["message"]}`` 400.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.choices import Role
from accounts.models import State
from sharing import services, validators
from sharing.choices import (
    TLP,
    AckLevel,
    Audience,
    DocType,
    EndorsementKind,
    EntityKind,
    NoticeKind,
    PracticeAudience,
    Severity,
)
from sharing.models import (
    Acknowledgement,
    Attachment,
    BestPractice,
    Comment,
    Endorsement,
    Notice,
    Notification,
)


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class PageUrlField(serializers.SerializerMethodField):
    """The absolute address of the object's page in the portal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "The object's page in the portal (for people).")
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return absolute(self.context.get("request"), obj.get_absolute_url())


extend_schema_field({"type": "string", "format": "uri"})(PageUrlField)


def _codes(**kwargs):
    return serializers.ListField(
        child=serializers.CharField(min_length=2, max_length=2),
        max_length=validators.MAX_COUNTRIES,
        **kwargs,
    )


def _strings(limit: int = validators.MAX_LIST_ITEMS, **kwargs):
    return serializers.ListField(
        child=serializers.CharField(max_length=validators.MAX_ITEM_LENGTH),
        max_length=limit,
        **kwargs,
    )


# --- Accounts -------------------------------------------------------------------------------


class StateSerializer(serializers.ModelSerializer):
    class Meta:
        model = State
        fields = ["code", "name", "status", "founding"]


class StateBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = State
        fields = ["code", "name"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    state = StateBriefSerializer()


# --- Notices --------------------------------------------------------------------------------


class EntitySerializer(serializers.Serializer):
    """A named entity of concern: a company, agency, person or broker."""

    name = serializers.CharField(max_length=200)
    aliases = _strings(required=False)
    country = serializers.CharField(
        max_length=2, allow_blank=True, required=False, help_text="ISO 3166-1 alpha-2, or XK."
    )
    kind = serializers.ChoiceField(choices=EntityKind.choices, required=False)
    identifiers = _strings(required=False, help_text="Registration numbers, LEI, addresses.")
    notes = serializers.CharField(max_length=2000, allow_blank=True, required=False)


class NoticeSerializer(serializers.ModelSerializer):
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
    title = serializers.CharField(max_length=services.MAX_TITLE)
    summary = serializers.CharField(
        max_length=services.MAX_SUMMARY, help_text="Plain text, a few sentences."
    )
    body = serializers.CharField(
        max_length=services.MAX_BODY, allow_blank=True, required=False, help_text="Markdown."
    )
    categories = serializers.ListField(
        child=serializers.SlugField(), min_length=1, help_text="Technology category slugs."
    )
    control_codes = _strings(
        validators.MAX_CODES, required=False, help_text="e.g. 4A005, 5A001.j, ML21.a"
    )
    countries_of_concern = _codes(required=False, help_text="ISO 3166-1 alpha-2 codes (XK).")
    entities = EntitySerializer(many=True, required=False, max_length=validators.MAX_ENTITIES)
    severity = serializers.ChoiceField(choices=Severity.choices)
    tlp = serializers.ChoiceField(choices=TLP.choices, help_text="TLP 2.0 marking.")
    audience = serializers.ChoiceField(choices=Audience.choices)
    recipient_states = _codes(
        required=False, help_text="State codes; required for a `selected` audience."
    )
    valid_until = serializers.DateField(required=False, allow_null=True)


class NoticeAmendSerializer(serializers.Serializer):
    """A new version: the fields to change, what changed, and whether it is material."""

    change_note = serializers.CharField(
        max_length=services.MAX_NOTE, help_text="Shown in the version history."
    )
    material = serializers.BooleanField(
        default=True,
        help_text="true (the default): recipients are told and asked to acknowledge "
        "again; false: a minor correction, kept in the history and not announced. A "
        "change of audience, recipients or marking is always material.",
    )

    def get_fields(self):
        fields = super().get_fields()
        for name, field in NoticeWriteSerializer().get_fields().items():
            field.required = False
            fields[name] = field
        return fields


class FilesAmendSerializer(serializers.Serializer):
    """An amendment sent as multipart/form-data, to add files: what changed, whether it
    is material, and the files (other fields are changed with a JSON amendment)."""

    change_note = serializers.CharField(max_length=services.MAX_NOTE)
    material = serializers.BooleanField(default=True)
    attachments = serializers.ListField(child=serializers.FileField(), min_length=1)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.MAX_NOTE)


class AcknowledgeSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AckLevel.choices, default=AckLevel.RECEIVED)
    note = serializers.CharField(max_length=services.MAX_NOTE, allow_blank=True, required=False)


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
    body = serializers.CharField(max_length=services.MAX_COMMENT)


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "filename",
            "content_type",
            "size",
            "sha256",
            "version",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_download_url(self, attachment) -> str:
        return absolute(
            self.context.get("request"), reverse("api:attachment-download", args=[attachment.pk])
        )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="PDF, Office, OpenDocument, PNG, JPEG or text; the type is checked by content."
    )


# --- Best practices -------------------------------------------------------------------------


class EndorsementSerializer(serializers.ModelSerializer):
    state = serializers.PrimaryKeyRelatedField(read_only=True)
    since = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Endorsement
        fields = ["state", "kind", "note", "since", "updated_at"]
        read_only_fields = fields


class BestPracticeSerializer(serializers.ModelSerializer):
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
            "url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "body": {"help_text": "Markdown."},
            "body_html": {"help_text": "The body rendered to sanitised HTML."},
        }


class BestPracticeWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=services.MAX_TITLE)
    summary = serializers.CharField(max_length=services.MAX_SUMMARY)
    body = serializers.CharField(
        max_length=services.MAX_BODY, allow_blank=True, required=False, help_text="Markdown."
    )
    doc_type = serializers.ChoiceField(choices=DocType.choices)
    topics = serializers.ListField(
        child=serializers.SlugField(), min_length=1, help_text="Topic slugs."
    )
    co_authors = _codes(required=False, help_text="Co-authoring state codes.")
    audience = serializers.ChoiceField(choices=PracticeAudience.choices)
    public = serializers.BooleanField(
        required=False, help_text="Also readable without signing in (capacity building)."
    )


class BestPracticeAmendSerializer(NoticeAmendSerializer):
    material = serializers.BooleanField(
        default=True,
        help_text="true (the default): the readers are told; false: a minor correction. A "
        "change of audience is always material.",
    )

    def get_fields(self):
        fields = serializers.Serializer.get_fields(self)
        for name, field in BestPracticeWriteSerializer().get_fields().items():
            field.required = False
            fields[name] = field
        return fields


class EndorseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EndorsementKind.choices)
    note = serializers.CharField(max_length=services.MAX_NOTE, allow_blank=True, required=False)


# --- Notifications and search ---------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    subject_type = serializers.SerializerMethodField()
    subject_id = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    reference = serializers.SerializerMethodField()
    tlp = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "created_at",
            "read_at",
            "subject_type",
            "subject_id",
            "title",
            "reference",
            "tlp",
            "url",
        ]
        read_only_fields = fields

    def get_subject_type(self, notification) -> str:
        return "notice" if notification.notice_id else "best_practice"

    @extend_schema_field({"type": "string", "format": "uuid"})
    def get_subject_id(self, notification) -> str:
        return str(notification.notice_id or notification.best_practice_id)

    def get_title(self, notification) -> str:
        return notification.subject.title

    @extend_schema_field({"type": "string", "nullable": True})
    def get_reference(self, notification) -> str | None:
        return notification.notice.reference if notification.notice_id else None

    @extend_schema_field(serializers.ChoiceField(choices=TLP.choices, allow_null=True))
    def get_tlp(self, notification) -> str | None:
        """The notice's marking (best practices carry none)."""
        return notification.notice.tlp if notification.notice_id else None

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, notification) -> str:
        return absolute(self.context.get("request"), notification.get_absolute_url())


class SearchHitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["notice", "best_practice"], source="kind")
    id = serializers.UUIDField()
    title = serializers.CharField()
    summary = serializers.CharField()
    snippet = serializers.CharField(
        help_text="HTML: the escaped text around the match, the matched words in <mark>. "
        "Empty for AMBER, AMBER+STRICT and RED notices (read them on their page)."
    )
    reference = serializers.SerializerMethodField()
    tlp = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_reference(self, hit) -> str | None:
        return hit.obj.reference if hit.kind == "notice" else None

    @extend_schema_field(serializers.ChoiceField(choices=TLP.choices, allow_null=True))
    def get_tlp(self, hit) -> str | None:
        return hit.obj.tlp if hit.kind == "notice" else None

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, hit) -> str:
        return absolute(self.context.get("request"), hit.url)
