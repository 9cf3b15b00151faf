"""What the API reads and writes.

Output serializers describe objects already fetched through ``visible_to``. Input
serializers check only the shape of what is sent (types, enumerations, lengths) so
that the OpenAPI document can describe it; every rule (who may, what is valid together,
what a state may name) is the services' business, and their ``ValidationError`` comes
back as the same ``{"field": ["message"]}`` 400.
"""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.choices import Role
from accounts.models import State
from sharing import services, validators, workdays
from sharing.choices import (
    TLP,
    AckLevel,
    Audience,
    ConsultationOutcome,
    DenialReason,
    DocType,
    EndorsementKind,
    EntityKind,
    NoticeKind,
    PartyRole,
    PracticeAudience,
    Severity,
)
from sharing.models import (
    Acknowledgement,
    Attachment,
    BestPractice,
    Comment,
    Consultation,
    ConsultationMessage,
    Denial,
    Endorsement,
    Notice,
    Notification,
    Revision,
)
from sharing.services.denials import CONSULTATION_MOST_DAYS, MAX_DESCRIPTION, MAX_PARTIES


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


def _codes(**kwargs):
    return serializers.ListField(
        child=StrictCharField(min_length=2, max_length=2),
        max_length=validators.MAX_COUNTRIES,
        **kwargs,
    )


