"""Structured logs that say which request (and so which person) an entry belongs to.

Every log record, whichever logger and handler it goes through, is given these
attributes when it is made (a record factory, so pytest's caplog sees them too):

    request_id  the HTTP request's id (portal.middleware.RequestIdMiddleware), carried
                into the Celery tasks it caused and from them into the tasks they
                enqueue (portal.celery: task headers)
    user_id     the signed-in person's id, once the request has loaded them
    state       their state's code
    task_id, task   inside a Celery task

``LOG_FORMAT=json`` writes one JSON object per line (JsonFormatter); otherwise a line
of text with the same context in brackets. Nothing of what states share (titles, text)
is ever put in the context: only ids.

Some addresses carry a secret: whoever has the link to accept an invitation, reset a
password or confirm an e-mail address can use it. ``scrub_secrets`` knows which, and
replaces the secret with ``[redacted]``; the ScrubSecrets filter applies it to every
handler's records (ours, Django's own, gunicorn's error and access logs), and both
formatters apply it once more to the finished line (a traceback, say).
"""

from __future__ import annotations

import contextvars
import copy
import datetime
import json
import logging
import logging.config
import re
import uuid
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, replace

# An incoming X-Request-ID is kept only if it looks like an id: no spaces or control
# characters that could forge a log line, and not longer than any tracing system's.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")
CONTEXT_FIELDS = ("request_id", "user_id", "state", "task_id", "task")


@dataclass(frozen=True)
class LogContext:
    """What the current request or task is. ``request`` is looked at only when a record
    is made, for a user the request has already loaded (never loading one)."""

    request_id: str | None = None
    request: object | None = None
    user_id: int | None = None
    state: str | None = None
    task_id: str | None = None
    task: str | None = None

    def person(self) -> tuple[int | None, str | None]:
        if self.request is None:
            return self.user_id, self.state
        user = _loaded_user(self.request)
        if user is None or not getattr(user, "is_authenticated", False):
            return None, None
        return user.pk, getattr(user, "state_id", None)

    def carried(self) -> dict | None:
        """What a task enqueued now carries to the worker (JSON), or None."""
        user_id, state = self.person()
        if self.request_id is None and user_id is None:
            return None
        return {"request_id": self.request_id, "user_id": user_id, "state": state}


_current: contextvars.ContextVar[LogContext | None] = contextvars.ContextVar(
    "portal_log_context", default=None
)


