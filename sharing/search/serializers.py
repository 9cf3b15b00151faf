"""What the API reads and writes.

Output serializers describe objects already fetched through ``visible_to``. Input
serializers check only the shape of what is sent (types, enumerations, lengths) so
that the OpenAPI document can describe it; every rule (who may, what is valid together,
what a state may name) is the services' business, and their ``ValidationError`` comes
back as the same ``{"field": ["message"]}`` 400.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sharing.common.choices import TLP
from sharing.common.serializers import absolute


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
