"""Pages of the watched applications, under Denials: the state's list, watching what
was just screened, a watch's page with what it matches now, and recording the
decision. Every watch is fetched through ``Watch.objects.visible_to(request.user)``
(404 for anyone else); every act is a call to ``sharing.screening.services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms import apply_errors
from sharing.common import services as common
from sharing.common.pages import reads
from sharing.denials.models import Denial
from sharing.denials.services import SCREEN_FIELDS
from sharing.denials.views import match_rows
from sharing.screening import services
from sharing.screening.choices import WatchStatus
from sharing.screening.forms import DecisionForm, WatchForm
from sharing.screening.models import Watch, WatchMatch

ENDED_SHOWN = 25


@login_required
def watch_list(request):
    user = request.user
    services.check_can_watch(user)
    mine = Watch.objects.visible_to(user).select_related("owner").annotate(told=Count("matches"))
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
        {"form": form, "screened": services.screening_of(user.state, number)},
        status=400 if form.errors else 200,
    )


def _render_detail(request, watch: Watch, *, status: int = 200, decision_form=None):
    user = request.user
    current = services.current_matches(watch, by=user) if watch.is_active else []
    told = (
        WatchMatch.objects.filter(watch=watch, denial__in=Denial.objects.visible_to(user))
        .exclude(told_at=None)
        .select_related("denial__state")
        .order_by("-told_at", "pk")
    )
    told = list(told)
    # The page names the parties of the denials it shows: a reading of them.
    shown = {denial.pk: denial for denial, _match in current}
    shown.update((match.denial_id, match.denial) for match in told)
    common.record_reading(shown.values(), by=user, request=request)
    context = {
        "watch": watch,
        "current": match_rows(current, user, {f: getattr(watch, f) for f in SCREEN_FIELDS}),
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
