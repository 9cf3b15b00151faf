"""The in-app inbox: everyone's own notifications, read through
``Notification.objects.visible_to(request.user)``, so nobody sees a line about an item
they can no longer open."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.db import planner
from sharing.common.pages import filtered, other_params, paginate
from sharing.notifications import caching, services
from sharing.notifications.filters import NotificationFilterSet
from sharing.notifications.models import Notification

PAGE_SIZE = 25


def _back(request, default: str):
    """Back to the inbox page the form was sent from (same site only)."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


@login_required
def inbox(request):
    notifications = (
        Notification.objects.visible_to(request.user)
        .select_related(
            "notice__author_state",
            "best_practice__lead_state",
            "denial__state",
            "advisory__author_state",
            "consultation__consulting_state",
            "watch",
            "event__state",
        )
        .without_long_texts()
        # Unread first, then newest first; the primary key keeps pages stable.
        .order_by(F("read_at").desc(nulls_first=True), "-created_at", "-pk")
    )
    filterset = NotificationFilterSet(request.GET or None, queryset=notifications)
    results, valid = filtered(filterset)
    # The page starts from the reader's own notifications (an index on the user) and
    # joins ten tables to them by primary key: the order written is the one to take.
    # PostgreSQL spent three times as long choosing among the others as running the
    # query (docs/architecture.md, "Performance").
    with planner(join_collapse_limit="1", from_collapse_limit="1"):
        page = paginate(request, results, PAGE_SIZE)
        page.object_list = list(page.object_list)
    return render(
        request,
        "sharing/notifications/list.html",
        {
            "filter": filterset,
            "page": page,
            "query": other_params(request),
        },
        status=200 if valid else 400,
    )


@require_POST
@login_required
def notification_read(request, pk):
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.mark_read(notification, by=request.user)
    return _back(request, "sharing:inbox")


@require_POST
@login_required
def notification_read_all(request):
    count = services.mark_all_read(by=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count}
        if count
        else _("Nothing was unread."),
    )
    return _back(request, "sharing:inbox")


@require_GET
@never_cache
def unread_count(request):
    """For the badge in the navigation, asked again every few seconds by open pages.
    JSON, and 401 rather than a redirect to the sign-in page once the session ends."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "not signed in"}, status=401)
    count = caching.unread_count(request.user)
    label = ngettext("%(count)d unread notification", "%(count)d unread notifications", count) % {
        "count": count
    }
    return JsonResponse({"unread": count, "label": label})
