"""Queue a Celery task by its name, so that whoever queues it never imports the module
that defines it (services import no task modules, and no import cycle forms).

In the embedded mode (no broker) the task runs at once, in-process, as Celery's eager
mode would run ``delay``."""

from django.db import transaction

from portal.celery import app


def enqueue(name: str, *args) -> None:
    """Queue task ``name`` with ``args`` (ids and plain JSON only)."""
    if app.conf.task_always_eager:
        app.tasks[name].apply(args=args, throw=True)
    else:
        app.send_task(name, args=args)


def enqueue_on_commit(name: str, *args) -> None:
    """Queue task ``name`` once the current transaction commits (nothing if it rolls
    back). If the broker cannot take it then, the act still stands: the failure is
    logged, and the sweeper queues again whatever its row says is still to do."""
    transaction.on_commit(lambda: enqueue(name, *args), robust=True)