def _strings(limit: int = validators.MAX_LIST_ITEMS, **kwargs):
    return serializers.ListField(
        child=StrictCharField(max_length=validators.MAX_ITEM_LENGTH),
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

    name = StrictCharField(max_length=200)
    aliases = _strings(required=False)
    country = StrictCharField(
        max_length=2, allow_blank=True, required=False, help_text="ISO 3166-1 alpha-2, or XK."
    )
    kind = serializers.ChoiceField(choices=EntityKind.choices, required=False)
    identifiers = _strings(required=False, help_text="Registration numbers, LEI, addresses.")
    notes = StrictCharField(max_length=2000, allow_blank=True, required=False)


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
    title = StrictCharField(max_length=services.MAX_TITLE)
    summary = StrictCharField(
        max_length=services.MAX_SUMMARY, help_text="Plain text, a few sentences."
    )
    body = StrictCharField(
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

    class Meta:
        model = Revision
        fields = [
            "version",
            "change_kind",
            "change_note",
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


_REMOVE_HELP = (
    "Ids of files of the current version to take out of the new one: they stay with the "
    "earlier versions, for the states those reached, and no state that only the new "
    "version reaches can download them."
)


class NoticeAmendSerializer(serializers.Serializer):
    """A new version: the fields to change, what changed, and whether it is material."""

    change_note = StrictCharField(
        max_length=services.MAX_NOTE, help_text="Shown in the version history."
    )
    material = StrictBooleanField(
        default=True,
        help_text="true (the default): recipients are told and asked to acknowledge "
        "again; false: a minor correction, kept in the history and not announced. A "
        "change of audience, recipients or marking is always material.",
    )
    remove_attachments = serializers.ListField(
        child=serializers.UUIDField(), max_length=100, required=False, help_text=_REMOVE_HELP
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
    reason = StrictCharField(max_length=services.MAX_NOTE)


class AcknowledgeSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AckLevel.choices, default=AckLevel.RECEIVED)
    note = StrictCharField(max_length=services.MAX_NOTE, allow_blank=True, required=False)


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
    body = StrictCharField(max_length=services.MAX_COMMENT)


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
    title = StrictCharField(max_length=services.MAX_TITLE)
    summary = StrictCharField(max_length=services.MAX_SUMMARY)
    body = StrictCharField(
        max_length=services.MAX_BODY, allow_blank=True, required=False, help_text="Markdown."
    )
    doc_type = serializers.ChoiceField(choices=DocType.choices)
    topics = serializers.ListField(
        child=serializers.SlugField(), min_length=1, help_text="Topic slugs."
    )
    co_authors = _codes(required=False, help_text="Co-authoring state codes.")
    audience = serializers.ChoiceField(choices=PracticeAudience.choices)
    public = StrictBooleanField(
        required=False, help_text="Also readable without signing in (capacity building)."
    )


class BestPracticeAmendSerializer(NoticeAmendSerializer):
    material = StrictBooleanField(
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
    note = StrictCharField(max_length=services.MAX_NOTE, allow_blank=True, required=False)


# --- Licence denials and consultations ------------------------------------------------------


def _strict_strings(limit: int = validators.MAX_LIST_ITEMS, **kwargs):
    return serializers.ListField(
        child=StrictCharField(max_length=validators.MAX_ITEM_LENGTH), max_length=limit, **kwargs
    )


def _strict_codes(**kwargs):
    return serializers.ListField(
        child=StrictCharField(min_length=2, max_length=2),
        max_length=validators.MAX_COUNTRIES,
        **kwargs,
    )


class PartySerializer(serializers.Serializer):
    """The end-user or the consignee named in a denial."""

    role = serializers.ChoiceField(choices=PartyRole.choices)
    name = StrictCharField(max_length=200)
    aliases = _strict_strings(required=False, help_text="Other names it is known by.")
    address = StrictCharField(max_length=1000, allow_blank=True, required=False)
    country = StrictCharField(
        max_length=2, allow_blank=True, required=False, help_text="ISO 3166-1 alpha-2, or XK."
    )


class ScreeningCountsSerializer(serializers.Serializer):
    """Who screened against a denial: counts, never which states."""

    screenings = serializers.IntegerField(
        help_text="How many screenings by states other than the notifying one matched it."
    )
    states = serializers.IntegerField(help_text="How many states those screenings came from.")


class OutcomeSerializer(serializers.ModelSerializer):
    """The circulated outcome of a closed consultation about the denial."""

    consulting_state = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Consultation
        fields = ["outcome", "consulting_state", "outcome_at"]
        read_only_fields = fields


class DenialBriefSerializer(serializers.ModelSerializer):
    """A denial as a screening shows it: what identifies it and who it names."""

    state = serializers.PrimaryKeyRelatedField(read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    url = PageUrlField()

    class Meta:
        model = Denial
        fields = [
            "id",
            "state",
            "national_reference",
            "decided_on",
            "control_entry",
            "catch_all",
            "item_description",
            "reason_category",
            "parties",
            "status",
            "review_on",
            "tlp",
            "url",
        ]
        read_only_fields = fields


class DenialSerializer(serializers.ModelSerializer):
    state = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The notifying state (code)."
    )
    parties = PartySerializer(many=True, read_only=True)
    recipient_states = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    screening_counts = serializers.SerializerMethodField()
    outcomes = serializers.SerializerMethodField()
    url = PageUrlField()

    class Meta:
        model = Denial
        fields = [
            "id",
            "state",
            "national_reference",
            "decided_on",
            "control_entry",
            "catch_all",
            "item_description",
            "end_use",
            "reason_category",
            "reason",
            "parties",
            "status",
            "review_on",
            "tlp",
            "audience",
            "recipient_states",
            "version",
            "created_by",
            "created_at",
            "updated_at",
            "revoked_at",
            "revoked_reason",
            "expired_at",
            "screening_counts",
            "outcomes",
            "url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "control_entry": {"help_text": "Empty for a non-listed (catch-all) item."},
            "review_on": {"help_text": "Unless renewed by then, the denial expires after it."},
        }

    @extend_schema_field(ScreeningCountsSerializer)
    def get_screening_counts(self, denial) -> dict:
        return {"screenings": denial.screenings_matched, "states": denial.states_screening}

    @extend_schema_field(OutcomeSerializer(many=True))
    def get_outcomes(self, denial) -> list:
        """The outcomes of its closed consultations, newest first (circulated to every
        state that reads the denial)."""
        return OutcomeSerializer(denial.closed_consultations, many=True).data


class DenialWriteSerializer(serializers.Serializer):
    """A denial to notify. The review date defaults to three years after the decision,
    the marking to AMBER, the audience to every subscribing state."""

    national_reference = StrictCharField(
        max_length=64, help_text="Your state's own reference; once per state."
    )
    decided_on = serializers.DateField(help_text="The date of the decision; not in the future.")
    control_entry = StrictCharField(
        max_length=40,
        allow_blank=True,
        required=False,
        help_text="e.g. 5A001.j; leave it out for a non-listed (catch-all) item.",
    )
    catch_all = StrictBooleanField(
        required=False, help_text="true: the item is on no control list (catch-all)."
    )
    item_description = StrictCharField(max_length=MAX_DESCRIPTION)
    end_use = StrictCharField(max_length=MAX_DESCRIPTION, allow_blank=True, required=False)
    reason_category = serializers.ChoiceField(choices=DenialReason.choices)
    reason = StrictCharField(max_length=MAX_DESCRIPTION)
    parties = PartySerializer(
        many=True,
        max_length=MAX_PARTIES,
        help_text="The end-user (required) and the consignee, if another.",
    )
    review_on = serializers.DateField(
        required=False, allow_null=True, help_text="Three years after the decision if left out."
    )
    tlp = serializers.ChoiceField(
        choices=TLP.choices, required=False, help_text="amber if left out."
    )
    audience = serializers.ChoiceField(
        choices=Audience.choices, required=False, help_text="subscribing if left out."
    )
    recipient_states = _strict_codes(
        required=False, help_text="State codes; required for a `selected` audience."
    )


class DenialAmendSerializer(serializers.Serializer):
    """A new version of a denial in force: the fields to change and what changed."""

    change_note = StrictCharField(
        max_length=services.MAX_NOTE, help_text="Shown in the version history."
    )

    def get_fields(self):
        fields = super().get_fields()
        for name, field in DenialWriteSerializer().get_fields().items():
            field.required = False
            fields[name] = field
        return fields


class RevokeSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=services.MAX_NOTE)


class RenewSerializer(serializers.Serializer):
    review_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The next review: after today and within five years; three years from "
        "today if left out.",
    )


class ScreenSerializer(serializers.Serializer):
    """A candidate transaction: the end-user's or the consignee's name at least."""

    end_user = StrictCharField(max_length=200, allow_blank=True, required=False)
    consignee = StrictCharField(max_length=200, allow_blank=True, required=False)
    destination = StrictCharField(
        max_length=2, allow_blank=True, required=False, help_text="ISO 3166-1 alpha-2, or XK."
    )
    control_entry = StrictCharField(
        max_length=40, allow_blank=True, required=False, help_text="e.g. 5A001.j"
    )
    item_description = StrictCharField(max_length=MAX_DESCRIPTION, allow_blank=True, required=False)


class MatchedNameSerializer(serializers.Serializer):
    entered = StrictCharField(help_text="The name as you entered it.")
    matched = StrictCharField(help_text="The name or alias of the denial it matched.")


class MatchSerializer(serializers.Serializer):
    denial = DenialBriefSerializer()
    score = serializers.IntegerField(min_value=0, max_value=100, help_text="Higher is closer.")
    reasons = serializers.ListField(child=StrictCharField(), help_text="Why it matched.")
    matched_names = MatchedNameSerializer(many=True)


class ScreeningResultSerializer(serializers.Serializer):
    screening = serializers.IntegerField(
        help_text="The screening's number, as kept (who asked, what, what was shown)."
    )
    matches = MatchSerializer(many=True, help_text="Best first.")

    def to_representation(self, result):
        matches = [
            {
                "denial": denial,
                "score": match.score,
                "reasons": list(match.reasons),
                "matched_names": [
                    {"entered": entered, "matched": matched}
                    for entered, matched in match.matched_names
                ],
            }
            for denial, match in result.matches
        ]
        return super().to_representation({"screening": result.screening.pk, "matches": matches})


class ConsultationSerializer(serializers.ModelSerializer):
    denial = serializers.PrimaryKeyRelatedField(read_only=True)
    denying_state = StrictCharField(source="denial.state_id", read_only=True)
    consulting_state = serializers.PrimaryKeyRelatedField(read_only=True)
    working_days_left = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()
    url = PageUrlField()

    class Meta:
        model = Consultation
        fields = [
            "id",
            "denial",
            "denying_state",
            "consulting_state",
            "application_reference",
            "end_user",
            "consignee",
            "destination",
            "control_entry",
            "item_description",
            "question",
            "status",
            "working_days",
            "due_on",
            "working_days_left",
            "extended_at",
            "extension_reason",
            "answer",
            "answered_at",
            "outcome",
            "outcome_note",
            "outcome_at",
            "opened_at",
            "url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "due_on": {"help_text": "The last day to answer, in the denying state's calendar."},
        }

    @extend_schema_field(
        serializers.ChoiceField(choices=ConsultationOutcome.choices, allow_null=True)
    )
    def get_outcome(self, consultation) -> str | None:
        """How the consulting state's application ended; null until it says."""
        return consultation.outcome or None

    @extend_schema_field(serializers.IntegerField(allow_null=True, min_value=0))
    def get_working_days_left(self, consultation) -> int | None:
        """Working days of the denying state from its today up to the deadline (0 on the
        day and after); null once answered."""
        if not consultation.is_pending:
            return None
        state = consultation.denial.state
        today = workdays.local_date(timezone.now(), state)
        return workdays.working_days_between(today, consultation.due_on, state.code)


class ConsultationOpenSerializer(serializers.Serializer):
    """The transaction your state is considering, and what you ask the denying state."""

    application_reference = StrictCharField(max_length=64)
    end_user = StrictCharField(max_length=200)
    consignee = StrictCharField(max_length=200, allow_blank=True, required=False)
    destination = StrictCharField(max_length=2, help_text="ISO 3166-1 alpha-2, or XK.")
    control_entry = StrictCharField(max_length=40, allow_blank=True, required=False)
    item_description = StrictCharField(max_length=MAX_DESCRIPTION)
    question = StrictCharField(max_length=MAX_DESCRIPTION)


class ConsultationMessageSerializer(serializers.ModelSerializer):
    state = serializers.PrimaryKeyRelatedField(read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    author_name = StrictCharField(source="author.display_name", read_only=True)

    class Meta:
        model = ConsultationMessage
        fields = ["id", "state", "author", "author_name", "body", "created_at"]
        read_only_fields = fields


class ConsultationMessageWriteSerializer(serializers.Serializer):
    body = StrictCharField(max_length=MAX_DESCRIPTION)


class AnswerSerializer(serializers.Serializer):
    answer = StrictCharField(max_length=MAX_DESCRIPTION)


class ExtendSerializer(serializers.Serializer):
    working_days = StrictIntegerField(
        min_value=1,
        max_value=CONSULTATION_MOST_DAYS,
        help_text="The new time to answer, in working days from the opening: more than "
        "now, at most 30. Once only.",
    )
    reason = StrictCharField(max_length=services.MAX_NOTE)


class OutcomeWriteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=ConsultationOutcome.choices,
        help_text="withdrawn at any time; granted or refused once the denying state "
        "answered or its deadline passed.",
    )
    note = StrictCharField(max_length=services.MAX_NOTE, allow_blank=True, required=False)


# --- Notifications and search ---------------------------------------------------------------


SUBJECT_TYPES = ["notice", "best_practice", "denial"]


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

    @extend_schema_field(serializers.ChoiceField(choices=SUBJECT_TYPES))
    def get_subject_type(self, notification) -> str:
        if notification.notice_id:
            return "notice"
        return "best_practice" if notification.best_practice_id else "denial"

    @extend_schema_field({"type": "string", "format": "uuid"})
    def get_subject_id(self, notification) -> str:
        return str(
            notification.notice_id or notification.best_practice_id or notification.denial_id
        )

    def get_title(self, notification) -> str:
        return notification.subject.title

    @extend_schema_field({"type": "string", "nullable": True})
    def get_reference(self, notification) -> str | None:
        """A notice's reference, a denial's national reference (best practices have none)."""
        if notification.notice_id:
            return notification.notice.reference
        return notification.denial.national_reference if notification.denial_id else None

    @extend_schema_field(serializers.ChoiceField(choices=TLP.choices, allow_null=True))
    def get_tlp(self, notification) -> str | None:
        """The marking of the notice or denial (best practices carry none)."""
        marked = notification.notice or notification.denial
        return marked.tlp if marked is not None else None

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
