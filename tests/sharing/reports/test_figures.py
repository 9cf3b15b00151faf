"""The implementation report's figures, against values worked out by hand on fixture
data: Easter and May Day in 2025 are public holidays in Norway, France and Denmark
(not all the same ones), and an acknowledgement late in the evening in UTC falls on the
next day where the state sits."""

import datetime

import pytest

from sharing.denials import services as denials
from sharing.notices import services as notices
from sharing.notices.models import Acknowledgement, Notice
from sharing.practices import services as practices
from sharing.reports import figures
from tests.personas import persona
from tests.sharing.conftest import consultation_content, denial_content, practice_content
from tests.sharing.reports.conftest import TODAY, acknowledged, at, published_at

pytestmark = pytest.mark.django_db


def test_acknowledgements_count_in_each_states_working_days(year_2025):
    report = figures.report(2025, today=TODAY)
    norway, france = report.of("NO"), report.of("FR")

    assert norway["notices_received"].value == 3
    assert norway["acknowledged_in_time"].value == 100.0  # A and B, of A and B
    assert (norway["acknowledged_in_time"].count, norway["acknowledged_in_time"].total) == (2, 2)
    assert norway["acknowledgement_days"].value == 5  # the median of 9 and 1
    assert norway["acknowledgements"].value == 2
    assert norway["acknowledgements"].months[4] == 1  # May: 2 May at 23:30 UTC
    assert norway["acknowledgements"].months[5] == 1  # June

    assert france["notices_received"].value == 3
    assert france["acknowledged_in_time"].value == 0.0  # late on A, never on B
    assert france["acknowledged_in_time"].total == 2
    assert france["acknowledgement_days"].value == 10
    assert france["acknowledgements"].months[3] == 1  # 30 April at 22:30 UTC: April


def test_the_authors_figures(year_2025):
    denmark = figures.report(2025, today=TODAY).of("DK")

    assert denmark["notices_published"].value == 3
    assert denmark["notices_published"].months == [0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1]
    assert denmark["notices_amended"].value == 1
    assert denmark["notices_amended"].months[4] == 1
    assert denmark["notices_withdrawn"].value == 1
    assert denmark["notices_withdrawn"].months[9] == 1
    assert denmark["notices_received"].value == 0  # its own are not received
    assert denmark["acknowledged_in_time"].value is None  # nothing to measure


def test_notices_by_kind_and_marking(year_2025):
    kinds = figures.report(2025, today=TODAY).notice_kinds["DK"]
    assert kinds == {("end_user_alert", "amber"): 2, ("threat", "green"): 1}


def test_a_year_counts_only_its_own(year_2025):
    assert figures.report(2024, today=TODAY).of("DK")["notices_published"].value == 0
    # C's acknowledgements would count in 2026; its publication stays in 2025.
    later = figures.report(2026, today=TODAY)
    assert later.of("NO")["notices_received"].value == 0


def test_the_community_adds_up_the_states(year_2025):
    report = figures.report(2025, today=TODAY)
    community = report.together()
    assert community["notices_published"].value == 3
    both = report.together(["NO", "FR"])
    assert both["acknowledged_in_time"].value == 50.0  # 2 of 4
    assert both["acknowledgement_days"].value == 9  # the median of 9, 1 and 10


def test_consultations_answered_on_time(dk_officer, fi_officer, no_officer):
    """Denmark is consulted twice in 2025:

    - by Finland on Monday 3 March at 08:00 UTC: due on 17 March (no holiday in
      between); answered on 18 March: late, 11 working days.
    - by Norway on Monday 14 April: Denmark's holidays are 17, 18 and 21 April, so it is
      due on 1 May (not a holiday in Denmark); answered on 22 April: 3 working days.
    """
    denial = denials.publish(by=dk_officer, **denial_content())
    first = denials.open_consultation(denial, by=fi_officer, **consultation_content())
    second = denials.open_consultation(
        denial, by=no_officer, **consultation_content(application_reference="NO-1")
    )
    denials.answer_consultation(first, by=dk_officer, answer="Yes.")
    denials.answer_consultation(second, by=dk_officer, answer="No.")
    for consultation, opened, due, answered in (
        (first, at(2025, 3, 3, 8), datetime.date(2025, 3, 17), at(2025, 3, 18, 9)),
        (second, at(2025, 4, 14, 8), datetime.date(2025, 5, 1), at(2025, 4, 22, 9)),
    ):
        type(consultation).objects.filter(pk=consultation.pk).update(
            opened_at=opened, due_on=due, answered_at=answered
        )
    denial.revisions.update(created_at=at(2025, 2, 10, 9))

    denmark = figures.report(2025, today=TODAY).of("DK")
    assert denmark["denials_notified"].value == 1
    assert denmark["consultations_received"].value == 2
    assert denmark["consultations_in_time"].value == 50.0
    assert denmark["consultation_days"].value == 7  # the median of 11 and 3
    assert figures.report(2025, today=TODAY).of("FI")["consultations_received"].value == 0


