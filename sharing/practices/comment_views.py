"""Public comment windows: the window's public page (the draft's text while it is open,
the comments their writers allowed, the states' replies, a form to comment), the
confirmation of a comment, and the lead state's pages to open, close and reply
(docs/architecture.md, "Public comment windows")."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms import apply_errors
from sharing.api.throttling import CommentRateThrottle
from sharing.common.pages import Confirmation, confirm, public_or_member_page, reads
from sharing.practices import comment_windows
from sharing.practices.forms import CommentWindowForm, PublicCommentForm, ReplyForm
from sharing.practices.models import BestPractice, CommentWindow, PublicComment


def comment_window(request, pk):
    window = get_object_or_404(
        CommentWindow.objects.select_related("best_practice__lead_state"), pk=pk
    )
    practice = window.best_practice
    form = PublicCommentForm(request.POST or None)
    status, sent, limited = 200, False, False
    if request.method == "POST":
        if not CommentRateThrottle().allow_request(request, None):
            limited, status = True, 429
        elif form.is_valid():
            try:
                comment_windows.comment(window, request=request, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
                status = 400
            else:
                sent = True
        else:
            status = 400
    context = {
        "window": window,
        "practice": practice,
        "show_text": window.shows_draft,
        "comments": list(window.comments.visible_to(request.user).select_related("replied_by")),
        "all_comments": comment_windows.can_read_comments(practice, request.user),
        "form": form,
        "sent": sent,
        "limited": limited,
    }
    return public_or_member_page(
        request, "sharing/practices/comment_window.html", context, status=status, shared=False
    )


def comment_confirm(request, token):
    """A GET shows the button (mail scanners open links); a POST confirms."""
    done = None
    if request.method == "POST":
        done = comment_windows.confirm(token)
        if done is None:
            return public_or_member_page(
                request, "sharing/advisories/link_invalid.html", {}, status=404, shared=False
            )
    return public_or_member_page(
        request, "sharing/practices/comment_confirm.html", {"done": done}, shared=False
    )


@login_required
@reads(BestPractice.objects.visible_to)
def comment_window_open(request, practice):
    comment_windows.check_can_open(practice, request.user)
    form = CommentWindowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            window = comment_windows.open_window(
                practice, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The comment window is open: the draft is public."))
            return redirect(window)
    return public_or_member_page(
        request,
        "sharing/practices/comment_window_form.html",
        {"form": form, "practice": practice},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def comment_window_close(request, pk):
    window = get_object_or_404(CommentWindow, pk=pk)
    if (
        not BestPractice.objects.visible_to(request.user)
        .filter(pk=window.best_practice_id)
        .exists()
    ):
        return redirect("sharing:practice-list")
    comment_windows.check_can_open(window.best_practice, request.user)
    page = Confirmation(
        heading=_("Close the comment window now?"),
        lead=window.best_practice.title,
        explanation=[_("The draft's text stops being public; no more comments are taken.")],
        submit=_("Close it"),
    )
    return confirm(request, window, page, act=comment_windows.close_window, done=_("Closed."))


@login_required
@require_POST
def comment_reply(request, pk):
    row = get_object_or_404(PublicComment.objects.select_related("window"), pk=pk)
    if not comment_windows.can_read_comments(row.window.best_practice, request.user):
        return redirect("sharing:practice-list")
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            comment_windows.reply(
                row, by=request.user, request=request, text=form.cleaned_data["reply"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your reply is shown with the comment."))
    else:
        messages.error(request, _("Write a reply."))
    return redirect(f"{row.window.get_absolute_url()}#comment-{row.pk}")
