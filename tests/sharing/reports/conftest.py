"""A year of Denmark's notices with acknowledgements worked out by hand."""

import datetime

import pytest

from sharing.notices import services as notices
from sharing.notices.models import Acknowledgement, Notice

UTC = datetime.UTC
# The day the report is computed: notice C's time to acknowledge has not ended.
TODAY = datetime.date(2026, 1, 5)


def at(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=UTC)


def published_at(notice: Notice, moment: datetime.datetime) -> None:
    notice.revisions.filter(version=1).update(created_at=moment)


def acknowledged(notice: Notice, user, moment: datetime.datetime) -> None:
    notices.acknowledge(notice, by=user)
    Acknowledgement.objects.filter(notice=notice, state=user.state).update(
        acknowledged_at=moment, first_acknowledged_at=moment
    )


@pytest.fixture
def year_2025(make_notice, dk_officer, no_viewer, fr_viewer):
    """Denmark's notices of 2025 and how Norway and France acknowledged them:

    - A, published Tuesday 15 April at 09:00 UTC. Norway's tenth working day after it
      is 5 May (17, 18 and 21 April and 1 May are holidays there); France's is 30 April
      (only 21 April is). Norway acknowledges on 2 May at 23:30 UTC, 3 May in Oslo: in
      time, 9 working days. France on 30 April at 22:30 UTC, 1 May in Paris: late, 10
      working days (1 May is a holiday).
    - B, published Monday 2 June at 09:00 UTC (marked green). Norway acknowledges on
      3 June: 1 working day. France never does, and its time has ended: late.
    - C, published Monday 29 December. Nobody acknowledges, and on 5 January 2026
      neither state's ten working days have ended: it counts as received only.
    - A is amended on 20 May; B is withdrawn on 1 October.
    """
    a = make_notice(title="A")
    b = make_notice(title="B", tlp="green", kind="threat")
    c = make_notice(title="C")
    published_at(a, at(2025, 4, 15, 9))
    published_at(b, at(2025, 6, 2, 9))
    published_at(c, at(2025, 12, 29, 9))
    acknowledged(a, no_viewer, at(2025, 5, 2, 23, 30))
    acknowledged(a, fr_viewer, at(2025, 4, 30, 22, 30))
    acknowledged(b, no_viewer, at(2025, 6, 3, 8))
    notices.amend(a, by=dk_officer, change_note="Newer facts.", material=True, title="A2")
    a.revisions.filter(version=2).update(created_at=at(2025, 5, 20, 10))
    notices.withdraw(b, by=dk_officer, reason="No longer relevant.")
    Notice.objects.filter(pk=b.pk).update(withdrawn_at=at(2025, 10, 1, 12))
    return a, b, c
