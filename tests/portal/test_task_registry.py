"""Tasks are queued by name (portal/queue.py), so no module that queues one imports the
module defining it. A fresh process must still know every task: in the embedded mode
the task runs in that very process, and a web process that never imported a tasks
module would fail to publish anything."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = [
    "portal.tasks.ping",
    "portal.tasks.send_email",
    "portal.tasks.sweep_mail",
    "sharing.tasks.dispatch_event",
    "sharing.tasks.send_notification_emails",
    "sharing.tasks.send_digests",
    "sharing.tasks.deliver_webhook",
    "sharing.tasks.sweep",
    "sharing.tasks.review_denials",
    "sharing.tasks.watch_consultations",
    "sharing.tasks.disseminate_advisory",
    "sharing.tasks.sweep_disseminations",
    "sharing.tasks.rescreen_watches",
    "sharing.tasks.sweep_watches",
]

PROBE = """
import django
django.setup()
from portal.celery import app
print(" ".join(sorted(name for name in app.tasks if not name.startswith("celery."))))
"""


def test_a_fresh_process_knows_every_task_after_django_setup():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "portal.settings"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    known = set(result.stdout.split())
    assert set(EXPECTED) <= known, sorted(set(EXPECTED) - known)
