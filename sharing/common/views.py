"""Attachment downloads and removals, for notices and best practices alike."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharing.common import services
from sharing.common.models import Attachment
from sharing.notices import services as notices
from sharing.practices import services as practices


def download_response(attachment, request) -> FileResponse:
    """The file of an attachment already fetched through ``visible_to``, as a download
    that no browser renders, audited. For the pages and the API alike."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    services.record_download(attachment, by=request.user, request=request)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.download_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response


def attachment_download(request, pk):
    """A file, to whoever may read what it is attached to (anyone, for a public best
    practice); always as a download, never rendered by the browser, always audited."""
    attachment = get_object_or_404(
        Attachment.objects.visible_to(request.user).select_related("notice", "best_practice"),
        pk=pk,
    )
    return download_response(attachment, request)


@require_POST
def attachment_remove(request, pk):
    if not request.user.is_authenticated:
        raise Http404
    attachment = get_object_or_404(
        Attachment.objects.visible_to(request.user).select_related("notice", "best_practice"),
        pk=pk,
    )
    if attachment.notice_id:
        remove, edit_page = notices.detach, "sharing:notice-edit"
    else:
        remove, edit_page = practices.detach, "sharing:practice-edit"
    parent = attachment.parent
    try:
        remove(attachment, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s has been removed.") % {"name": attachment.filename})
    return redirect(edit_page, pk=parent.pk)
