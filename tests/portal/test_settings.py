"""Settings come from the environment only, default to the embedded mode, and refuse an
unsafe production configuration. Each case imports the settings in a fresh process
with exactly the variables given."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "x9Q!b7Zr#LmP2w" * 5

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "exchange.example.org",
    "SITE_URL": "https://exchange.example.org",
    "DATABASE_URL": "postgres://portal@db.example.org:5432/portal",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "CACHE_URL": "redis://redis.example.org:6379/1",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
    "SECURE_HSTS_PRELOAD": "1",
}

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "DB_NAME": str(settings.DATABASES["default"]["NAME"]),
    "CONN_MAX_AGE": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    "EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "BROKER": settings.CELERY_BROKER_URL,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "EMAIL_HOST": settings.EMAIL_HOST,
    "MFA_REQUIRED_ROLES": settings.MFA_REQUIRED_ROLES,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECRET_KEY": settings.SECRET_KEY,
    "TRUSTED_PROXY_COUNT": settings.ALLAUTH_TRUSTED_PROXY_COUNT,
}))
"""


def run_python(code: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(**env) -> dict:
    result = run_python(PROBE, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refusal(**env) -> str:
    result = run_python(PROBE, env)
    assert result.returncode != 0, "these settings should have been refused"
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr


def test_without_any_variable_the_portal_runs_embedded():
    loaded = load_settings()
    assert loaded["DEBUG"] is True
    assert loaded["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["DB_NAME"] == str(ROOT / "db.sqlite3")
    assert loaded["EAGER"] is True
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["MFA_REQUIRED_ROLES"] == []


def test_production_variables_are_used():
    loaded = load_settings(**PRODUCTION)
    assert loaded["DEBUG"] is False
    assert loaded["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["CONN_MAX_AGE"] == 600
    assert loaded["EAGER"] is False
    assert loaded["BROKER"] == "redis://redis.example.org:6379/0"
    assert loaded["EMAIL_HOST"] == "mail.example.org"
    assert loaded["MFA_REQUIRED_ROLES"] == ["state_admin", "officer", "staff"]
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["SECURE_HSTS_SECONDS"] >= 31_536_000


def test_celery_broker_url_wins_over_redis_url():
    loaded = load_settings(CELERY_BROKER_URL="redis://broker:6379/5", REDIS_URL="redis://x:1/0")
    assert loaded["BROKER"] == "redis://broker:6379/5"


def test_secret_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(STRONG_KEY + "\n")
    env = {**PRODUCTION, "SECRET_KEY_FILE": str(key_file)}
    del env["SECRET_KEY"]
    assert load_settings(**env)["SECRET_KEY"] == STRONG_KEY


def test_a_public_host_without_an_explicit_debug_is_refused():
    env = {k: v for k, v in PRODUCTION.items() if k not in {"DEBUG", "SECRET_KEY"}}
    assert "DEBUG is not set" in refusal(**env)
    assert load_settings(**env, DEBUG="1")["DEBUG"] is True  # on purpose is allowed


def test_behind_a_proxy_the_client_address_comes_from_forwarded_for():
    loaded = load_settings(**PRODUCTION, BEHIND_TLS_PROXY="1")
    assert loaded["TRUSTED_PROXY_COUNT"] == 1


def test_debug_off_refuses_a_missing_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    assert "SECRET_KEY" in refusal(**env)


def test_debug_off_refuses_the_development_key():
    from portal.settings import DEVELOPMENT_SECRET_KEY

    assert "development key" in refusal(**{**PRODUCTION, "SECRET_KEY": DEVELOPMENT_SECRET_KEY})


def test_debug_off_refuses_a_weak_key():
    assert "too short" in refusal(**{**PRODUCTION, "SECRET_KEY": "short"})


def test_debug_off_refuses_missing_allowed_hosts():
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    assert "ALLOWED_HOSTS" in refusal(**env)


def test_debug_off_refuses_a_plain_http_site_url():
    assert "https" in refusal(**{**PRODUCTION, "SITE_URL": "http://exchange.example.org"})


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("DEBUG", "maybe", "not a boolean"),
        ("CONN_MAX_AGE", "ten", "not an integer"),
        ("DATABASE_URL", "mysql://db/portal", "unsupported database"),
        ("MFA_REQUIRED_ROLES", "officer,director", "unknown roles"),
        ("INVITATION_TTL_DAYS", "0", "below the minimum"),
    ],
)
def test_a_bad_value_is_refused_by_name(variable, value, complaint):
    stderr = refusal(**{**PRODUCTION, variable: value})
    assert variable in stderr
    assert complaint in stderr


def test_check_deploy_passes_with_production_variables():
    result = run_python("", PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_mfa_is_not_required_of_admins():
    env = {**PRODUCTION, "MFA_REQUIRED_ROLES": "officer"}
    result = run_python("", env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "portal.W002" in result.stdout + result.stderr


def test_check_deploy_warns_about_a_per_process_cache():
    env = {k: v for k, v in PRODUCTION.items() if k != "CACHE_URL"}
    result = run_python("", env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "portal.W001" in result.stdout + result.stderr
