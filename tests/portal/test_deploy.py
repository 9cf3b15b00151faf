"""The production layout: gunicorn's configuration, static files with DEBUG off, and
process definitions (Procfile, compose, systemd) that name every queue."""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.portal.test_settings import PRODUCTION, STRONG_KEY, run_python

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GUNICORN = Path(sys.executable).parent / "gunicorn"
QUEUES = {queue.name for queue in settings.CELERY_TASK_QUEUES}


def gunicorn_config(**env) -> dict:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    result = subprocess.run(
        [str(GUNICORN), "-c", str(DEPLOY / "gunicorn.conf.py"), "--print-config"],
        cwd="/",
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return dict(
        (name.strip(), value.strip())
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    )


def test_gunicorn_sizes_itself_from_the_cpus_unless_told():
    cpus = len(os.sched_getaffinity(0))
    config = gunicorn_config()
    assert config["workers"] == str(2 * cpus + 1)
    assert config["worker_class"] == "sync"
    assert (config["timeout"], config["graceful_timeout"]) == ("30", "30")
    assert (config["max_requests"], config["max_requests_jitter"]) == ("1000", "100")
    assert config["accesslog"] == "-"
    assert config["wsgi_app"] == "portal.wsgi:application"
    told = gunicorn_config(
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="4",
        GUNICORN_TIMEOUT="60",
        FORWARDED_ALLOW_IPS="10.0.0.5",
        PORT="9000",
    )
    assert told["workers"] == "3"
    assert told["worker_class"] == "gthread" and told["threads"] == "4"
    assert told["timeout"] == "60"
    assert told["forwarded_allow_ips"] == "['10.0.0.5']"
    assert told["bind"] == "['0.0.0.0:9000']"


def test_gunicorn_refuses_a_bad_value_by_name():
    result = subprocess.run(
        [str(GUNICORN), "-c", str(DEPLOY / "gunicorn.conf.py"), "--check-config"],
        env={"PATH": os.environ["PATH"], "GUNICORN_TIMEOUT": "soon"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "GUNICORN_TIMEOUT='soon' is not an integer" in result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_writes_json_access_lines_with_the_request_id(tmp_path):
    port = _free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LOG_FORMAT": "json",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    out, err = (tmp_path / "out").open("w"), (tmp_path / "err").open("w")
    server = subprocess.Popen(
        [str(GUNICORN), "-c", str(DEPLOY / "gunicorn.conf.py")],
        cwd="/",
        env=env,
        stdout=out,
        stderr=err,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz?q=private+words",
            headers={"X-Request-ID": "req-from-the-proxy"},
        )
        # Wait until gunicorn listens, then ask once: a request retried after a
        # timeout on a busy machine would reach the worker twice and log two lines.
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            assert response.headers["X-Request-ID"] == "req-from-the-proxy"
    finally:
        server.terminate()
        server.wait(timeout=30)
        out.close()
        err.close()
    access = [json.loads(line) for line in (tmp_path / "out").read_text().splitlines()]
    (line,) = [entry for entry in access if entry["http"]["path"] == "/healthz"]
    assert line["logger"] == "gunicorn.access"
    assert line["request_id"] == "req-from-the-proxy"
    assert line["http"]["status"] == 200 and line["http"]["method"] == "GET"
    assert "private" not in json.dumps(access)  # no query strings in the log
    errors = [json.loads(line) for line in (tmp_path / "err").read_text().splitlines()]
    assert any("Booting worker" in entry["message"] for entry in errors)


def test_collectstatic_works_with_debug_off_and_hashes_bootstraps_source_maps(tmp_path):
    if not (ROOT / "node_modules" / "bootstrap" / "dist").is_dir():
        pytest.skip("the front-end packages are not installed (npm ci)")
    result = run_python(
        "",
        {**PRODUCTION, "STATIC_ROOT": str(tmp_path)},
        "manage.py",
        "collectstatic",
        "--noinput",
        "--verbosity",
        "0",
        # 24 MB of API-documentation bundles make it a minute longer and test nothing
        # more (deploy/Containerfile collects everything); nor do the Bootstrap builds
        # the pages do not load (right-to-left, partial, unminified, ES modules).
        *("--ignore", "drf_spectacular_sidecar"),
        *("--ignore", "*.rtl.*", "--ignore", "*.esm.*", "--ignore", "bootstrap-*"),
        *("--ignore", "bootstrap.css*", "--ignore", "bootstrap.js*"),
        *("--ignore", "bootstrap.bundle.js*"),
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    css = manifest["vendor/bootstrap/css/bootstrap.min.css"]
    assert re.fullmatch(r"vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css", css)
    text = (tmp_path / css).read_text()
    (source_map,) = re.findall(r"sourceMappingURL=(\S+?)\s*\*/", text)
    assert source_map == Path(manifest["vendor/bootstrap/css/bootstrap.min.css.map"]).name
    assert (tmp_path / (css + ".gz")).exists()  # compressed for whitenoise to serve


def test_the_production_settings_pass_check_deploy_with_a_status_token():
    env = {**PRODUCTION, "STATUS_TOKEN": STRONG_KEY, "LOG_FORMAT": "json"}
    result = run_python("", env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


# --- Process definitions ------------------------------------------------------------------------


def _worker_queues(commands) -> set[str]:
    queues = set()
    for command in commands:
        words = shlex.split(command) if isinstance(command, str) else command
        if "worker" in words:
            queues.update(words[words.index("--queues") + 1].split(","))
    return queues


def test_the_procfile_runs_web_beat_migrations_and_a_worker_per_queue():
    processes = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert processes["web"] == "gunicorn -c deploy/gunicorn.conf.py"
    assert processes["beat"] == "celery -A portal beat"
    assert processes["release"] == "python manage.py migrate --noinput"
    assert _worker_queues(processes.values()) == QUEUES


def test_the_compose_example_runs_every_process_on_postgres_and_redis():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "web", "beat"} <= set(services)
    assert _worker_queues(service.get("command", []) for service in services.values()) == QUEUES
    for name, service in services.items():
        if name in {"postgres", "redis"}:
            continue
        environment = service["environment"]
        assert environment["DEBUG"] == "0"
        assert environment["REDIS_URL"].startswith("redis://redis:")
        assert environment["DATABASE_URL_FILE"].startswith("/run/secrets/")
        if name != "migrate":
            assert service["depends_on"]["migrate"] == {
                "condition": "service_completed_successfully"
            }
    assert set(compose["secrets"]) == {
        "secret_key",
        "encryption_key",
        "database_url",
        "postgres_password",
    }


def test_the_systemd_target_starts_a_worker_for_every_queue():
    target = (DEPLOY / "systemd" / "echri.target").read_text()
    assert set(re.findall(r"echri-worker@(\w+)\.service", target)) == QUEUES
    worker = (DEPLOY / "systemd" / "echri-worker@.service").read_text()
    assert "--queues %i" in worker
