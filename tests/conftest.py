"""Personas, factories and the real services the suite talks to.

Which services a run uses is printed in the header: PostgreSQL when DATABASE_URL names
it, a real Celery worker on Redis when CELERY_BROKER_URL or REDIS_URL is set, Chromium
when it is installed. With REQUIRE_SERVICES=1 a missing one fails the run instead of
falling back (SQLite, eager tasks) or skipping (browser tests).
"""

import functools
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import hypothesis
import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from portal.celery import app as celery_app
from tests.factories import PASSWORD
from tests.parallel import describe_redis
from tests.personas import ensure_seeded, extra_state, persona

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# Property-based tests keep no example database in the working tree: each run starts
# afresh (and CI runs on a clean clone anyway).
hypothesis.settings.register_profile("portal", database=None)
hypothesis.settings.load_profile("portal")
ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def chromium_path() -> str | None:
    """The first of chromium and chromium-browser that is a working browser (.ci/run
    picks the same): Ubuntu's chromium-browser package, for one, is only a stub."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path is None:
            continue
        try:
            version = subprocess.run(
                [path, "--version"], capture_output=True, text=True, timeout=30, check=False
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        if "Chromium " in version:
            return path
    return None


def _database_vendor() -> str:
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def _broker() -> str | None:
    return None if settings.CELERY_TASK_ALWAYS_EAGER else settings.CELERY_BROKER_URL


def _xdist_workers(config) -> int:
    """How many pytest-xdist workers this run has (0 without xdist)."""
    if config.getoption("dist", "no") == "no":
        return 0
    return len(config.getoption("tx", None) or [])


def pytest_report_header(config):
    broker = _broker()
    workers = _xdist_workers(config)
    database = _database_vendor()
    if workers:
        # pytest-django gives each worker a database of its own (named ..._gw0, ..._gw1).
        database += f" (one test database per xdist worker, {workers} workers)"
    return [
        f"database: {database}",
        "celery: "
        + (
            f"real worker on {describe_redis(broker, workers)}"
            if broker
            else "eager (no broker configured)"
        ),
        f"browser: {chromium_path() or 'no chromium found: browser tests skip'}",
        f"REQUIRE_SERVICES={'1' if REQUIRE_SERVICES else '0'}",
    ]


def pytest_configure(config):
    if not REQUIRE_SERVICES:
        return
    missing = []
    if _database_vendor() != "postgresql":
        missing.append("PostgreSQL (set DATABASE_URL=postgres://...)")
    if not _broker() or not _broker().startswith("redis"):
        missing.append("Redis (set REDIS_URL or CELERY_BROKER_URL=redis://...)")
    if not chromium_path():
        missing.append("Chromium (install the chromium package)")
    if missing:
        raise pytest.UsageError("REQUIRE_SERVICES=1 but missing: " + "; ".join(missing))


# --- The slow group -------------------------------------------------------------------------

# Tests that start a real service (a browser, a live server, a Celery worker, an SMTP
# server) are slow by what they ask for; the rest of the slow group is whole files, known
# by their name so that they stay in it wherever they move.
SLOW_FIXTURES = {
    "browser",
    "page",
    "live_server",
    "celery_worker",
    "celery_worker_process",
    "smtp_server",
}
SLOW_FILES = {
    "test_fuzz.py",  # schemathesis against every operation of the API
    "test_generated_client.py",  # generates and imports a Python client of the API
    "test_example_client.py",  # the documented example client, against a live server
    "test_deploy.py",  # gunicorn, collectstatic and check --deploy in subprocesses
    "test_generate_bench_data.py",  # builds a benchmark database for most of its tests
    "test_concurrency.py",  # publications racing on separate connections
    "test_beat.py",  # waits out the beat lock's lifetime in a real Redis
    # The visibility rule checked for every persona against every audience and status:
    # the two matrices took some 30% of the time of all the other tests together.
    "test_visibility.py",
    "test_api_matrix.py",
}


@pytest.hookimpl(tryfirst=True)  # before -m reads the marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_FILES or SLOW_FIXTURES.intersection(
            getattr(item, "fixturenames", ())
        ):
            item.add_marker(pytest.mark.slow)


def require_or_skip(reason: str):
    """Fail under REQUIRE_SERVICES=1, skip otherwise."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


# --- Test-wide settings ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Attachments go to a folder of the test's own, never the project's var/.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "attachments"


