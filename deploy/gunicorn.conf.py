"""gunicorn's configuration for the portal: ``gunicorn -c deploy/gunicorn.conf.py``.

Every value can be changed by an environment variable (read with the same strict
readers as the settings: a bad value stops start-up and names the variable), and a
command-line option still wins over this file. It sits in deploy/ rather than at the
top, where gunicorn would pick it up unasked (a benchmark run, say).

    GUNICORN_BIND            0.0.0.0:8000   where to listen (or PORT=8000)
    WEB_CONCURRENCY          2 x CPUs + 1   worker processes (GUNICORN_WORKERS too)
    GUNICORN_TIMEOUT         30             seconds a request may take before its worker
                                            is killed and replaced
    GUNICORN_GRACEFUL_TIMEOUT 30            seconds a worker has to finish its requests
                                            on a restart or stop (SIGHUP, SIGTERM)
    GUNICORN_KEEPALIVE       5              seconds an idle keep-alive connection is kept
                                            (threaded workers; sync workers close each)
    GUNICORN_THREADS         1              threads per worker (>1: the gthread worker)
    GUNICORN_MAX_REQUESTS    1000           requests after which a worker is replaced,
    GUNICORN_MAX_REQUESTS_JITTER 100        give or take this many, so that they do not
                                            all restart at once
    FORWARDED_ALLOW_IPS      127.0.0.1,::1  proxies whose X-Forwarded-Proto gunicorn
                                            believes ("*" when only the load balancer
                                            can reach the port)
    GUNICORN_ACCESS_LOG      1              one line per request on standard output
    LOG_FORMAT, LOG_LEVEL    as the portal  JSON lines when LOG_FORMAT=json

Sizing: each worker keeps one persistent database connection (CONN_MAX_AGE), so the
workers of all web hosts, plus the Celery processes, must stay under PostgreSQL's
max_connections (or go through a pooler such as PgBouncer in session mode).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import env  # noqa: E402  (after the path, which gunicorn does not set)
from portal.logging import gunicorn_logger_class  # noqa: E402


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


wsgi_app = "portal.wsgi:application"
chdir = str(ROOT)
proc_name = "echri-web"

bind = [env.string("GUNICORN_BIND") or f"0.0.0.0:{env.integer('PORT', 8000, minimum=1)}"]
workers = env.integer(
    "GUNICORN_WORKERS", env.integer("WEB_CONCURRENCY", 2 * _cpus() + 1, minimum=1), minimum=1
)
threads = env.integer("GUNICORN_THREADS", 1, minimum=1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = env.integer("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = env.integer("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = env.integer("GUNICORN_KEEPALIVE", 5, minimum=0)
# Replacing workers now and then bounds what a slow leak can take; the jitter keeps
# them from all restarting in the same second.
max_requests = env.integer("GUNICORN_MAX_REQUESTS", 1000, minimum=0)
max_requests_jitter = env.integer("GUNICORN_MAX_REQUESTS_JITTER", 100, minimum=0)
forwarded_allow_ips = env.string("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The heartbeat file of each worker on a memory file system where there is one: a
# container's disk-backed /tmp can stall the heartbeat and get workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# gunicornc's control socket is off: several gunicorns on one host would share its
# default path. Set GUNICORN_CONTROL_SOCKET to a path of this instance's own to use it.
_control_socket = env.string("GUNICORN_CONTROL_SOCKET")
control_socket_disable = not _control_socket
if _control_socket:
    control_socket = _control_socket

_json_logs = env.string("LOG_FORMAT", "plain").strip().lower() == "json"
loglevel = env.string("LOG_LEVEL", "INFO").strip().lower()
errorlog = "-"
accesslog = "-" if env.boolean("GUNICORN_ACCESS_LOG", True) else None
# The path without its query string (a search's words stay out of the logs), the time
# taken in microseconds, and the request id the portal answered with. Secrets in paths
# (invitation and password-reset links) are redacted by the logger class below
# (portal.logging.scrub_secrets), in this format and the JSON one alike.
access_log_format = (
    "%(m)s %(U)s %(s)s"
    if _json_logs
    else '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(D)sus "%(a)s" req=%({x-request-id}o)s'
)
logger_class = gunicorn_logger_class(_json_logs)


def post_worker_init(worker) -> None:
    """After the worker has loaded the portal: its views imported and its long-lived
    objects kept out of the garbage collector's passes (portal.wsgi.settle)."""
    from portal.wsgi import settle

    settle()
