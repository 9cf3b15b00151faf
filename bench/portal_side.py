"""The benchmarks' side of Django: set up on a benchmark database with the settings the
servers use, and sign people in without a password round (sessions made directly, as
the sign-in view would have made them)."""

from __future__ import annotations

import os
import sys
from importlib import import_module

from bench import lib


def setup(database: str, **extra: str) -> None:
    """Django in this process, on ``database``, with exactly the environment the
    portal's processes get (same secret key: the sessions made here are theirs)."""
    sys.path.insert(0, str(lib.ROOT))
    os.environ.update(lib.portal_env(database, **extra))
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if name not in extra:
            os.environ.pop(name, None)
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name, mail kept in memory


def signed_in(user) -> str:
    """A session key for ``user``, signed in through the portal's backend."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def cookie_header(user, csrf: str = "") -> str:
    from django.conf import settings

    cookie = f"{settings.SESSION_COOKIE_NAME}={signed_in(user)}"
    return f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf}" if csrf else cookie


def wsgi_client(user):
    """A function that asks the portal for a path as ``user``, through Django's WSGI
    handler as gunicorn calls it (HTTPS behind the proxy), and gives the status code."""
    import io

    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    cookie = cookie_header(user)

    def get(path: str) -> int:
        route, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "443",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie,
            "HTTP_X_FORWARDED_PROTO": "https",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
        }
        status = []
        body = handler(environ, lambda line, headers, exc_info=None: status.append(line))
        b"".join(body)
        return int(status[0].split()[0])

    return get
