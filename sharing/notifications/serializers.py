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
from sharing.notifications.models import Notification

SUBJECT_TYPES = ["notice", "best_practice", "denial", "advisory"]


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
            "watch",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "watch": {"help_text": "The watched application a new match is about (else null)."}
        }

    @extend_schema_field(serializers.ChoiceField(choices=SUBJECT_TYPES))
    def get_subject_type(self, notification) -> str:
        if notification.notice_id:
            return "notice"
        if notification.advisory_id:
            return "advisory"
        return "best_practice" if notification.best_practice_id else "denial"

    @extend_schema_field({"type": "string", "format": "uuid"})
    def get_subject_id(self, notification) -> str:
        return str(
            notification.notice_id
            or notification.best_practice_id
            or notification.denial_id
            or notification.advisory_id
        )

    def get_title(self, notification) -> str:
        return notification.subject.title

    @extend_schema_field({"type": "string", "nullable": True})
    def get_reference(self, notification) -> str | None:
        """A notice's or an advisory's reference, a denial's national reference (best
        practices have none)."""
        if notification.notice_id:
            return notification.notice.reference
        if notification.advisory_id:
            return notification.advisory.reference
        return notification.denial.national_reference if notification.denial_id else None

    @extend_schema_field(serializers.ChoiceField(choices=TLP.choices, allow_null=True))
    def get_tlp(self, notification) -> str | None:
        """The marking of the notice, denial or advisory (best practices carry none)."""
        marked = notification.notice or notification.denial or notification.advisory
        return marked.tlp if marked is not None else None

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, notification) -> str:
        return absolute(self.context.get("request"), notification.get_absolute_url())
