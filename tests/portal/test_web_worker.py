"""What a gunicorn worker does once it has loaded the portal, before its first request:
every view imported, and what is alive then kept out of the garbage collector's passes
(docs/architecture.md, "Performance")."""

import gc
import runpy
from types import SimpleNamespace

from django.urls import get_resolver

from tests.portal.test_logging import GUNICORN_CONF


def test_a_web_worker_imports_its_views_and_freezes_what_lives_before_serving():
    deployed = runpy.run_path(str(GUNICORN_CONF))
    resolver = get_resolver()
    resolver.__dict__.pop("url_patterns", None)  # as in a fresh worker: no view imported
    assert gc.get_freeze_count() == 0
    try:
        deployed["post_worker_init"](SimpleNamespace(pid=1))
        assert gc.get_freeze_count() > 10_000  # Django, the portal and their modules
        assert "url_patterns" in resolver.__dict__
    finally:
        gc.unfreeze()  # the rest of the suite collects as before
