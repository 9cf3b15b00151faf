"""What the API reads and writes.

Output serializers describe objects already fetched through ``visible_to``. Input
serializers check only the shape of what is sent (types, enumerations, lengths) so
that the OpenAPI document can describe it; every rule (who may, what is valid together,
what a state may name) is the services' business, and their ``ValidationError`` comes
back as the same ``{"field": ["message"]}`` 400.
"""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.choices import ApprovalPolicy, Role
from accounts.models import State
from sharing.common import services, validators
from sharing.common.choices import ApprovalAct
from sharing.common.lifecycle import lifecycle_of
from sharing.common.models import Approval, Attachment, Revision, Term


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class StrictCharField(serializers.CharField):
    """Text, and only text: a number is not taken for its digits (the document says a
    string, and a client that sends a number has a bug worth a 400)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, not a string of digits, a float or a boolean."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, not "yes", 1 or "true"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class PageUrlField(serializers.SerializerMethodField):
    """The absolute address of the object's page in the portal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "The object's page in the portal (for people).")
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return absolute(self.context.get("request"), obj.get_absolute_url())


extend_schema_field({"type": "string", "format": "uri"})(PageUrlField)


def codes_field(**kwargs):
    return serializers.ListField(
        child=StrictCharField(min_length=2, max_length=2),
        max_length=validators.MAX_COUNTRIES,
        **kwargs,
    )


def strings_field(limit: int = validators.MAX_LIST_ITEMS, **kwargs):
    return serializers.ListField(
        child=StrictCharField(max_length=validators.MAX_ITEM_LENGTH),
        max_length=limit,
        **kwargs,
    )


class ApprovalSerializer(serializers.ModelSerializer):
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    proposal = serializers.JSONField(
        read_only=True,
        help_text="For an amendment, the content it would publish, its change note and the "
        "files it would remove; for a withdrawal, its reason.",
    )

    class Meta:
        model = Approval
        fields = ["id", "act", "submitted_by", "submitted_at", "version", "tlp", "proposal"]
        read_only_fields = fields


