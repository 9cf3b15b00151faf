"""The bare ceiling the page benchmark sets every page against (issue 24): the portal's
bench settings and database, served by the same gunicorn configuration, but a handler
with no middleware at all, so that only the one-query view of bench/urls.py runs. What a
page costs over it is the portal's own: middleware, session, templates, queries.

(The settings keep their MIDDLEWARE list, which allauth checks at start-up; only this
handler leaves it out.)"""

import os

import django
from django.core.handlers.wsgi import WSGIHandler
from django.test.utils import override_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup(set_prefix=False)


class BareHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        with override_settings(MIDDLEWARE=[]):
            super().load_middleware(is_async)


application = BareHandler()
