"""The implementation report's pages and CSV file: a year's figures, as
``sharing.reports.disclosure`` lets the reader see them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.forms import saved
from sharing.reports import exports, figures, pack, pages, services
from sharing.reports.disclosure import check_may_read, disclosed
from sharing.reports.forms import QuestionnaireForm
from sharing.reports.models import Submission


def _year(year: int) -> int:
    if not figures.reported(year):
        raise Http404(_("There is no report for that year."))
    return year


@require_GET
@login_required
def report_index(request):
    """The reports open on this year's."""
    check_may_read(request.user)
    return redirect("sharing:report", year=figures.this_year())


@require_GET
@login_required
def report_page(request, year: int):
    seen = disclosed(figures.report(_year(year)), request.user)
    context = pages.report_context(seen, year)
    context["years"] = list(range(figures.this_year(), figures.FIRST_YEAR - 1, -1))
    return render(request, "sharing/reports/report.html", context)


@require_GET
@login_required
def report_pack(request, year: int):
    """The plenary pack as a PDF: what every state may read (sharing/reports/pack.py)."""
    check_may_read(request.user)
    try:
        document = pack.render_pdf(_year(year), request=request)
    except pack.Unavailable:
        messages.error(
            request,
            _(
                "The PDF cannot be made on this server: the Pango library it needs is "
                "missing. The figures are on this page and in the CSV file."
            ),
        )
        return redirect("sharing:report", year=year)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="implementation-{year}.pdf"'
    return response


@require_GET
@login_required
def report_csv(request, year: int):
    """The year's figures as the reader sees them on the page, one line per figure and
    state: the reader's own, the community's ("ALL"), and each state named."""
    seen = disclosed(figures.report(_year(year)), request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="implementation-{year}.csv"'
    exports.write_csv(seen, response)
    return response


# --- The questionnaire --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def questionnaire(request, year: int):
    """Our state's answers for the year: saved as a draft by its officers and admins,
    submitted by an admin; every submission listed below."""
    year = _year(year)
    state = services.check_can_read(request.user)
    current = services.questionnaire_of(state, year)
    submissions = list(current.submissions.select_related("submitted_by")) if current else []
    can_write = services.can_write(request.user)
    can_submit = services.can_submit(request.user)
    initial = dict(current.answers) if current else {}
    initial["shareable"] = submissions[0].shareable if submissions else False
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        can_submit=can_submit,
    )
    if request.method == "POST":
        services.check_can_write(request.user)  # before the form says anything
        submitting = "submit" in request.POST
        if form.is_valid():
            if submitting:
                done = saved(
                    request,
                    form,
                    lambda: services.submit(
                        year,
                        by=request.user,
                        request=request,
                        answers=form.answers(),
                        shareable=form.cleaned_data.get("shareable", False),
                    ),
                    done=_("Questionnaire submitted."),
                    then=request.path,
                )
            else:
                done = saved(
                    request,
                    form,
                    lambda: services.save(
                        year, by=request.user, request=request, answers=form.answers()
                    ),
                    done=_("Draft saved. Only your state's users read it."),
                    then=request.path,
                )
            if done:
                return done
    return render(
        request,
        "sharing/reports/questionnaire.html",
        {
            "year": year,
            "state": state,
            "form": form,
            "questionnaire": current,
            "submissions": submissions,
            "read_answers": pages.answered(initial),
            "can_write": can_write,
            "can_submit": can_submit,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def answers(request, year: int):
    """The answers states shared for the year (their latest submission, where they
    marked it shareable), and, for platform staff, which states submitted."""
    year = _year(year)
    check_may_read(request.user)
    staff = request.user.is_platform_staff
    return render(
        request,
        "sharing/reports/answers.html",
        {
            "year": year,
            "shared": pages.shared_answers(Submission.objects.visible_to(request.user), year),
            "status": services.submission_status(year) if staff else None,
        },
    )
