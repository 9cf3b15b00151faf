import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal import checks  # noqa: F401  (registers the system checks)
        from portal.celery import TASK_PACKAGES

        # Import the tasks modules that portal/celery.py names, now that models can be
        # imported: tasks are queued by name (portal/queue.py), and in the embedded mode
        # they run in this very process, which must know them without a worker's start.
        for package in TASK_PACKAGES:
            importlib.import_module(f"{package}.tasks")
