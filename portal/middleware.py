from django.core.signals import request_finished, request_started

from portal import logging as portal_logging


class ContentSecurityPolicyMiddleware:
    """Send a strict Content-Security-Policy: every script, style and font comes from
    our own static files, nothing is framed, and forms post only to us. Pages carry no
    inline script or style, so nothing else is needed."""

    POLICY = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        return response


class PrivateByDefaultMiddleware:
    """Answers are ``Cache-Control: private, no-store`` unless a view made one public and
    the reader is anonymous: what a signed-in official (or an API token) is shown, files
    included, is never kept by a browser's cache or a proxy. Only the public best-practice
    pages, read without signing in, keep the public caching their view gives them.
    Static files are served before this (whitenoise) and keep theirs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        directives = {d.strip().lower() for d in response.get("Cache-Control", "").split(",")}
        user = getattr(request, "user", None)
        anonymous = not (user is not None and user.is_authenticated) and (
            "HTTP_AUTHORIZATION" not in request.META
        )
        if not ("public" in directives and anonymous):
            response["Cache-Control"] = "private, no-store"
            del response["Expires"]
        return response


class RequestIdMiddleware:
    """Give every request an id: the proxy's ``X-Request-ID`` if it sent a well-formed
    one, else a new one. It is on every log record made while the request is served,
    and on those of the Celery tasks it causes (portal.logging, portal.celery), and goes
    back in the response's ``X-Request-ID`` header, so that a person reporting a problem,
    the proxy's log and ours all name the same request. First in MIDDLEWARE, so that
    whatever answers (a redirect, an error page) carries it.

    The context lasts until the response is closed (``request_finished``), not only
    until this middleware returns: Django logs 4xx answers ("Not Found: ...") after
    the middleware, and those lines should name the request too."""

    HEADER = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = (
            portal_logging.clean_request_id(request.headers.get(self.HEADER))
            or portal_logging.new_request_id()
        )
        request.request_id = request_id
        portal_logging.enter_request(request, request_id)
        response = self.get_response(request)
        response.headers[self.HEADER] = request_id
        return response


def _forget_the_request(**kwargs) -> None:
    portal_logging.clear()


# Connected here, where the middleware is: a thread never starts a request with the
# context of the one before, nor keeps it once the response has gone.
request_started.connect(_forget_the_request, dispatch_uid="portal-log-context-start")
request_finished.connect(_forget_the_request, dispatch_uid="portal-log-context-finish")