@pytest.fixture(autouse=True)
def _default_language():
    # A request with Accept-Language leaves its language active on the thread (Django's
    # LocaleMiddleware does not reset it); every test starts in English.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_screening_index():
    # The process keeps one index of the denials in force (and one of the alerts), keyed
    # by their count and latest change: tests with the clock frozen could make two
    # databases look alike.
    from sharing.denials import services as denials
    from sharing.screening import services as screening

    denials._INDEX.update(stamp=None, index=None)
    screening._NOTICE_INDEX.update(stamp=None, index=None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Run tasks eagerly, in-process, unless the test asked for the real worker."""
    if "celery_worker" in request.fixturenames:
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


# --- Seed data and personas -----------------------------------------------------------------


@pytest.fixture
def seeded_states(db):
    """The states, technology categories and topics the data migrations create (one
    query when they are there; transactional tests empty the tables)."""
    ensure_seeded()


@pytest.fixture
def observer_state(seeded_states):
    return extra_state("CL")


@pytest.fixture
def suspended_state(seeded_states):
    return extra_state("PE")


@pytest.fixture
def dk_admin(seeded_states):
    return persona("dk-admin", seeded=True)


@pytest.fixture
def dk_officer(seeded_states):
    return persona("dk-officer", seeded=True)


@pytest.fixture
def dk_viewer(seeded_states):
    return persona("dk-viewer", seeded=True)


@pytest.fixture
def no_admin(seeded_states):
    return persona("no-admin", seeded=True)


@pytest.fixture
def no_officer(seeded_states):
    return persona("no-officer", seeded=True)


@pytest.fixture
def jp_viewer(seeded_states):
    return persona("jp-viewer", seeded=True)


@pytest.fixture
def jp_admin(seeded_states):
    return persona("jp-admin", seeded=True)


@pytest.fixture
def no_viewer(seeded_states):
    return persona("no-viewer", seeded=True)


@pytest.fixture
def fr_viewer(seeded_states):
    return persona("fr-viewer", seeded=True)


@pytest.fixture
def fr_officer(seeded_states):
    return persona("fr-officer", seeded=True)


@pytest.fixture
def fi_admin(seeded_states):
    return persona("fi-admin", seeded=True)


@pytest.fixture
def fi_officer(seeded_states):
    return persona("fi-officer", seeded=True)


@pytest.fixture
def fi_viewer(seeded_states):
    return persona("fi-viewer", seeded=True)


@pytest.fixture
def cr_admin(seeded_states):
    return persona("cr-admin", seeded=True)


@pytest.fixture
def cr_officer(seeded_states):
    return persona("cr-officer", seeded=True)


@pytest.fixture
def cr_viewer(seeded_states):
    return persona("cr-viewer", seeded=True)


@pytest.fixture
def staff_user(seeded_states):
    return persona("secretariat", seeded=True)


@pytest.fixture
def observer_user(observer_state):
    return persona("cl-viewer", seeded=True)


@pytest.fixture
def suspended_user(suspended_state):
    return persona("pe-officer", seeded=True)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def password():
    return PASSWORD


# --- A real Celery worker -------------------------------------------------------------------


def _test_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        require_or_skip("a separate worker process cannot share an in-memory SQLite test database")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the configured Redis, reading the test database.

    It consumes every queue. E-mail it sends lands as files in
    ``celery_worker_process.mail_dir``.
    """
    if not _broker():
        require_or_skip("no Celery broker configured (set REDIS_URL)")
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    log_path = tmp_path_factory.mktemp("worker-log") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"filemail://{mail_dir}",
        "PYTHONUNBUFFERED": "1",
        # The tests' webhook receivers listen on 127.0.0.1 over plain http; the sweeper
        # picks up what the broker missed after a second rather than half a minute.
        "WEBHOOK_ALLOW_PRIVATE": "1",
        "WEBHOOK_ALLOW_HTTP": "1",
        "WEBHOOK_TIMEOUT": "2",
        "WEBHOOK_RETRY_DELAYS": "1,1,1",
        "EVENT_SWEEP_GRACE_SECONDS": "1",
        "SITE_URL": "http://testserver",
    }
    celery_app.control.purge()  # nothing left over from an earlier run
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--queues=default,events,email,webhooks",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            f"--hostname=test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_worker(process, log_path)
        process.mail_dir = mail_dir
        process.log_path = log_path
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for_worker(process, log_path, timeout: float = 60) -> None:
    from portal.tasks import ping

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited:\n{log_path.read_text()}")
        try:
            if ping.apply_async(expires=5).get(timeout=2) == "pong":
                return
        except Exception:  # not consuming yet
            time.sleep(0.3)
    raise RuntimeError(f"the Celery worker did not answer in {timeout}s:\n{log_path.read_text()}")


@pytest.fixture
def celery_worker(celery_worker_process):
    """Use in a ``django_db(transaction=True)`` test: tasks go through Redis to the worker."""
    assert not celery_app.conf.task_always_eager
    return celery_worker_process


# --- A real SMTP server ---------------------------------------------------------------------


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 that the portal's mail goes to (tests/smtp.py)."""
    from tests.smtp import SMTPServer

    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def broker_down():
    """Point the publishing side (this process) at a closed port, as if Redis were down;
    calling the fixture's value brings the real broker back (eager mode too, when the
    test had it)."""
    conf, amqp = celery_app.conf, celery_app.amqp
    working = (conf.broker_url, celery_app.pool, amqp.producer_pool, conf.task_always_eager)

    def back():
        if conf.broker_url != working[0]:
            celery_app.pool.force_close_all()
            conf.broker_url, celery_app._pool, amqp._producer_pool = working[:3]
            conf.task_always_eager = working[3]

    conf.broker_url = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
    conf.task_always_eager = False
    celery_app._pool = amqp._producer_pool = None
    yield back
    back()
