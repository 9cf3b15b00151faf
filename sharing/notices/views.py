"""Pages for threat and risk notices. Every notice is fetched through
``Notice.objects.visible_to(request.user)`` (404 when invisible); every change is a
call to ``sharing.services`` (403 when the role may not, form errors when the input is
wrong)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms import apply_errors
from sharing.common import services as common
from sharing.common.pages import (
    earlier_versions_hidden,
    filtered,
    other_params,
    paginate,
    readable_history,
    with_diffs,
)
from sharing.common.querysets import recipient_states
from sharing.notices import services
from sharing.notices.filters import NoticeFilterSet
from sharing.notices.forms import (
    AcknowledgeForm,
    AmendForm,
    CommentForm,
    EntityFormSet,
    NoticeForm,
    WithdrawForm,
    entities_from,
)
from sharing.notices.models import Acknowledgement, Comment, Notice
from sharing.notifications import services as notifications

PAGE_SIZE = 25


def _visible(request, pk) -> Notice:
    return get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)


@login_required
def notice_list(request):
    notices = Notice.objects.visible_to(request.user).for_list()
    filterset = NoticeFilterSet(request.GET or None, queryset=notices)
    results, _valid = filtered(filterset)
    can_create = common.can_author(request.user)
    return render(
        request,
        "sharing/notices/list.html",
        {
            "filter": filterset,
            "page": paginate(request, results, PAGE_SIZE),
            "query": other_params(request),
            "can_create": can_create,
        },
    )


def _detail_queryset(user):
    return (
        Notice.objects.visible_to(user)
        .with_content()
        .prefetch_related(
            *readable_history(user),
            Prefetch(
                "acknowledgements",
                queryset=Acknowledgement.objects.select_related("state", "by"),
            ),
            Prefetch(
                "comments",
                queryset=Comment.objects.visible_to(user).select_related("author", "state"),
            ),
        )
    )


@login_required
def notice_detail(request, pk):
    notice = get_object_or_404(_detail_queryset(request.user), pk=pk)
    notifications.mark_read_about(notice, by=request.user)
    return _render_detail(request, notice)


def _render_detail(request, notice, *, ack_form=None, comment_form=None, status=200):
    """The notice page; the acknowledgement and comment forms come back here, bound and
    with their errors, when what was sent is refused."""
    user = request.user
    # Every showing of the page is a reading, a refused form shown again included.
    history = notice.readable_revisions
    common.record_reading([notice], by=user, request=request, history=history)
    revisions = with_diffs(history)
    panel = services.acknowledgement_panel(notice, user)
    own = panel.own
    if ack_form is None:
        current = own.acknowledgement if own and own.current else None
        ack_form = AcknowledgeForm(initial={"level": current.level} if current else None)
    context = {
        "notice": notice,
        "revisions": revisions,
        "earlier_hidden": earlier_versions_hidden(revisions),
        "ack": panel,
        "can_edit": services.can_change(notice, user),
        "can_comment": services.can_comment(notice, user),
        "ack_form": ack_form,
        "comment_form": comment_form or CommentForm(),
    }
    return render(request, "sharing/notices/detail.html", context, status=status)


def _notice_form_page(
    request, *, notice=None, form_class=NoticeForm, template, save, form_kwargs=None
):
    """The create, edit and amend pages: a notice form, an entity formset, and ``save``
    (a service call) that turns the cleaned values into a notice."""
    author_state = notice.author_state if notice else request.user.state
    form_kwargs = {"author_state": author_state, **(form_kwargs or {})}
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **form_kwargs)
        formset = EntityFormSet(request.POST, prefix="entities")
        if form.is_valid() and formset.is_valid():
            content = form.content()
            content["entities"] = entities_from(formset)
            try:
                saved = save(form, content)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("sharing:notice-detail", pk=saved.pk)
    else:
        initial = services.content_of(notice) if notice else {}
        form = form_class(initial=initial, **form_kwargs)
        formset = EntityFormSet(
            prefix="entities", initial=initial.get("entities") if notice else None
        )
    status = 400 if request.method == "POST" else 200
    if notice is not None:  # the form shows the notice's content
        common.record_reading([notice], by=request.user, request=request)
    return render(
        request,
        template,
        {"form": form, "formset": formset, "notice": notice},
        status=status,
    )


@login_required
def notice_create(request):
    common.check_can_author(request.user)

    def save(form, content):
        notice = services.create(
            by=request.user,
            request=request,
            attachments=form.cleaned_data["attachments"],
            **content,
        )
        messages.success(request, _("Draft saved. Only your state's officers and admins see it."))
        return notice

    return _notice_form_page(request, template="sharing/notices/form.html", save=save)


@login_required
def notice_edit(request, pk):
    notice = _visible(request, pk)
    services.check_can_change(notice, request.user)
    if not notice.is_draft:
        return redirect("sharing:notice-amend", pk=notice.pk)

    def save(form, content):
        saved = services.update(
            notice,
            by=request.user,
            request=request,
            attachments=form.cleaned_data["attachments"],
            **content,
        )
        messages.success(request, _("Draft saved."))
        return saved

    return _notice_form_page(
        request, notice=notice, template="sharing/notices/form.html", save=save
    )


@login_required
def notice_amend(request, pk):
    notice = _visible(request, pk)
    services.check_can_change(notice, request.user)
    if not notice.is_published:
        messages.error(request, _("Only a published notice can be amended."))
        return redirect("sharing:notice-detail", pk=notice.pk)

    def save(form, content):
        saved = services.amend(
            notice, by=request.user, request=request, **form.amendment(), **content
        )
        messages.success(request, _("Version %(v)d published.") % {"v": saved.version})
        return saved

    return _notice_form_page(
        request,
        notice=notice,
        form_class=AmendForm,
        template="sharing/notices/amend.html",
        save=save,
        form_kwargs={"current_files": notice.attachments.current()},
    )


@login_required
def notice_publish(request, pk):
    notice = get_object_or_404(_detail_queryset(request.user), pk=pk)
    services.check_can_change(notice, request.user)
    if not notice.is_draft:
        return redirect("sharing:notice-detail", pk=notice.pk)
    problems = []
    if request.method == "POST":
        try:
            services.publish(notice, by=request.user, request=request)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("Published. The recipient states are being told."))
            return redirect("sharing:notice-detail", pk=notice.pk)
    else:
        try:
            services.clean(services.content_of(notice), author=notice.author_state)
        except ValidationError as error:
            problems = error.messages
    return render(
        request,
        "sharing/notices/publish.html",
        {
            "notice": notice,
            "recipients": recipient_states(notice),
            "problems": problems,
        },
        status=400 if problems and request.method == "POST" else 200,
    )


@login_required
def notice_withdraw(request, pk):
    notice = _visible(request, pk)
    services.check_can_change(notice, request.user)
    if not notice.is_published:
        return redirect("sharing:notice-detail", pk=notice.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(
                notice, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The notice has been withdrawn."))
            return redirect("sharing:notice-detail", pk=notice.pk)
    return render(
        request,
        "sharing/notices/withdraw.html",
        {"notice": notice, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def notice_delete(request, pk):
    notice = _visible(request, pk)
    services.check_can_change(notice, request.user)
    if request.method == "POST":
        try:
            services.delete(notice, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("sharing:notice-detail", pk=notice.pk)
        messages.success(request, _("The draft has been deleted."))
        return redirect("sharing:notice-list")
    if not notice.is_draft:
        return redirect("sharing:notice-detail", pk=notice.pk)
    return render(request, "sharing/notices/delete.html", {"notice": notice})


@login_required
@require_POST
def notice_acknowledge(request, pk):
    notice = get_object_or_404(_detail_queryset(request.user), pk=pk)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            result = services.acknowledge(
                notice,
                by=request.user,
                level=form.cleaned_data["level"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if result.changed:
                messages.success(
                    request,
                    _("Acknowledged for %(state)s: %(level)s.")
                    % {
                        "state": request.user.state.name,
                        "level": result.acknowledgement.get_level_display(),
                    },
                )
            else:
                messages.info(request, _("Your state had already acknowledged this version."))
            return redirect(f"{notice.get_absolute_url()}#acknowledgement")
    return _render_detail(request, notice, ack_form=form, status=400)


@login_required
@require_POST
def notice_comment(request, pk):
    notice = get_object_or_404(_detail_queryset(request.user), pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment(
                notice, by=request.user, body=form.cleaned_data["body"], request=request
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Comment posted."))
            return redirect(f"{notice.get_absolute_url()}#discussion")
    return _render_detail(request, notice, comment_form=form, status=400)
