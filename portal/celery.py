"""The Celery application, configured from Django's settings (CELERY_* names).

Wired as in Celery's "First steps with Django" guide: the settings module is the one
source of configuration, and tasks are discovered in every installed app's tasks.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