class FourEyesFields(serializers.Serializer):
    """Who published the current version and who approved it; and, for its own state's
    officers and admins only, what awaits approval (docs/architecture.md, "Four eyes")."""

    published_by = serializers.SerializerMethodField(
        help_text="Who published the current version (submitted it, under an approval "
        "policy); null before publication."
    )
    approved_by = serializers.SerializerMethodField(
        help_text="Who approved the current version; null if nobody had to."
    )
    awaiting_approval = serializers.SerializerMethodField(
        help_text="What awaits another official's approval; shown only to those who may "
        "change the item, null for everyone else."
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_published_by(self, obj):
        revision = obj.current_revision
        return revision.created_by.username if revision else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_approved_by(self, obj):
        revision = obj.current_revision
        return revision.approved_by.username if revision and revision.approved_by else None

    @extend_schema_field(ApprovalSerializer(allow_null=True))
    def get_awaiting_approval(self, obj):
        request = self.context.get("request")
        approval = lifecycle_of(obj).approval_shown(obj, request.user) if request else None
        return ApprovalSerializer(approval).data if approval else None


class TermSerializer(serializers.ModelSerializer):
    """A term of a taxonomy: its slug is what items and filters name it by."""

    class Meta:
        model = Term
        fields = ["slug", "name", "description"]


class StateSerializer(serializers.ModelSerializer):
    class Meta:
        model = State
        fields = ["code", "name", "status", "founding"]


class StateSettingsSerializer(serializers.ModelSerializer):
    """What a state's admins decide for it (Members → State settings on the pages)."""

    language = serializers.ChoiceField(
        choices=[("", "—"), *settings.LANGUAGES],
        allow_blank=True,
        required=False,
        help_text="The default language of its users who have not chosen one; empty: "
        "each user's browser language.",
    )
    approval_policy = serializers.ChoiceField(
        choices=ApprovalPolicy.choices,
        required=False,
        help_text="What its officers submit for another official's approval: `nothing`, "
        "`everything` (published, materially amended, withdrawn or archived), or "
        "`restricted` (only what is marked TLP:AMBER or stricter).",
    )
    approve_denials = StrictBooleanField(
        required=False,
        help_text="Whether another official approves every licence denial it notifies, "
        "amends or revokes.",
    )
    named_in_reports = StrictBooleanField(
        required=False,
        help_text="Whether other states see its figures by name in the implementation "
        "reports' comparisons across states (otherwise only in the community's totals).",
    )

    class Meta:
        model = State
        fields = ["code", "language", "approval_policy", "approve_denials", "named_in_reports"]
        read_only_fields = ["code"]


class StateBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = State
        fields = ["code", "name"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    state = StateBriefSerializer()


class VersionSerializer(serializers.ModelSerializer):
    """One published version of an item, as it was: only versions that reached the
    caller's state are listed, each under its own marking."""

    published_at = serializers.DateTimeField(source="created_at", read_only=True)
    tlp = serializers.CharField(
        allow_null=True,
        read_only=True,
        help_text="The version's own TLP 2.0 marking (null for a best practice).",
    )
    content = serializers.SerializerMethodField(
        help_text="The item's fields as they were in this version."
    )
    attachments = serializers.SerializerMethodField(
        help_text="The ids of the files that were part of this version."
    )
    published_by = serializers.SlugRelatedField(
        source="created_by",
        slug_field="username",
        read_only=True,
        help_text="Who published this version (submitted it, under an approval policy).",
    )
    approved_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who approved this version; null if nobody had to.",
    )

    class Meta:
        model = Revision
        fields = [
            "version",
            "change_kind",
            "change_note",
            "published_by",
            "approved_by",
            "published_at",
            "tlp",
            "audience",
            "public",
            "content",
            "attachments",
        ]
        read_only_fields = fields

    def to_representation(self, revision):
        data = super().to_representation(revision)
        data["tlp"] = revision.tlp or None
        return data

    def get_content(self, revision) -> dict:
        return {k: v for k, v in revision.snapshot.items() if k != "attachments"}

    def get_attachments(self, revision) -> list[str]:
        return [file["id"] for file in revision.snapshot.get("attachments", [])]


REMOVE_HELP = (
    "Ids of files of the current version to take out of the new one: they stay with the "
    "earlier versions, for the states those reached, and no state that only the new "
    "version reaches can download them."
)


class AmendSerializer(serializers.Serializer):
    """A new version sent as JSON: what changed, whether it is material, the files to
    take out, and any of the fields of ``write_serializer``, none of them required."""

    write_serializer: type[serializers.Serializer]

    change_note = StrictCharField(
        max_length=services.MAX_NOTE, help_text="Shown in the version history."
    )
    material = StrictBooleanField(default=True)
    remove_attachments = serializers.ListField(
        child=serializers.UUIDField(), max_length=100, required=False, help_text=REMOVE_HELP
    )

    def get_fields(self):
        fields = super().get_fields()
        for name, field in self.write_serializer().get_fields().items():
            field.required = False
            fields[name] = field
        return fields


class ActSerializer(serializers.Serializer):
    act = serializers.ChoiceField(
        choices=ApprovalAct.choices,
        default=ApprovalAct.PUBLISH,
        help_text="What is submitted: `publish` a draft, `amend` it (materially), `retire` it.",
    )


class DecisionSerializer(serializers.Serializer):
    approval = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The id of the submission you reviewed (`awaiting_approval.id`): if "
        "another was submitted since, nothing is decided (409).",
    )


class RejectSerializer(DecisionSerializer):
    reason = StrictCharField(max_length=services.MAX_NOTE, help_text="Told to the submitter.")


def submit_serializer(amend: type[AmendSerializer], retire: type | None = None) -> type:
    """What ``submit`` takes, for the OpenAPI document: ``act``, then for an amendment
    the fields of ``amend``, for retiring those of ``retire``."""

    class Submit(ActSerializer, amend):  # type: ignore[valid-type, misc]
        def get_fields(self):
            fields = super().get_fields()
            fields["change_note"].required = False
            fields.pop("material", None)  # always material: a minor correction needs nobody
            for name, field in (retire().get_fields() if retire else {}).items():
                field.required = False
                fields[name] = field
            return fields

    Submit.__name__ = Submit.__qualname__ = amend.__name__.replace("Amend", "Submit")
    return Submit


class FilesAmendSerializer(serializers.Serializer):
    """An amendment sent as multipart/form-data, to add files: what changed, whether it
    is material, and the files (other fields are changed with a JSON amendment)."""

    change_note = serializers.CharField(max_length=services.MAX_NOTE)
    material = serializers.BooleanField(default=True)
    attachments = serializers.ListField(child=serializers.FileField(), min_length=1)


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    removed_in_version = serializers.IntegerField(
        source="removed_in",
        allow_null=True,
        read_only=True,
        help_text="The first version without this file, when an amendment removed it "
        "(it stays with the versions before); null while it is in the current version.",
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "filename",
            "content_type",
            "size",
            "sha256",
            "version",
            "removed_in_version",
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
