import django_filters
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.models import State
from portal.countries import local_country_names
from portal.forms import LongSelect
from sharing.common.choices import TLP
from sharing.common.filters import ApiFilterSet, StateFilter
from sharing.notices.choices import NoticeKind, NoticeStatus, Severity
from sharing.notices.models import Notice, TechnologyCategory

SEVERITY_RANK = Case(
    *(When(severity=value, then=Value(rank)) for rank, value in enumerate(Severity.values)),
    output_field=IntegerField(),
)


class NoticeFilterSet(django_filters.FilterSet):
    """Filters of the notice list (and, later, the API), applied on top of
    ``Notice.objects.visible_to(user)``: they narrow what may be seen, never widen it."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=NoticeKind.choices, empty_label=_("Any kind")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Technology category"),
        field_name="categories",
        to_field_name="slug",
        queryset=TechnologyCategory.objects.all(),
        empty_label=_("Any category"),
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=Severity.choices, empty_label=_("Any severity")
    )
    tlp = django_filters.ChoiceFilter(
        label=_("TLP marking"), choices=TLP.choices, empty_label=_("Any marking")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country of concern"),
        field_name="concern_countries__code",
        choices=lambda: list(local_country_names().items()),
        empty_label=_("Any country"),
        widget=LongSelect,
    )
    author_state = StateFilter(
        label=_("Author state"), queryset=State.objects.all(), empty_label=_("Any state")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=NoticeStatus.choices, empty_label=_("Any status")
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        empty_label=_("Newest first"),
        choices=[
            ("oldest", _("Oldest first")),
            ("severity", _("Most severe first")),
            ("title", _("Title")),
            ("updated", _("Recently changed")),
        ],
        method="sort_by",
    )

    class Meta:
        model = Notice
        fields = ["kind", "category", "severity", "tlp", "country", "author_state", "status"]

    def sort_by(self, queryset, name, value):
        # Every ordering ends on the primary key, so pages never repeat or skip a row.
        if value == "oldest":
            return queryset.order_by("published_at", "created_at", "pk")
        if value == "severity":
            return queryset.alias(rank=SEVERITY_RANK).order_by("-rank", "-published_at", "pk")
        if value == "title":
            return queryset.order_by("title", "pk")
        if value == "updated":
            return queryset.order_by("-updated_at", "pk")
        return queryset


class NoticeApiFilterSet(ApiFilterSet, NoticeFilterSet):
    sort = None  # the order is the cursor's

    class Meta(NoticeFilterSet.Meta):
        fields = [*NoticeFilterSet.Meta.fields, "updated_since", "q"]
