import django_filters
from django.utils.translation import gettext_lazy as _

from sharing.common.choices import SILENT_KINDS, EventKind
from sharing.common.filters import RefuseEmptyValues
from sharing.notifications.models import Notification


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
