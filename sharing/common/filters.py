import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms import ShownOrder
from portal.moments import within_utc_range
from sharing.common import textsearch

EMPTY = _("Give a value, or leave the parameter out.")


class RefuseEmptyValues:
    """For the API: a parameter sent with no value is a mistake to report (400), not a
    filter to drop silently; a page's form, where empty means "any", does not use it."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        empty = [name for name in self.filters if name in self.data and self.data[name] == ""]
        for name in empty:
            self.form.add_error(name, EMPTY)
        return valid and not empty


class ChangedSinceField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment that UTC can hold (one beyond it would overflow on the way to
    the database), given to the database in UTC: Python takes offsets up to ±23:59,
    PostgreSQL only up to ±15:59."""

    def clean(self, value):
        moment = super().clean(value)
        if moment is not None and not within_utc_range(moment):
            raise ValidationError(_("Give a date between the years 1 and 9999."))
        return moment.astimezone(datetime.UTC) if moment is not None else None


class ChangedSinceFilter(django_filters.IsoDateTimeFilter):
    field_class = ChangedSinceField


def _search(queryset, name, value):
    """``q``: the one search, narrowing what is already visible."""
    query = textsearch.parse(value)
    return textsearch.matching(queryset, query) if query else queryset


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


class _StateField(django_filters.fields.ModelChoiceField):
    iterator = ShownOrder


class StateFilter(django_filters.ModelChoiceFilter):
    """A filter by state, its choices in the order of the names the reader sees."""

    field_class = _StateField
