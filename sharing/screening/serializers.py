"""What the API says of a watched application, and what it takes to make or decide one
(the services check the values: ``sharing.screening.services``)."""

from rest_framework import serializers

from sharing.common.serializers import StrictCharField
from sharing.screening.choices import Decision
from sharing.screening.models import Watch, WatchMatch


class WatchMatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = WatchMatch
        fields = ["denial", "score", "told_at"]
        read_only_fields = fields
        extra_kwargs = {
            "score": {"help_text": "The score your state was last told of (or saw)."},
            "told_at": {"help_text": "When it was told; null for what the screening showed."},
        }


class WatchSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    matches = WatchMatchSerializer(
        source="readable_matches",
        many=True,
        read_only=True,
        help_text="The denials in force or not that it matched and that you may read.",
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
            "decide_by",
            "status",
            "owner",
            "created_at",
            "decided_at",
            "decided_by",
            "matches",
        ]
        read_only_fields = fields


class WatchWriteSerializer(serializers.Serializer):
    screening = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="The number of a screening by your state (`POST /api/v1/denials/screen/`).",
    )
    application_reference = StrictCharField(max_length=64)
    decide_by = serializers.DateField(help_text="From today to a year from today.")


class WatchDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Decision.choices)
