"""Small, strict readers of environment variables for settings.py.

Every reader refuses a value it cannot understand with ImproperlyConfigured, so a
typo in a deployment fails at start-up instead of silently falling back to a
default. Every variable can also be given as ``NAME_FILE`` (a path whose content is
the value), which is how container orchestrators hand out secrets.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

SUPPORTED_DATABASES = {"django.db.backends.postgresql", "django.db.backends.sqlite3"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def raw(name: str) -> str | None:
    """The variable's value, from ``NAME`` or the file named by ``NAME_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        if name in os.environ:
            raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc}") from exc
    return os.environ.get(name)


def string(name: str, default: str = "") -> str:
    value = raw(name)
    return default if value is None else value


def boolean(name: str, default: bool) -> bool:
    value = raw(name)
    if value is None:
        return default
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def integer(name: str, default: int, *, minimum: int | None = None) -> int:
    value = raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def words(name: str, default: list[str] | tuple[str, ...] = ()) -> list[str]:
    """A comma-separated list; blanks around items are ignored."""
    value = raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def integers(name: str, default: list[int]) -> list[int]:
    """A comma-separated list of non-negative integers."""
    items = words(name, [str(n) for n in default])
    try:
        numbers = [int(item) for item in items]
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw(name)!r} is not a list of integers.") from None
    if any(number < 0 for number in numbers):
        raise ImproperlyConfigured(f"{name}: the numbers cannot be negative.")
    return numbers


def database(name: str, default: str) -> dict:
    url = string(name, default)
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for a bad URL
        raise ImproperlyConfigured(f"{name} is not a database URL: {exc}") from exc
    if config.get("ENGINE") not in SUPPORTED_DATABASES:
        raise ImproperlyConfigured(
            f"{name}: unsupported database {url.split(':', 1)[0]!r}; "
            "use postgres://... or sqlite:///..."
        )
    return config


def email(name: str, default: str) -> dict:
    url = string(name, default)
    try:
        config = environ.Env.email_url_config(url)
    except Exception as exc:
        raise ImproperlyConfigured(f"{name} is not an e-mail URL: {exc}") from exc
    if config["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
        # django-environ drops the leading slash of filemail:///absolute/path.
        parts = urlsplit(url)
        config["EMAIL_FILE_PATH"] = parts.netloc + parts.path
    return config


def cache(name: str, default: str) -> dict:
    url = string(name, default)
    try:
        return environ.Env.cache_url_config(url)
    except Exception as exc:
        raise ImproperlyConfigured(f"{name} is not a cache URL: {exc}") from exc
