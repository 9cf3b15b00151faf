"""The filters of the advisory list: releasing state, technology category and release
date. The same on the public list and the members' one; each shows only what its reader
may read (``visible_to``)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import State
from sharing.advisories.models import Advisory
from sharing.common.filters import StateFilter
from sharing.notices.models import TechnologyCategory


class AdvisoryFilterSet(django_filters.FilterSet):
    state = StateFilter(
        field_name="author_state",
        label=_("Releasing state"),
        queryset=State.objects.none(),
        empty_label=_("Any state"),
    )
    category = django_filters.ModelChoiceFilter(
        field_name="categories",
        label=_("Technology category"),
        queryset=TechnologyCategory.objects.all(),
        to_field_name="slug",
        empty_label=_("Any category"),
    )
    released_after = django_filters.DateFilter(
        field_name="published_at",
        lookup_expr="date__gte",
        label=_("Released on or after"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    released_before = django_filters.DateFilter(
        field_name="published_at",
        lookup_expr="date__lte",
        label=_("Released on or before"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Advisory
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The states offered: those whose advisories the reader may read, nobody else
        # (a visitor does not learn who released something only some may read).
        releasing = self.queryset.order_by().values("author_state")
        self.filters["state"].queryset = State.objects.filter(pk__in=releasing)
