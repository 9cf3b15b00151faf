"""Pages of screening, under Denials: screening an application, the state's watched
applications, watching what was just screened, a watch's page with what it matches
now, and recording the decision. Every watch is fetched through
``Watch.objects.visible_to(request.user)`` (404 for anyone else); every act is a call to
``sharing.screening.services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms import apply_errors
from sharing.common import services as common
from sharing.common.pages import reads
from sharing.denials.forms import ScreeningForm
from sharing.denials.services import SCREEN_FIELDS
from sharing.denials.views import match_rows
from sharing.screening import services
from sharing.screening.choices import WatchStatus
from sharing.screening.forms import DecisionForm, WatchForm
from sharing.screening.models import Watch, WatchMatch

ENDED_SHOWN = 25


def notice_rows(named) -> list[dict]:
    """What the cards of the notices a screening matched show
    (templates/sharing/screening/_notice_match.html)."""
    return [{"notice": notice, "match": match} for notice, match in named]


@login_required
def screening(request):
    """Screen an application: the denials and the alerts in force that match it."""
    user = request.user
    services.check_can_watch(user)  # those who screen
    form = ScreeningForm(request.POST if request.method == "POST" else None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.screen(by=user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
    context = {"form": form, "result": result, "rows": [], "notices": []}
    if result is not None:
        context["rows"] = match_rows(result.matches, user, result.screening.query)
        context["notices"] = notice_rows(result.notices)
    return render(
        request,
        "sharing/screening/screen.html",
        context,
        status=400 if form.errors else 200,
    )


@login_required
def watch_list(request):
    user = request.user
    services.check_can_watch(user)
    readable = WatchMatch.objects.visible_to(user).values("pk")
    mine = (
        Watch.objects.visible_to(user)
        .select_related("owner")
        .annotate(told=Count("matches", filter=Q(matches__in=readable)))
    )
    return render(
        request,
        "sharing/screening/list.html",
        {
            "active": list(mine.active()),
            "ended": list(
                mine.exclude(pk__in=mine.active().values("pk")).order_by("-decide_by", "pk")[
                    :ENDED_SHOWN
                ]
            ),
        },
    )


@login_required
def watch_create(request):
    """Watch what a screening held: posted from the screening page, or shown again with
    what was wrong."""
    user = request.user
    services.check_can_watch(user)
    if request.method == "POST":
        form = WatchForm(request.POST)
        if form.is_valid():
            try:
                made = services.create(by=user, request=request, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(reference)s is watched until %(day)s.")
                    % {
                        "reference": made.application_reference,
                        "day": date_format(made.decide_by, "DATE_FORMAT"),
                    },
                )
                return redirect(made)
        number = request.POST.get("screening", "")
    else:
        number = request.GET.get("screening", "")
        form = WatchForm(initial={"screening": number})
    return render(
        request,
        "sharing/screening/form.html",
        {"form": form, "screened": services.screening_of(user, number)},
        status=400 if form.errors else 200,
    )


def _render_detail(request, watch: Watch, *, status: int = 200, decision_form=None):
    user = request.user
    current, named = services.current_matches(watch, by=user) if watch.is_active else ([], [])
    told = list(
        WatchMatch.objects.visible_to(user)
        .filter(watch=watch)
        .exclude(told_at=None)
        .select_related("denial__state", "notice__author_state")
        .order_by("-told_at", "pk")
    )
    # The page names the parties and entities of the items it shows: readings of them.
    denials_shown = {denial.pk: denial for denial, _match in current}
    denials_shown.update((m.denial_id, m.denial) for m in told if m.denial_id)
    notices_shown = {notice.pk: notice for notice, _match in named}
    notices_shown.update((m.notice_id, m.notice) for m in told if m.notice_id)
    common.record_reading(denials_shown.values(), by=user, request=request)
    common.record_reading(notices_shown.values(), by=user, request=request)
    context = {
        "watch": watch,
        "current": match_rows(current, user, {f: getattr(watch, f) for f in SCREEN_FIELDS}),
        "notices": notice_rows(named),
        "told": told,
        "can_decide": watch.is_active and watch.state_id == user.state_id,
        "decision_form": decision_form or DecisionForm(),
    }
    return render(request, "sharing/screening/detail.html", context, status=status)


def _watches(user):
    return Watch.objects.visible_to(user).select_related("owner", "decided_by", "state")


@login_required
@reads(_watches)
def watch_detail(request, watch):
    common.opened(watch, by=request.user)  # reads its new matches in the inbox
    return _render_detail(request, watch)


@login_required
@require_POST
@reads(_watches)
def watch_decide(request, watch):
    services.check_can_decide(watch, request.user)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decided = services.decide(watch, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Decision recorded: %(outcome)s. The application is no longer watched.")
                % {"outcome": WatchStatus(decided.status).label},
            )
            return redirect(decided)
    return _render_detail(request, watch, status=400, decision_form=form)
