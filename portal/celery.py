"""The Celery application, configured from Django's settings (CELERY_* names).

Wired as in Celery's "First steps with Django" guide: the settings module is the one
source of configuration, and tasks are discovered in every installed app's tasks.py.

Logging is Django's too (settings.LOGGING, text or JSON), and the request id travels
with the work: a task enqueued while a request is served, or while another task runs,
carries that request's id (and its person's id and state) in a message header, and the
worker puts it back in the logging context while the task runs (portal.logging).
"""

import logging
import os

from celery import Celery, signals

from portal import logging as portal_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The portal's own tasks, and those of the sharing app's domains (each domain package
# keeps its tasks in its tasks.py). A worker imports them as it starts; every other
# process as Django starts (portal/apps.py).
TASK_PACKAGES = [
    "portal",
    "sharing.notifications",
    "sharing.denials",
    "sharing.advisories",
    "sharing.screening",
    "sharing.registry",
]
app.autodiscover_tasks(TASK_PACKAGES)

logger = logging.getLogger(__name__)

# The message header carrying the logging context: {"request_id", "user_id", "state"}.
LOG_CONTEXT_HEADER = "echri_log_context"
_task_tokens: dict = {}


@signals.setup_logging.connect
def _log_as_django_does(**kwargs) -> None:
    """A receiver here keeps Celery from setting up logging of its own: the worker and
    beat log through settings.LOGGING, in the same format as the web processes."""
    from django.conf import settings

    portal_logging.configure(settings.LOGGING)


@signals.before_task_publish.connect
def carry_log_context(headers=None, **kwargs) -> None:
    """Put the current request's (or task's) context on the message being sent."""
    if headers is None or LOG_CONTEXT_HEADER in headers:
        return
    context = portal_logging.current()
    carried = context.carried() if context is not None else None
    if carried is not None:
        headers[LOG_CONTEXT_HEADER] = carried


def _carried(request) -> dict | None:
    carried = getattr(request, LOG_CONTEXT_HEADER, None)
    if carried is None:  # what Task.apply(headers=...) gives
        carried = (getattr(request, "headers", None) or {}).get(LOG_CONTEXT_HEADER)
    return carried if isinstance(carried, dict) else None


@signals.task_prerun.connect
def enter_task_log_context(task_id=None, task=None, **kwargs) -> None:
    _task_tokens[task_id] = portal_logging.enter_task(task_id, task.name, _carried(task.request))
    logger.debug("Task %s[%s] starts.", task.name, task_id)


@signals.task_postrun.connect
def leave_task_log_context(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        portal_logging.leave(token)