def _loaded_user(request):
    """The request's user if something has loaded it already, else None. The API's
    token authentication puts its user on the request itself; the session's user is
    cached by Django's AuthenticationMiddleware once it is first looked at."""
    attributes = vars(request)
    user = attributes.get("user")
    if user is not None and not hasattr(user, "_wrapped"):  # not a lazy object
        return user
    return attributes.get("_cached_user")


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str | None:
    """``value`` if it is a well-formed request id, else None."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return None


def current() -> LogContext | None:
    return _current.get()


def enter_request(request, request_id: str) -> contextvars.Token:
    return _current.set(LogContext(request_id=request_id, request=request))


def enter_task(task_id: str, task: str, carried: Mapping | None) -> contextvars.Token:
    """The context of a task starting: what its message carried, or else (a task run
    eagerly, in the request's own thread) the context it runs in."""
    if carried:
        context = LogContext(
            request_id=clean_request_id(carried.get("request_id")),
            user_id=carried.get("user_id") if isinstance(carried.get("user_id"), int) else None,
            state=carried.get("state") if isinstance(carried.get("state"), str) else None,
        )
    else:
        outer = _current.get()
        context = LogContext()
        if outer is not None:
            user_id, state = outer.person()
            context = LogContext(request_id=outer.request_id, user_id=user_id, state=state)
    return _current.set(replace(context, task_id=task_id, task=task))


def clear() -> None:
    _current.set(None)


def leave(token: contextvars.Token) -> None:
    try:
        _current.reset(token)
    except ValueError:  # set in another context (should not happen): forget it
        _current.set(None)


# --- Secrets in addresses --------------------------------------------------------------------

# A path separator, as typed or percent-encoded (an address inside another's query
# string), or encoded twice (inside the query string of one inside a query string).
_SEP = r"(?:/|%(?:25)?2[Ff])"
# Between two words of such a path: one separator or several, and "." or ".." segments,
# as a mangled or hand-edited link has them. Nothing on the way tidies them away, so the
# "not found" warning names the path with the secret still in it.
_GAP = rf"{_SEP}(?:\.{{0,2}}{_SEP})*"
# The secret itself: one path segment, up to the next separator, query, quote or space.
_SEGMENT = r"""(?:(?!%(?:25)?2[Ff])[^/?#\s"'<>\\])+"""
# The paths whose next segment is a secret: an invitation link (and its plural, as the
# link might be mistyped), allauth's password-reset key and e-mail confirmation key, and
# an industry contact's signed links (to read an advisory, confirm, unsubscribe).
_SECRET_PATHS = re.compile(
    rf"((?:{_SEP}accounts{_GAP}"
    rf"(?:invitations?|password{_GAP}reset{_GAP}key|confirm-email)"
    rf"|{_SEP}industry{_GAP}(?:read|confirm|unsubscribe)){_GAP})"
    rf"{_SEGMENT}",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


def scrub_secrets(text: str) -> str:
    """``text`` with the secret part of every secret-bearing address replaced."""
    return _SECRET_PATHS.sub(rf"\g<1>{REDACTED}", text)


def _scrubbed(value):
    return scrub_secrets(value) if isinstance(value, str) else value


class ScrubSecrets(logging.Filter):
    """Takes secrets out of a record's message and arguments, so that every handler
    after it (and every formatter) sees them gone. Never drops a record.

    gunicorn's access records keep their arguments as a mapping (its "atoms", which the
    JSON formatter reads): a copy of the same type takes its place, its text values
    scrubbed. The caller's own objects are never changed."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _scrubbed(record.msg)
        args = record.args
        if isinstance(args, Mapping):
            changed = {
                key: clean
                for key, value in args.items()
                if isinstance(value, str) and (clean := scrub_secrets(value)) != value
            }
            if changed:
                args = copy.copy(args) if isinstance(args, MutableMapping) else dict(args)
                args.update(changed)
                record.args = args
        elif isinstance(args, tuple):
            record.args = tuple(_scrubbed(value) for value in args)
        return True


def _scrub_handlers(handlers) -> None:
    for handler in handlers:
        if not any(isinstance(f, ScrubSecrets) for f in handler.filters):
            handler.addFilter(ScrubSecrets())


def _scrub_every_handler() -> None:
    """The filter on every handler of every logger there is: besides ours, Django puts
    handlers of its own on the "django" and "django.server" loggers."""
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.getLogger().manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        _scrub_handlers(logger.handlers)


# --- Records --------------------------------------------------------------------------------

_base_factory = logging.getLogRecordFactory()


def _record_factory(*args, **kwargs) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    context = _current.get()
    if context is None:
        record.request_id = record.user_id = record.state = None
        record.task_id = record.task = None
        return record
    record.request_id = context.request_id
    record.user_id, record.state = context.person()
    record.task_id, record.task = context.task_id, context.task
    return record


def install_record_factory() -> None:
    if logging.getLogRecordFactory() is not _record_factory:
        logging.setLogRecordFactory(_record_factory)


def configure(config: dict) -> None:
    """settings.LOGGING_CONFIG: Django (and the Celery worker, through portal.celery)
    configure logging with this."""
    install_record_factory()
    logging.config.dictConfig(config)
    _scrub_every_handler()


# --- Formatters -----------------------------------------------------------------------------


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds")


def _access_fields(record: logging.LogRecord) -> dict | None:
    """gunicorn's access log passes its "atoms" as the record's arguments. The query
    string and referrer are left out: a search's words are the reader's business."""
    if record.name != "gunicorn.access" or not isinstance(record.args, Mapping):
        return None
    atoms = record.args

    def atom(key):
        value = atoms.get(key)
        return None if value in (None, "-") else value

    return {
        "method": atom("m"),
        "path": atom("U"),
        "status": int(atom("s")) if str(atom("s") or "").isdigit() else atom("s"),
        "bytes": int(atom("B")) if str(atom("B") or "").isdigit() else 0,
        "duration_ms": round(int(atoms.get("D") or 0) / 1000, 1),
        "remote_addr": atom("h"),
        "forwarded_for": atom("{x-forwarded-for}i"),
        "user_agent": atom("a"),
        "request_id": atom("{x-request-id}o"),
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, the
    request and task context, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
            "state": getattr(record, "state", None),
        }
        if getattr(record, "task_id", None):
            data["task_id"] = record.task_id
            data["task"] = record.task
        access = _access_fields(record)
        if access is not None:
            data["request_id"] = access.pop("request_id")
            data["http"] = access
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return scrub_secrets(json.dumps(data, ensure_ascii=False, default=str))


class PlainFormatter(logging.Formatter):
    """A line of text, the context in brackets: ``[req=… user=12 DK task=…]``."""

    def __init__(self, fmt=None, datefmt=None, style="%", **kwargs):
        fmt = fmt or "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"
        super().__init__(fmt, datefmt, style, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        parts = []
        if getattr(record, "request_id", None):
            parts.append(f"req={record.request_id}")
        if getattr(record, "user_id", None) is not None:
            parts.append(f"user={record.user_id}")
        if getattr(record, "state", None):
            parts.append(record.state)
        if getattr(record, "task_id", None):
            parts.append(f"task={record.task}[{record.task_id}]")
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return scrub_secrets(super().format(record))


def logging_config(*, log_format: str, level: str) -> dict:
    """settings.LOGGING: everything to the console (standard error), as text or JSON."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"()": PlainFormatter},
            "json": {"()": JsonFormatter},
        },
        "filters": {
            "scrub_secrets": {"()": ScrubSecrets},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["scrub_secrets"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
        },
    }


# --- gunicorn -------------------------------------------------------------------------------


def gunicorn_logger_class(json_logs: bool):
    """gunicorn's logger with our formatters on its error and access logs (named by
    deploy/gunicorn.conf.py), so that with LOG_FORMAT=json every line gunicorn writes is
    a JSON object too; in either format, secrets in the addresses it logs are scrubbed."""
    from gunicorn.glogging import Logger

    class GunicornLogger(Logger):
        def setup(self, cfg):
            super().setup(cfg)
            install_record_factory()
            for log in (self.error_log, self.access_log):
                _scrub_handlers(log.handlers)
                if json_logs:
                    for handler in log.handlers:
                        handler.setFormatter(JsonFormatter())

    return GunicornLogger
