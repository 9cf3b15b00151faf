"""What the benchmarks and the load test share: their own databases, the processes they
start (and always stop, by pid), the machine they ran on, the tools they need.

Nothing here imports Django: the scripts decide which database Django is set up on.
"""

# ruff: noqa: S603, S607 -- runs fixed commands of its own (manage.py, gunicorn, apt-get)

from __future__ import annotations

import contextlib
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


# --- PostgreSQL -----------------------------------------------------------------------------


def server_url() -> str:
    """DATABASE_URL, which must name PostgreSQL: its server is where the benchmark's own
    databases are made."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        fail(
            "the benchmarks measure the portal on PostgreSQL, as production runs it; SQLite "
            "(the embedded mode) says nothing about that. Set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench"
        )
    return url


def database_url(name: str) -> str:
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin():
    import psycopg

    return psycopg.connect(database_url("postgres"), autocommit=True)


def create_database(name: str) -> str:
    """A fresh database ``name`` (dropped first if a failed run left it); returns its URL."""
    _own(name)
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def _own(name: str) -> None:
    if not name.startswith("bench_"):  # never anybody else's database
        fail(f"{name}: the benchmarks only make and drop databases named bench_*")


def drop_database(name: str) -> None:
    _own(name)
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_version() -> str:
    with _admin() as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


# --- The environment of the portal's processes ----------------------------------------------

SECRET_KEY = secrets.token_urlsafe(48)  # one per run; the scripts sign sessions with it too


def portal_env(database: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like portal process on 127.0.0.1: DEBUG off, the
    bench settings (bench/settings.py), persistent database connections (the settings'
    default), no TLS redirect (there is no TLS proxy on the loopback)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "https://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], quiet: bool = False) -> float:
    """Run a management command; returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.perf_counter() - started


# --- Processes ------------------------------------------------------------------------------


class Processes:
    """The processes a run starts, each in a process group of its own, all stopped at the
    end (SIGTERM, then SIGKILL after a grace period), whatever happened."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((name, process))
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def check(self) -> None:
        for name, process in self.started:
            if process.poll() is not None:
                fail(f"{name} exited ({process.returncode}):\n{self.log(name)[-3000:]}")

    def stop(self, name: str | None = None, grace: float = 20) -> None:
        for entry in list(self.started):
            label, process = entry
            if name is not None and label != name:
                continue
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)  # its own group: it and its children
                try:
                    process.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            self.started.remove(entry)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        # Last started, first stopped: the load before the server, the server before beat.
        for label, _process in reversed(list(self.started)):
            self.stop(label)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_for_http(url: str, processes: Processes, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check()
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (127.0.0.1)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    fail(f"{url} did not answer within {timeout:.0f}s")


def gunicorn_command(port: int) -> list[str]:
    """gunicorn as production starts it (deploy/gunicorn.conf.py: 2 x CPUs + 1 sync
    workers, ...), bound to 127.0.0.1 only."""
    config = ROOT / "deploy" / "gunicorn.conf.py"
    command = [PYTHON, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    if config.exists():
        return [*command, "-c", str(config)]
    workers = 2 * len(os.sched_getaffinity(0)) + 1
    return [*command, "--workers", str(workers), "--timeout", "30", "portal.wsgi:application"]


def gunicorn_env() -> dict[str, str]:
    # Replacing a worker every 1,000 requests (the production default, a guard against
    # leaks) costs a Django start-up each time: at thousands of requests a second that
    # would be what is measured, more for the fastest view than for the slow ones.
    return {"GUNICORN_MAX_REQUESTS": "0", "GUNICORN_ACCESS_LOG": "1", "LOG_LEVEL": "WARNING"}


# --- Tools ----------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """wrk (Debian's package), installed here if missing and we may."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        fail("wrk is missing: sudo apt-get install wrk")
    print("installing wrk (apt-get install wrk) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=False)
        subprocess.run(install, env=env, capture_output=True, check=True)
    return shutil.which("wrk") or fail("wrk did not install")


# --- The machine and the results ------------------------------------------------------------


def load_average() -> float:
    return os.getloadavg()[0]


def wait_until_quiet(limit: float = 1.0, timeout: float = 0) -> float:
    """Wait (at most ``timeout`` seconds) for the 1-minute load average to fall under
    ``limit``; returns it."""
    deadline = time.monotonic() + timeout
    while load_average() >= limit and time.monotonic() < deadline:
        time.sleep(5)
    return load_average()


def machine() -> dict:
    memory = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(memory / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres_version(),
    }


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100), interpolated."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[min(98, max(0, int(p) - 1))]


def write_results(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{datetime.date.today().isoformat()}{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def print_table(headers: list[str], rows: list[list], title: str = "") -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    lines = []
    if title:
        lines.append(title)
    lines.append("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    for row in cells:
        lines.append(
            "| "
            + " | ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
            + " |"
        )
    text = "\n".join(lines)
    print(text, flush=True)
    return text