def test_endorsements_by_others_and_what_is_shared_with_whom(no_officer, dk_officer):
    practice = practices.publish(
        practices.create(by=no_officer, **practice_content()), by=no_officer
    )
    practices.endorse(practice, by=dk_officer, kind="adopted")
    fr = persona("fr-officer")
    practices.endorse(practice, by=fr, kind="endorsed")
    year = practice.revisions.get().created_at.year
    report = figures.report(year)
    norway = report.of("NO")
    assert norway["practices_published"].value == 1
    assert norway["practices_adopted"].value == 1
    assert norway["practices_endorsed"].value == 1
    # Its first version reached every other subscribing state, each counted once.
    assert report.shared[("NO", "DK")] == 1
    assert ("NO", "NO") not in report.shared
    assert report.shared.get(("DK", "NO"), 0) == 0


def test_the_figures_take_the_same_queries_however_many_items(make_notice, no_viewer):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            figures.report(datetime.date.today().year)
        return len(queries)

    make_notice(title="One")
    few = count()
    for n in range(6):
        notice = make_notice(title=f"More {n}")
        notices.acknowledge(notice, by=no_viewer)
    assert count() == few


def test_raising_the_level_later_keeps_the_first_acknowledgement(make_notice, no_viewer):
    """Norway says "received" in time, then "assessed" three weeks later: it
    acknowledged in time, after 1 working day, once, in April."""
    notice = make_notice(title="Raised")
    published_at(notice, at(2025, 4, 15, 9))
    acknowledged(notice, no_viewer, at(2025, 4, 16, 9))
    notices.acknowledge(notice, by=no_viewer, level="assessed")
    Acknowledgement.objects.filter(notice=notice).update(acknowledged_at=at(2025, 5, 6, 9))
    norway = figures.report(2025, today=TODAY).of("NO")
    assert norway["acknowledged_in_time"].value == 100.0
    assert norway["acknowledgement_days"].value == 1
    assert norway["acknowledgements"].months[3:5] == [1, 0]


def test_a_notice_withdrawn_before_its_time_to_acknowledge_ended_is_not_a_miss(
    make_notice, dk_officer
):
    """Published on Tuesday 15 April, withdrawn on the 17th, never acknowledged: nobody
    could acknowledge it after that, so it counts as received only."""
    notice = make_notice(title="Withdrawn early")
    published_at(notice, at(2025, 4, 15, 9))
    notices.withdraw(notice, by=dk_officer, reason="Sent in error.")
    Notice.objects.filter(pk=notice.pk).update(withdrawn_at=at(2025, 4, 17, 9))
    france = figures.report(2025, today=TODAY).of("FR")
    assert france["notices_received"].value == 1
    assert france["acknowledged_in_time"].total == 0


def test_a_consultation_withdrawn_before_its_due_date_is_not_a_late_answer(dk_officer, fi_officer):
    denial = denials.publish(by=dk_officer, **denial_content())
    consultation = denials.open_consultation(denial, by=fi_officer, **consultation_content())
    denials.record_outcome(consultation, by=fi_officer, outcome="withdrawn")
    type(consultation).objects.filter(pk=consultation.pk).update(
        opened_at=at(2025, 3, 3, 8), due_on=datetime.date(2025, 3, 17),
        outcome_at=at(2025, 3, 5, 8),
    )  # fmt: skip
    denmark = figures.report(2025, today=TODAY).of("DK")
    assert denmark["consultations_received"].value == 1
    assert denmark["consultations_in_time"].total == 0
