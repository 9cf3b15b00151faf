"""What the API reads and writes.

Output serializers describe objects already fetched through ``visible_to``. Input
serializers check only the shape of what is sent (types, enumerations, lengths) so
that the OpenAPI document can describe it; every rule (who may, what is valid together,
what a state may name) is the services' business, and their ``ValidationError`` comes
back as the same ``{"field": ["message"]}`` 400.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sharing.common import services as common
from sharing.common.choices import TLP, Audience
from sharing.common.serializers import (
    FourEyesFields,
    PageUrlField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    codes_field,
    strings_field,
)
from sharing.denials import workdays
from sharing.denials.choices import ConsultationOutcome, DenialReason, PartyRole
from sharing.denials.models import Consultation, ConsultationMessage, Denial
from sharing.denials.services import (
    CONSULTATION_FIELDS,
    CONSULTATION_MOST_DAYS,
    MAX_DESCRIPTION,
    MAX_PARTIES,
)

# What names a denial and its item: the first fields of both its shapes, brief (in a
# screening's matches) and whole.
_DENIAL_IDENTITY = [
    "id",
    "state",
    "national_reference",
    "decided_on",
    "control_entry",
    "catch_all",
    "item_description",
]


class PartySerializer(serializers.Serializer):
    """The end-user or the consignee named in a denial."""

    role = serializers.ChoiceField(choices=PartyRole.choices)
    name = StrictCharField(max_length=200)
    aliases = strings_field(required=False, help_text="Other names it is known by.")
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
            *_DENIAL_IDENTITY,
            "reason_category",
            "parties",
            "status",
            "review_on",
            "tlp",
            "url",
        ]
        read_only_fields = fields


class DenialSerializer(FourEyesFields, serializers.ModelSerializer):
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
            *_DENIAL_IDENTITY,
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
            "published_by",
            "approved_by",
            "awaiting_approval",
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
    recipient_states = codes_field(
        required=False, help_text="State codes; required for a `selected` audience."
    )


class DenialAmendSerializer(serializers.Serializer):
    """A new version of a denial in force: the fields to change and what changed."""

    change_note = StrictCharField(
        max_length=common.MAX_NOTE, help_text="Shown in the version history."
    )

    def get_fields(self):
        fields = super().get_fields()
        for name, field in DenialWriteSerializer().get_fields().items():
            field.required = False
            fields[name] = field
        return fields


class RevokeSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=common.MAX_NOTE)


class RenewSerializer(serializers.Serializer):
    review_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The next review: after today and within five years; three years from "
        "today if left out.",
    )


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
            *CONSULTATION_FIELDS,  # the transaction and the question, as asked
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
    reason = StrictCharField(max_length=common.MAX_NOTE)


class OutcomeWriteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=ConsultationOutcome.choices,
        help_text="withdrawn at any time; granted or refused once the denying state "
        "answered or its deadline passed.",
    )
    note = StrictCharField(max_length=common.MAX_NOTE, allow_blank=True, required=False)
