"""What answers an address under an API's prefix that names nothing."""

from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.views import APIView


def with_slash(request, catch_all: type) -> str | None:
    """The address with its final slash, when only that is missing (it names a view
    other than ``catch_all``): Django's APPEND_SLASH cannot see it, as the catch-all
    answers every address."""
    path = request.path_info
    if path.endswith("/"):
        return None
    try:
        match = resolve(f"{path}/")
    except Resolver404:
        return None
    if getattr(match.func, "view_class", None) is catch_all:
        return None
    return f"{request.path}/"


def missing_slash(request, catch_all: type):
    """GET and HEAD go on to the address with its slash, as APPEND_SLASH would send
    them; other methods are told (their body would be lost on the way)."""
    target = with_slash(request, catch_all)
    if target is None:
        return None
    if request.method in ("GET", "HEAD"):
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
    raise exceptions.NotFound(
        _("Not found. Did you mean %(path)s/ (with a final slash)?") % {"path": request.path}
    )


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other address under ``/api/`` or ``/public/``, with any method: a 404 in the
    API's JSON shape, never a page, whatever DEBUG says (Django's own page for an
    unknown address would be HTML)."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def get(self, request, *args, **kwargs):
        return missing_slash(request, NotFoundView) or self.not_found()

    def not_found(self):
        raise exceptions.NotFound(_("Not found."))

    post = put = patch = delete = head = options = get
