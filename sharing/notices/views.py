"""Pages for threat and risk notices. Every notice is fetched through
``Notice.objects.visible_to(request.user)`` (404 when invisible); every change is a
call to ``sharing.notices.services`` (403 when the role may not, form errors when the input is
wrong)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from portal.forms import apply_errors
from sharing.common import exports as common_exports
from sharing.common import services as common
from sharing.common.forms import formset_rows
from sharing.common.pages import (
    Confirmation,
    ItemFormPages,
    confirm,
    decide,
    delete_draft,
    earlier_versions_hidden,
    filtered,
    other_params,
    paginate,
    readable_history,
    reads,
    review,
    submitted_instead,
    with_diffs,
)
from sharing.common.querysets import approval_record, recipient_states
from sharing.notices import exports, services
from sharing.notices.filters import NoticeFilterSet
from sharing.notices.forms import (
    AcknowledgeForm,
    AmendForm,
    CommentForm,
    EntityFormSet,
    NoticeForm,
    WithdrawForm,
)
from sharing.notices.models import Acknowledgement, Comment, Notice

PAGE_SIZE = 25
# What an approver is shown changing in an amendment, besides the text.
AMENDABLE_FIELDS = {
    "tlp": gettext_lazy("Marking"),
    "audience": gettext_lazy("Audience"),
    "recipient_states": gettext_lazy("Recipient states"),
    "kind": gettext_lazy("Kind"),
    "severity": gettext_lazy("Severity"),
    "categories": gettext_lazy("Technology categories"),
    "control_codes": gettext_lazy("Control-list codes"),
    "countries_of_concern": gettext_lazy("Countries of concern"),
    "entities": gettext_lazy("Entities of concern"),
    "valid_until": gettext_lazy("Valid until"),
}


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


@login_required
def notice_export(request):
    """The list, with its filters, as CSV (docs/interfaces.md, "Exports")."""
    notices = Notice.objects.visible_to(request.user).with_content()
    return common_exports.page_export(
        request,
        NoticeFilterSet(request.GET or None, queryset=notices),
        list_url=reverse("sharing:notice-list"),
        kind="notices",
        lines=exports.csv_file,
    )


def _detail_queryset(user):
    return (
        Notice.objects.visible_to(user)
        .with_content()
        .prefetch_related(
            "entities__registry_links",  # "In the registry" (sharing_tags.registry_url)
            *readable_history(user, of="notice"),
            *approval_record(),
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
@reads(_detail_queryset)
def notice_detail(request, notice):
    common.opened(notice, by=request.user)
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
        "review": review(notice, user, services, AMENDABLE_FIELDS),
        "rejection": services.rejection_shown(notice, user),
        # Its industry advisories the reader may read (an advisory's own rule).
        "advisories": list(notice.advisories.visible_to(user).order_by("created_at", "pk")),
    }
    return render(request, "sharing/notices/detail.html", context, status=status)


class _NoticeForms(ItemFormPages):
    """A notice's form pages add the formset of its named entities; the form shows a
    notice's content, so its reading is audited."""

    name, folder, owner = "notice", "notices", "author_state"
    form_class, amend_form_class = NoticeForm, AmendForm
    created = gettext_lazy("Draft saved. Only your state's officers and admins see it.")
    amend_refused = gettext_lazy("Only a published notice can be amended.")

    def extra_forms(self, request, item, initial):
        if request.method == "POST":
            return {"formset": EntityFormSet(request.POST, prefix="entities")}
        return {
            "formset": EntityFormSet(prefix="entities", initial=(initial or {}).get("entities"))
        }

    def content(self, form, extra):
        return {**form.content(), "entities": formset_rows(extra["formset"])}

    def shown(self, request, item):
        common.record_reading([item], by=request.user, request=request)


_FORMS = _NoticeForms(services)


@login_required
def notice_create(request):
    return _FORMS.create(request)


@login_required
@reads(Notice.objects.visible_to)
def notice_edit(request, notice):
    return _FORMS.edit(request, notice)


