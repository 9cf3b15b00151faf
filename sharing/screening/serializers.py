"""What the API says of a screening and of a watched application, and what it takes to
screen, watch or decide (the services check the values: ``sharing.screening.services``)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sharing.common.serializers import PageUrlField, StrictCharField, StrictIntegerField
from sharing.denials.serializers import DenialBriefSerializer
from sharing.denials.services import MAX_DESCRIPTION
from sharing.notices.models import Notice, NoticeEntity
from sharing.screening.choices import Decision, WatchStatus
from sharing.screening.models import Watch, WatchMatch


class WatchMatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = WatchMatch
        fields = ["denial", "notice", "score", "told_at"]
        read_only_fields = fields
        extra_kwargs = {
            "score": {"help_text": "The score your state was last told of (or saw)."},
            "told_at": {"help_text": "When it was told; null for what the screening showed."},
            "denial": {"help_text": "The denial matched (else null)."},
            "notice": {"help_text": "The notice naming the entity matched (else null)."},
        }


class WatchSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        source="current_status",
        choices=WatchStatus.choices,
        read_only=True,
        help_text="lapsed as soon as the decide-by date has passed.",
    )
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    matches = WatchMatchSerializer(
        source="readable_matches",
        many=True,
        read_only=True,
        help_text="The denials and notices it matched that you may read.",
    )

    end_user_identifiers = serializers.SerializerMethodField(
        help_text="The end-user's identifiers screened, as read: kind and number."
    )
    consignee_identifiers = serializers.SerializerMethodField(
        help_text="The consignee's identifiers screened, as read."
    )

    class Meta:
        model = Watch
        fields = [
            "id",
            "application_reference",
            "screening",
            "end_user",
            "consignee",
            "destination",
            "control_entry",
            "item_description",
            "end_user_identifiers",
            "consignee_identifiers",
            "decide_by",
            "status",
            "owner",
            "created_at",
            "decided_at",
            "decided_by",
            "matches",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_end_user_identifiers(self, watch: Watch) -> list[str]:
        return watch.end_user_identifiers.splitlines()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_consignee_identifiers(self, watch: Watch) -> list[str]:
        return watch.consignee_identifiers.splitlines()


class WatchWriteSerializer(serializers.Serializer):
    screening = StrictIntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="The number of a screening you made (`POST /api/v1/denials/screen/`).",
    )
    application_reference = StrictCharField(max_length=64)
    decide_by = serializers.DateField(help_text="From today to a year from today.")


class WatchDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Decision.choices)


# --- Screening --------------------------------------------------------------------------------


class NoticeEntityBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticeEntity
        fields = ["name", "aliases", "country", "kind"]
        read_only_fields = fields


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
    end_user_identifiers = serializers.ListField(
        child=StrictCharField(max_length=200),
        max_length=10,
        required=False,
        help_text="The end-user's identifiers, each its kind and number: "
        "'LEI 5493001KJTIIGC8Y1R12', 'CVR 12345678', 'registration CY HE123456', "
        "'VAT FR40303265045', 'passport RU 721234567', 'born 1971-03-04'.",
    )
    consignee_identifiers = serializers.ListField(
        child=StrictCharField(max_length=200),
        max_length=10,
        required=False,
        help_text="The consignee's identifiers, written the same way.",
    )


class MatchedNameSerializer(serializers.Serializer):
    entered = StrictCharField(help_text="The name as you entered it.")
    matched = StrictCharField(help_text="The name or alias of the party or entity it matched.")


class _Scored(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100, help_text="Higher is closer.")
    reasons = serializers.ListField(child=StrictCharField(), help_text="Why it matched.")
    matched_names = MatchedNameSerializer(many=True)


class MatchSerializer(_Scored):
    denial = DenialBriefSerializer()


class NoticeBriefSerializer(serializers.ModelSerializer):
    """A notice as a screening shows it: what identifies it and the entities it names."""

    author_state = serializers.PrimaryKeyRelatedField(read_only=True)
    entities = NoticeEntityBriefSerializer(many=True, read_only=True)
    url = PageUrlField()

    class Meta:
        model = Notice
        fields = ["id", "reference", "title", "kind", "author_state", "tlp", "entities", "url"]
        read_only_fields = fields


class NoticeMatchSerializer(_Scored):
    notice = NoticeBriefSerializer()


def _scored(match) -> dict:
    return {
        "score": match.score,
        "reasons": list(match.reasons),
        "matched_names": [
            {"entered": entered, "matched": matched} for entered, matched in match.matched_names
        ],
    }


class ScreeningResultSerializer(serializers.Serializer):
    screening = serializers.IntegerField(
        help_text="The screening's number, as kept (who asked, what, what was shown)."
    )
    matches = MatchSerializer(many=True, help_text="The denials in force, best first.")
    notices = NoticeMatchSerializer(
        many=True,
        help_text="The published end-user and diversion alerts naming a matching entity "
        "of concern, best first.",
    )

    def to_representation(self, result):
        return super().to_representation(
            {
                "screening": result.screening.pk,
                "matches": [{"denial": d, **_scored(m)} for d, m in result.matches],
                "notices": [{"notice": n, **_scored(m)} for n, m in result.notices],
            }
        )
