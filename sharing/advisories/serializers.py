"""The public API's shapes (``/public/v1/``): a party to screen, and what comes back."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from portal.countries import validate_country_code
from sharing.advisories.public_screening import DEFAULT_THRESHOLD, MAX_PARTIES
from sharing.common.serializers import StrictCharField, StrictIntegerField


class CountryField(StrictCharField):
    def to_internal_value(self, data):
        code = super().to_internal_value(data).upper()
        if code:
            try:
                validate_country_code(code)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages) from error
        return code


class ScreenedPartySerializer(serializers.Serializer):
    name = StrictCharField(max_length=200, help_text="The name of a party to your transaction.")
    country = CountryField(
        max_length=2,
        required=False,
        allow_blank=True,
        help_text="Its country, ISO 3166-1 alpha-2 (XK for Kosovo): adds 10 points when it is "
        "the entity's.",
    )


class ScreenQuerySerializer(ScreenedPartySerializer):
    threshold = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        default=DEFAULT_THRESHOLD,
        help_text="The lowest score shown.",
    )


class ScreenBatchSerializer(serializers.Serializer):
    parties = ScreenedPartySerializer(many=True, max_length=MAX_PARTIES, min_length=1)
    threshold = StrictIntegerField(
        min_value=0, max_value=100, required=False, default=DEFAULT_THRESHOLD
    )

    def to_internal_value(self, data):
        """A field the API does not take is refused by name, never silently dropped."""
        errors: dict = {}
        if isinstance(data, dict):
            errors.update(
                {key: [_("This field cannot be set.")] for key in set(data) - set(self.fields)}
            )
            parties = data.get("parties")
            allowed = set(ScreenedPartySerializer().fields)
            for number, party in enumerate(parties if isinstance(parties, list) else []):
                unknown = set(party) - allowed if isinstance(party, dict) else set()
                if unknown:
                    errors[f"parties[{number}]"] = [
                        _("This field cannot be set: %(names)s.")
                        % {"names": ", ".join(sorted(unknown))}
                    ]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ListedEntitySerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The same in every version of the list.")
    name = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2, or empty.")
    kind = serializers.CharField()
    identifiers = serializers.ListField(child=serializers.CharField())
    advisory = serializers.CharField(help_text="The reference of the advisory naming it.")
    advisory_url = serializers.URLField()
    state = serializers.CharField(help_text="The state that released the advisory.")
    released = serializers.DateField()


class PublicMatchSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100, help_text="Higher is closer.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it matched.")
    entity = ListedEntitySerializer()


class ScreenResultSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version of the list screened against.")
    party = ScreenedPartySerializer()
    matches = PublicMatchSerializer(many=True)


class ScreenBatchResultSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version of the list screened against.")
    results = ScreenResultSerializer(many=True)


class ListSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    created = serializers.DateTimeField()
    count = serializers.IntegerField()
    sha256 = serializers.CharField(
        help_text="SHA-256 of `entities` as served: JSON with sorted keys, no spaces, UTF-8."
    )
    entities = ListedEntitySerializer(many=True)


class DeltaSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    since = serializers.IntegerField()
    sha256 = serializers.CharField(help_text="Of the whole list at `version`.")
    added = ListedEntitySerializer(many=True, help_text="New or changed: replace by `id`.")
    removed = serializers.ListField(child=serializers.CharField(), help_text="Ids to drop.")
