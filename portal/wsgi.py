import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()


def settle() -> None:
    """Called once a web worker has loaded the portal, before its first request
    (deploy/gunicorn.conf.py): import every view now rather than on the first request,
    then move everything alive into the garbage collector's permanent generation, which
    it never walks again. What a worker holds for its whole life (modules, settings, the
    URL patterns: some 200,000 objects) was walked by every full collection, a pause of
    about 150 ms in the middle of some request; docs/architecture.md, "Performance"."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- imports each app's URLs and views
    gc.collect()
    gc.freeze()
