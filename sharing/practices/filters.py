import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import State
from sharing.common.filters import ApiFilterSet, StateFilter
from sharing.practices.choices import DocType, PracticeStatus
from sharing.practices.models import BestPractice, Topic


class BestPracticeFilterSet(django_filters.FilterSet):
    """The facets of the best-practice library, applied on top of
    ``BestPractice.objects.visible_to(user)``."""

    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        field_name="topics",
        to_field_name="slug",
        queryset=Topic.objects.all(),
        empty_label=_("Any topic"),
    )
    doc_type = django_filters.ChoiceFilter(
        label=_("Document type"), choices=DocType.choices, empty_label=_("Any type")
    )
    lead_state = StateFilter(
        label=_("Lead state"), queryset=State.objects.all(), empty_label=_("Any state")
    )
    endorsed_by = StateFilter(
        label=_("Endorsed or adopted by"),
        field_name="endorsements__state",
        queryset=State.objects.all(),
        empty_label=_("Any state, or none"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PracticeStatus.choices, empty_label=_("Any status")
    )

    class Meta:
        model = BestPractice
        fields = ["topic", "doc_type", "lead_state", "endorsed_by", "status"]


# Which facet each filter belongs to, and the field its counts group by.
PRACTICE_FACETS = {
    "topic": ("topics__slug", "topics__name"),
    "doc_type": ("doc_type", None),
    "lead_state": ("lead_state__code", "lead_state__name"),
    "endorsed_by": ("endorsements__state__code", "endorsements__state__name"),
}


class BestPracticeApiFilterSet(ApiFilterSet, BestPracticeFilterSet):
    class Meta(BestPracticeFilterSet.Meta):
        fields = [*BestPracticeFilterSet.Meta.fields, "updated_since", "q"]
