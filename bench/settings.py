"""Settings of the web server the benchmarks and the load test start: the portal's own
(from the environment, DEBUG off as in production), with three changes.

- ``bench.urls``: the portal's addresses plus the ceiling view the page benchmark
  compares them with. The view exists only here, never in the product's URLs.
- Cookies not marked Secure: the benchmarks talk plain http on 127.0.0.1, where no TLS
  proxy stands in front, and a client would not send a Secure cookie back over http.
- ``bench`` among the installed apps: its ``generate_bench_data`` command makes the
  data set. It is development code, not part of the installed package, and the
  portal's own settings do not know it.

And one knob, for experiments only: BENCH_DB_OPTIONS, libpq options for every
connection (``-c jit=off``, say), to measure what a PostgreSQL setting would change.
"""

import os

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES, INSTALLED_APPS

if os.environ.get("BENCH_DB_OPTIONS"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ["BENCH_DB_OPTIONS"]

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
