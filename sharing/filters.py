import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.models import State
from portal.countries import country_names
from sharing import validators
from sharing.choices import (
    SILENT_KINDS,
    TLP,
    DocType,
    EventKind,
    NoticeKind,
    NoticeStatus,
    PracticeStatus,
    Severity,
)
from sharing.models import BestPractice, Notice, Notification, TechnologyCategory, Topic

SEVERITY_RANK = Case(
    *(When(severity=value, then=Value(rank)) for rank, value in enumerate(Severity.values)),
    output_field=IntegerField(),
)


class NoticeFilterSet(django_filters.FilterSet):
    """Filters of the notice list (and, later, the API), applied on top of
    ``Notice.objects.visible_to(user)``: they narrow what may be seen, never widen it."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=NoticeKind.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Technology category"),
        field_name="categories",
        to_field_name="slug",
        queryset=TechnologyCategory.objects.all(),
    )
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices)
    tlp = django_filters.ChoiceFilter(label=_("TLP marking"), choices=TLP.choices)
    country = django_filters.ChoiceFilter(
        label=_("Country of concern"),
        field_name="concern_countries__code",
        choices=lambda: [(code, name) for code, name in country_names().items()],
    )
    author_state = django_filters.ModelChoiceFilter(
        label=_("Author state"), queryset=State.objects.all()
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=NoticeStatus.choices)
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


class BestPracticeFilterSet(django_filters.FilterSet):
    """The facets of the best-practice library, applied on top of
    ``BestPractice.objects.visible_to(user)``."""

    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        field_name="topics",
        to_field_name="slug",
        queryset=Topic.objects.all(),
    )
    doc_type = django_filters.ChoiceFilter(label=_("Document type"), choices=DocType.choices)
    lead_state = django_filters.ModelChoiceFilter(
        label=_("Lead state"), queryset=State.objects.all()
    )
    endorsed_by = django_filters.ModelChoiceFilter(
        label=_("Endorsed or adopted by"),
        field_name="endorsements__state",
        queryset=State.objects.all(),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PracticeStatus.choices)

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


class NotificationFilterSet(django_filters.FilterSet):
    """Filters of the inbox, applied on top of ``Notification.objects.visible_to(user)``."""

    read = django_filters.ChoiceFilter(
        label=_("Show"),
        empty_label=_("All notifications"),
        choices=[("unread", _("Unread only")), ("read", _("Read only"))],
        method="filter_read",
    )
    kind = django_filters.ChoiceFilter(
        label=_("What happened"),
        empty_label=_("Anything"),
        choices=[(kind.value, kind.label) for kind in EventKind if kind not in SILENT_KINDS],
    )
    about = django_filters.ChoiceFilter(
        label=_("About"),
        empty_label=_("Everything"),
        choices=[
            ("notices", _("Notices")),
            ("practices", _("Best practices")),
            ("denials", _("Licence denials")),
        ],
        method="filter_about",
    )

    class Meta:
        model = Notification
        fields = ["read", "kind", "about"]

    def filter_read(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value == "unread")

    def filter_about(self, queryset, name, value):
        field = {"notices": "notice", "practices": "best_practice", "denials": "denial"}[value]
        return queryset.filter(**{f"{field}__isnull": False})


def _search(queryset, name, value):
    """``q``: the one search (sharing.search), narrowing what is already visible."""
    from sharing import search

    query = search.parse(value)
    return search.matching(queryset, query) if query else queryset


class RefuseEmptyValues:
    """For the API: a parameter sent with no value is a mistake to report (400), not a
    filter to drop silently; a page's form, where empty means "any", does not use it."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        empty = [name for name in self.filters if name in self.data and self.data[name] == ""]
        for name in empty:
            self.form.add_error(name, _("Give a value, or leave the parameter out."))
        return valid and not empty


class ChangedSinceField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment that UTC can hold (one beyond it would overflow on the way to
    the database), given to the database in UTC: Python takes offsets up to ±23:59,
    PostgreSQL only up to ±15:59."""

    def clean(self, value):
        moment = super().clean(value)
        if moment is not None and not validators.within_utc_range(moment):
            raise ValidationError(_("Give a date between the years 1 and 9999."))
        return moment.astimezone(datetime.UTC) if moment is not None else None


class ChangedSinceFilter(django_filters.IsoDateTimeFilter):
    field_class = ChangedSinceField


class ApiFilterSet(RefuseEmptyValues, django_filters.FilterSet):
    """What the API's lists of notices and best practices add to the pages' filters:
    polling for changes (they are ordered by newest change, in cursor pages) and the
    search."""

    updated_since = ChangedSinceFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Changed at or after (ISO 8601, with time zone)"),
    )
    q = django_filters.CharFilter(method=_search, label=_("Search for"))


class NoticeApiFilterSet(ApiFilterSet, NoticeFilterSet):
    sort = None  # the order is the cursor's

    class Meta(NoticeFilterSet.Meta):
        fields = [*NoticeFilterSet.Meta.fields, "updated_since", "q"]


class BestPracticeApiFilterSet(ApiFilterSet, BestPracticeFilterSet):
    class Meta(BestPracticeFilterSet.Meta):
        fields = [*BestPracticeFilterSet.Meta.fields, "updated_since", "q"]


class NotificationApiFilterSet(RefuseEmptyValues, django_filters.FilterSet):
    unread = django_filters.ChoiceFilter(
        choices=[("true", _("Unread only")), ("false", _("Read only"))],
        method="filter_unread",
        label=_("true: unread only; false: read only"),
    )

    class Meta:
        model = Notification
        fields = ["unread"]

    def filter_unread(self, queryset, name, value):
        unread = queryset.unread()
        return unread if value == "true" else queryset.exclude(pk__in=unread.values("pk"))
