"""The query strings of the API, looked at before any view reads them."""

from django.http import JsonResponse

from sharing.api import text

# Where the APIs are served (portal/urls.py); the pages' query strings are not their business.
API_PREFIXES = ("/api/", "/public/", "/taxii2/")


class RefuseUnencodableQueryMiddleware:
    """A query parameter of the API whose name or value holds a NUL (``?q=%00``) or a
    lone surrogate is bad input: a 400 in the API's shape (``{"q": ["message"]}``),
    whichever view and filter would have read it, and whether or not any reads it.

    (Django reads bytes that are not UTF-8 in a query string as U+FFFD, so a surrogate
    cannot arrive this way today; the check costs nothing and does not rely on it.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIXES):
            errors = text.problems(request.GET) or text.control_problems(request.GET)
            if errors:
                return JsonResponse(errors, status=400)
        return self.get_response(request)
