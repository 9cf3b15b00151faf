"""Attachment downloads and removals, for notices and best practices alike."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sharing.common import services
from sharing.common.lifecycle import lifecycle_of
from sharing.common.models import Attachment
from sharing.common.pages import reads


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


def _attachments(user):
    return Attachment.objects.visible_to(user).select_related("notice", "best_practice")


@reads(_attachments)
def attachment_download(request, attachment):
    """A file, to whoever may read what it is attached to (anyone, for a public best
    practice); always as a download, never rendered by the browser, always audited."""
    return download_response(attachment, request)


@require_POST
@reads(_attachments)
def attachment_remove(request, attachment):
    """Remove a file from a draft, by its kind's lifecycle; back to the draft's form."""
    if not request.user.is_authenticated:
        raise Http404
    parent = attachment.parent
    life = lifecycle_of(parent)
    try:
        life.detach(attachment, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s has been removed.") % {"name": attachment.filename})
    return redirect(life.edit_page, pk=parent.pk)