@login_required
@reads(Notice.objects.visible_to)
def notice_amend(request, notice):
    return _FORMS.amend(request, notice)


@login_required
@reads(_detail_queryset)
def notice_publish(request, notice):
    services.check_can_change(notice, request.user)
    if not notice.is_draft:
        return redirect("sharing:notice-detail", pk=notice.pk)
    problems = []
    if request.method == "GET":
        try:
            services.clean(services.content_of(notice), author=notice.author_state)
        except ValidationError as error:
            problems = error.messages
    recipients = [str(state) for state in recipient_states(notice)]
    page = Confirmation(
        heading=_("Publish this notice?"),
        lead=notice.title,
        tlp=notice.tlp,
        explanation=[
            ngettext(
                "It will be shared with %(count)d state, which will be told at once and "
                "asked to acknowledge it:",
                "It will be shared with %(count)d states, which will be told at once and "
                "asked to acknowledge it:",
                len(recipients),
            )
            % {"count": len(recipients)},
            _("A published notice cannot be deleted: it can be amended or withdrawn."),
        ],
        listing=recipients,
        submit=_("Publish"),
        problems_intro=_("The draft cannot be published yet:"),
        fix=(reverse("sharing:notice-edit", args=[notice.pk]), _("Edit the draft")),
    )
    page, act, done = submitted_instead(
        notice,
        services,
        "publish",
        page,
        services.publish,
        _("Published. The recipient states are being told."),
    )
    return confirm(request, notice, page, act=act, done=done, problems=problems)


@login_required
@reads(Notice.objects.visible_to)
def notice_withdraw(request, notice):
    services.check_can_change(notice, request.user)
    if not notice.is_published:
        return redirect("sharing:notice-detail", pk=notice.pk)
    page = Confirmation(
        heading=_("Withdraw %(ref)s?") % {"ref": notice.reference},
        lead=notice.title,
        tlp=notice.tlp,
        explanation=[
            _(
                "Recipients are told. The notice stays readable, under a banner giving your "
                "reason, and can no longer be amended."
            )
        ],
        submit=_("Withdraw the notice"),
        danger=True,
    )
    advisories = notice.advisories.exclude(reference=None).filter(withdrawn_at=None)
    references = list(advisories.values_list("reference", flat=True))
    if references:
        page.explanation.append(
            _("Its industry advisories are withdrawn with it: %(references)s.")
            % {"references": ", ".join(references)}
        )
    page, act, done = submitted_instead(
        notice, services, "retire", page, services.withdraw, _("The notice has been withdrawn.")
    )
    form = WithdrawForm(request.POST or None)
    return confirm(request, notice, page, act=act, done=done, form=form)


@login_required
@require_POST
@reads(Notice.objects.visible_to)
def notice_approval(request, notice):
    return decide(request, notice, services)


@login_required
@reads(Notice.objects.visible_to)
def notice_delete(request, notice):
    services.check_can_change(notice, request.user)
    if not notice.is_unpublished:
        # Offered for drafts only; a request sent anyway is told why nothing happened.
        if request.method == "POST":
            messages.error(request, services.NoticeLifecycle.refusals["delete_published"])
        return redirect("sharing:notice-detail", pk=notice.pk)
    return delete_draft(
        request,
        notice,
        act=services.delete,
        explanation=_("The draft and its files are deleted for good. Nothing was shared yet."),
        then=reverse("sharing:notice-list"),
    )


@login_required
@require_POST
@reads(_detail_queryset)
def notice_acknowledge(request, notice):
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
                        "state": str(request.user.state),
                        "level": result.acknowledgement.get_level_display(),
                    },
                )
            else:
                messages.info(request, _("Your state had already acknowledged this version."))
            return redirect(f"{notice.get_absolute_url()}#acknowledgement")
    return _render_detail(request, notice, ack_form=form, status=400)


@login_required
@require_POST
@reads(_detail_queryset)
def notice_comment(request, notice):
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
