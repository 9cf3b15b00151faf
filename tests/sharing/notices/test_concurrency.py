"""References stay unique and sequential when a state publishes several notices at the
same moment (PostgreSQL: real concurrent transactions)."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from sharing.notices import services as notices
from sharing.notices.models import Notice
from tests.conftest import require_or_skip
from tests.sharing.conftest import notice_content

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_publications_get_distinct_sequential_references(dk_officer, dk_admin):
    if connection.vendor != "postgresql":
        require_or_skip("concurrent transactions need PostgreSQL")
    drafts = [
        notices.create(by=user, **notice_content(title=f"Draft {n}"))
        for n, user in enumerate([dk_officer, dk_admin, dk_officer, dk_admin])
    ]
    start = threading.Barrier(len(drafts))
    errors = []

    def publish(notice, user):
        try:
            start.wait(timeout=10)
            notices.publish(notice, by=user)
        except Exception as exc:  # reported below, with the thread's traceback lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(draft, draft.created_by)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    year = timezone.now().year
    references = sorted(Notice.objects.values_list("reference", flat=True))
    assert references == [f"DK-{year}-{n:04d}" for n in range(1, 5)]
