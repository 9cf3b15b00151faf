"""Redis databases of its own for each pytest-xdist worker.

pytest loads this module (pyproject.toml: ``-p tests.parallel``) before pytest-django
makes Django read its settings, which is the last moment the addresses can change: the
settings, Celery's configuration and the `celery worker` process a test starts all take
them from the environment.

Each xdist worker gets its own PostgreSQL test database from pytest-django (the name
ends in ``_gw0``, ``_gw1``, ...). Redis needs the same care: every worker's real Celery
worker consumes the same queue names and purges them when it starts, and the cache is
flushed between tests, so two pytest workers on one Redis database would take or
delete each other's messages and keys. Worker ``gwN`` therefore moves every Redis
address in the environment up by N times the span of the database numbers they use:
with ``REDIS_URL=redis://127.0.0.1:6379/8``, gw0 keeps 8, gw1 uses 9, gw2 uses 10; with
a broker on 0 and a cache on 1, gw1 gets 2 and 3. gw0, and a run without xdist, keep
the addresses as they are. Redis has 16 databases (0 to 15) unless configured for more,
which bounds the number of workers from a given starting database.

Under xdist the order of the tests changes too (pytest_collection_modifyitems below).
"""

import os
from urllib.parse import urlsplit, urlunsplit

# Every setting portal/settings.py reads a Redis address from.
REDIS_VARIABLES = (
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "BEAT_LOCK_URL",
    "CACHE_URL",
)


def worker_index(environ=os.environ) -> int | None:
    """0 for xdist's gw0, 1 for gw1...; None outside an xdist worker."""
    worker = environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def _is_redis(url: str) -> bool:
    return url.startswith(("redis://", "rediss://"))


def _database(url: str) -> int:
    path = urlsplit(url).path.strip("/")
    return int(path) if path.isdigit() else 0


def _with_database(url: str, database: int) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def redis_addresses(index: int, environ=os.environ) -> dict[str, str]:
    """The Redis addresses (by variable) worker number ``index`` uses."""
    urls = {name: environ[name] for name in REDIS_VARIABLES if _is_redis(environ.get(name, ""))}
    if not urls:
        return {}
    databases = {name: _database(url) for name, url in urls.items()}
    # Moving by the span keeps the workers apart: two addresses can only meet on one
    # number if they were less than a span apart to begin with, in the same worker.
    span = max(databases.values()) - min(databases.values()) + 1
    return {name: _with_database(url, databases[name] + index * span) for name, url in urls.items()}


def describe_redis(url: str, workers: int, environ=os.environ) -> str:
    """``url`` as the header shows it for a run on ``workers`` xdist workers."""
    variable = next((name for name in REDIS_VARIABLES if environ.get(name) == url), None)
    if workers < 2 or not _is_redis(url) or variable is None:
        return url
    numbers = [_database(redis_addresses(i, environ)[variable]) for i in range(workers)]
    if numbers == list(range(numbers[0], numbers[0] + workers)):
        databases = f"{numbers[0]} to {numbers[-1]}"
    else:
        databases = ", ".join(map(str, numbers))
    return f"{url} (one database per xdist worker: {databases})"


# --- The order of the tests under xdist ------------------------------------------------------
#
# xdist hands each worker the tests in collection order, a batch at a time, and the run
# lasts until the last worker is done: a long test near the end leaves the other workers
# idle. So, in each worker (they must all collect the same order), the long tests go
# first and the short ones last, where they fill the gaps. pytest-django's order between
# tests that use the database stays as it is: tests in a transaction that is rolled
# back, then tests with real transactions (they end by emptying every table, which the
# others must not find). Tests that do not touch the database can run anywhere: the slow
# ones open the run, the rest close it.


def _weight(item) -> int:
    """A rough rank of how long a test takes, from what it starts."""
    fixtures = set(getattr(item, "fixturenames", ()))
    if fixtures & {"page", "browser"}:
        return 3  # Chromium, with axe-core checking every page
    if fixtures & {"celery_worker", "live_server"}:
        return 2
    return 1 if item.get_closest_marker("slow") else 0


def _database_use(item) -> str:
    """How the test uses the database, as pytest-django tells them apart: "none",
    "rollback" (a transaction rolled back at the end) or "transaction" (real ones)."""
    from pytest_django.plugin import validate_django_db

    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transaction = bool(marker) and any(validate_django_db(marker)[:2])
    if transaction or "transactional_db" in fixtures or "live_server" in fixtures:
        return "transaction"
    if marker or "db" in fixtures:
        return "rollback"
    return "none"


def _position(item) -> tuple[int, int]:
    use, weight = _database_use(item), _weight(item)
    group = {"rollback": 1, "transaction": 2}.get(use, 0 if weight else 3)
    return group, -weight


def pytest_configure(config):
    # xdist's default hands out tests in batches of up to a quarter of what is left: one
    # worker can end up holding every browser test while the others run out of work. One
    # test at a time (each worker always has the next one queued) keeps them even, at the
    # cost of a message per test. An explicit --maxschedchunk still wins.
    if config.getoption("maxschedchunk", "absent") is None:
        config.option.maxschedchunk = 1


# After pytest-django's own ordering (tryfirst) and the slow marks (tests/conftest.py).
def pytest_collection_modifyitems(config, items):
    if worker_index() is not None:
        items.sort(key=_position)  # stable: the collection order within each rank


_index = worker_index()
if _index:
    os.environ.update(redis_addresses(_index))
