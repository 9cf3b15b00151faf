"""What answers an address under an API's prefix that names nothing."""

from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.views import APIView


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other address under ``/api/`` or ``/public/``, with any method: a 404 in the
    API's JSON shape, never a page, whatever DEBUG says (Django's own page for an
    unknown address would be HTML). An address that lacks only its final slash says so."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def get(self, request, *args, **kwargs):
        path = request.path_info
        if not path.endswith("/"):
            try:
                match = resolve(f"{path}/")
            except Resolver404:
                match = None
            if match is not None and getattr(match.func, "view_class", None) is not NotFoundView:
                raise exceptions.NotFound(
                    _("Not found. Did you mean %(path)s/ (with a final slash)?") % {"path": path}
                )
        raise exceptions.NotFound(_("Not found."))

    post = put = patch = delete = head = options = get
