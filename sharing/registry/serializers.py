"""How the registry reads in the API: an entity as ``services.view_of`` gives it to the
reader (every name, number, address and relation with the item giving it), and the
suggestions awaiting the reader's state."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sharing.common import identifiers as ids
from sharing.common.serializers import PageUrlField, StrictCharField
from sharing.notices.models import Notice
from sharing.registry.choices import RelationKind


def item_brief(item) -> dict:
    kind = "notice" if isinstance(item, Notice) else "denial"
    return {"kind": kind, "id": str(item.pk), "title": item.title, "tlp": item.tlp}


class ItemBriefSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["notice", "denial"], help_text="notice or denial")
    id = serializers.UUIDField()
    title = serializers.CharField(help_text="A denial is named by state and reference.")
    tlp = serializers.CharField(help_text="The item's TLP marking.")


class NameSerializer(serializers.Serializer):
    name = serializers.CharField()
    script = serializers.CharField(help_text="The script it is written in, e.g. Cyrillic.")
    alias = serializers.BooleanField(help_text="An alias rather than the name the item gives.")
    item = ItemBriefSerializer()


class IdentifierSerializer(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=list(ids.SCHEMES), help_text="The kind of number.")
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2; empty for an LEI.")
    value = serializers.CharField(help_text="The number, compact.")
    item = ItemBriefSerializer()


class AddressSerializer(serializers.Serializer):
    address = serializers.CharField()
    country = serializers.CharField()
    item = ItemBriefSerializer()


class RelatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    side = serializers.ChoiceField(
        choices=["subject", "object"], help_text="Which end of the relation this entity is."
    )
    sentence = serializers.CharField(help_text="The relation in words.")
    other = serializers.UUIDField(help_text="The other entity.")
    cited = ItemBriefSerializer(help_text="The item asserting it.")
    state = serializers.CharField(help_text="The state that recorded it.")


class RegistryEntitySerializer(serializers.Serializer):
    """An entity as the reader may see it; ``view`` is ``services.view_of``'s."""

    id = serializers.UUIDField(source="entity.pk")
    url = PageUrlField()
    name = serializers.CharField(help_text="The first name an item you may read gives.")
    names = serializers.SerializerMethodField()
    identifiers = serializers.SerializerMethodField()
    addresses = serializers.SerializerMethodField()
    relations = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    @extend_schema_field(NameSerializer(many=True))
    def get_names(self, view) -> list:
        return [
            {"name": name, "script": script, "alias": alias, "item": item_brief(item)}
            for name, script, alias, item in view.names
        ]

    @extend_schema_field(IdentifierSerializer(many=True))
    def get_identifiers(self, view) -> list:
        return [
            {
                "scheme": each.scheme,
                "country": each.country,
                "value": each.value,
                "item": item_brief(item),
            }
            for each, item in view.identifiers
        ]

    @extend_schema_field(AddressSerializer(many=True))
    def get_addresses(self, view) -> list:
        return [
            {"address": address, "country": country, "item": item_brief(item)}
            for address, country, item in view.addresses
        ]

    @extend_schema_field(RelatedSerializer(many=True))
    def get_relations(self, view) -> list:
        return [
            {
                "id": related.relation.pk,
                "kind": related.relation.kind,
                "side": "subject" if related.relation.subject_id == view.entity.pk else "object",
                "sentence": related.sentence,
                "other": str(related.other.pk),
                "cited": item_brief(related.relation.cited),
                "state": related.relation.state_id,
            }
            for related in view.relations
        ]

    @extend_schema_field(ItemBriefSerializer(many=True))
    def get_items(self, view) -> list:
        return [item_brief(sighting.item) for sighting in view.sightings]


class RelationWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    other = StrictCharField(max_length=36, help_text="The other entity's id.")
    direction = serializers.ChoiceField(
        choices=["from", "to"],
        required=False,
        help_text="from (default): this entity is <kind> the other; to: the other is "
        "<kind> this entity.",
    )
    cited = StrictCharField(
        max_length=50,
        help_text="The asserting item of your state naming this entity: 'notice:<id>' or "
        "'denial:<id>'.",
    )


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    entity = serializers.UUIDField(source="entity_id", help_text="The entity suggested.")
    score = serializers.IntegerField(help_text="How alike, 0 to 100.")
    name = serializers.CharField(source="row.name", help_text="The name your state gave.")
    item = serializers.SerializerMethodField()

    @extend_schema_field(ItemBriefSerializer())
    def get_item(self, link) -> dict:
        return item_brief(link.item)
