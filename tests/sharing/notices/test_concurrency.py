"""References stay unique and sequential when a state publishes several notices at the
same moment, and two approvers at once publish once (PostgreSQL: real concurrent
transactions)."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.choices import ApprovalPolicy
from accounts.models import State
from portal.inputs import Conflict
from sharing.common.models import Approval, Event, Revision
from sharing.notices import services as notices
from sharing.notices.models import Notice
from tests.conftest import require_or_skip
from tests.personas import persona
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


def test_two_approvers_clicking_at_once_publish_once(dk_officer, dk_admin, seeded_states):
    """Four eyes: two officials approve the same submission at the same moment. One
    publishes it (one reference, one version, one announcement); the other is told that
    nothing awaits approval any more."""
    if connection.vendor != "postgresql":
        require_or_skip("concurrent transactions need PostgreSQL")
    State.objects.filter(pk="DK").update(approval_policy=ApprovalPolicy.EVERYTHING)
    draft = notices.create(by=dk_officer, **notice_content())
    notices.submit(draft, by=dk_officer)
    approvers = [dk_admin, persona("dk-officer-2")]
    start = threading.Barrier(len(approvers))
    outcomes = []

    def approve(user):
        try:
            start.wait(timeout=10)
            notices.approve(draft, by=user)
            outcomes.append("approved")
        except Conflict:
            outcomes.append("conflict")
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(user,)) for user in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["approved", "conflict"]
    notice = Notice.objects.get(pk=draft.pk)
    assert notice.reference == f"DK-{timezone.now().year}-0001"
    assert Revision.objects.filter(notice=notice).count() == 1
    assert Event.objects.filter(notice=notice, kind="notice.published").count() == 1
    assert Approval.objects.get().status == "approved"
