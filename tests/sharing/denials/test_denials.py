"""Licence denials, screening and consultations: the services, the working-day
calendar, the beat jobs that remind and expire once, and who is told of what."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import State
from portal.models import AuditEntry
from sharing.common.choices import EventKind
from sharing.common.models import Event
from sharing.denials import services as denials
from sharing.denials import workdays
from sharing.denials.choices import ConsultationStatus, DenialStatus
from sharing.denials.models import Consultation, Denial
from sharing.notifications import delivery as notifications
from sharing.notifications.models import Notification
from sharing.screening import services as screening
from sharing.screening.models import Screening
from tests.personas import persona
from tests.sharing.conftest import consultation_content, denial_content

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def denial(dk_officer):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=UTC), tick=False):
        return denials.publish(by=dk_officer, **denial_content(decided_on="2026-11-02"))


# --- Working days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "start", "days", "due"),
    [
        # Danish Christmas: the 25th, 26th and New Year's Day do not count (the 24th does).
        ("DK", datetime.date(2026, 12, 18), 10, datetime.date(2027, 1, 5)),
        # Finland also keeps Christmas Eve and Epiphany.
        ("FI", datetime.date(2026, 12, 18), 10, datetime.date(2027, 1, 7)),
        # Japan's Golden Week, across a weekend.
        ("JP", datetime.date(2026, 4, 28), 3, datetime.date(2026, 5, 7)),
        # A start on a Saturday counts from Monday.
        ("DK", datetime.date(2026, 11, 21), 1, datetime.date(2026, 11, 23)),
        # The longest a deadline may be: 30 working days.
        ("DK", datetime.date(2026, 11, 20), 30, datetime.date(2027, 1, 5)),
    ],
)
def test_working_days_skip_weekends_and_the_answering_states_holidays(code, start, days, due):
    assert workdays.add_working_days(start, days, code) == due
    assert workdays.working_days_between(start, due, code) == days


def test_the_day_counted_from_is_the_answering_states_own(seeded_states):
    denmark, japan = State.objects.get(pk="DK"), State.objects.get(pk="JP")
    # Thursday 23:30 UTC is already Friday in Copenhagen and in Tokyo.
    moment = datetime.datetime(2026, 12, 17, 23, 30, tzinfo=UTC)

    assert workdays.local_date(moment, denmark) == datetime.date(2026, 12, 18)
    assert workdays.due_date(moment, 10, denmark) == datetime.date(2027, 1, 5)
    assert workdays.due_date(moment, 1, japan) == datetime.date(2026, 12, 21)
    assert (
        workdays.working_days_between(
            datetime.date(2026, 12, 18), datetime.date(2026, 12, 18), "DK"
        )
        == 0
    )


# --- The life of a denial -------------------------------------------------------------------


def test_issuing_a_denial_with_its_defaults(denial, dk_officer):
    assert denial.status == DenialStatus.ACTIVE and denial.version == 1
    assert denial.tlp == "amber" and denial.audience == "subscribing"
    assert denial.review_on == datetime.date(2029, 11, 2)  # three years after the decision
    assert [p.name for p in denial.parties.all()] == ["Nimbus Intercept Ltd", "Falcon Trading FZE"]
    assert denial.revisions.get().version == 1
    assert Event.objects.filter(kind=EventKind.DENIAL_ISSUED, denial=denial).exists()
    assert AuditEntry.objects.filter(action="denial.issued", object_id=str(denial.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"national_reference": ""}, "national_reference"),
        ({"decided_on": "2999-01-01"}, "decided_on"),
        ({"control_entry": "not a code"}, "control_entry"),
        ({"control_entry": "", "catch_all": False}, "control_entry"),
        ({"control_entry": "5A001", "catch_all": True}, "control_entry"),
        ({"parties": []}, "parties"),
        ({"parties": [{"role": "consignee", "name": "Only a consignee"}]}, "parties"),
        ({"parties": [{"role": "end_user", "name": ""}]}, "parties"),
        ({"parties": [{"role": "end_user", "name": "X", "country": "QQ"}]}, "parties"),
        ({"reason_category": "dislike"}, "reason_category"),
        ({"tlp": "red"}, "audience"),
        ({"audience": "selected", "recipient_states": []}, "recipient_states"),
        ({"review_on": "2026-01-01"}, "review_on"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_content_names_the_field_and_changes_nothing(dk_officer, change, field):
    with pytest.raises(ValidationError) as caught:
        denials.publish(by=dk_officer, **denial_content(**change))

    assert field in caught.value.message_dict
    assert not Denial.objects.exists()


def test_only_officers_and_admins_of_a_subscribing_state_notify(dk_viewer, observer_user):
    for user in (dk_viewer, observer_user):
        with pytest.raises(PermissionDenied):
            denials.publish(by=user, **denial_content())


def test_a_reference_is_notified_once(denial, dk_officer):
    with pytest.raises(ValidationError) as caught:
        denials.publish(by=dk_officer, **denial_content())

    assert "national_reference" in caught.value.message_dict


def test_amending_revoking_and_renewing(denial, dk_officer, no_officer):
    with pytest.raises(PermissionDenied):
        denials.amend(denial, by=no_officer, change_note="x", reason="y")
    amended = denials.amend(
        denial, by=dk_officer, change_note="Second address", end_use="Also border control."
    )
    assert amended.status == DenialStatus.AMENDED and amended.version == 2
    assert amended.revisions.get(version=2).change_note == "Second address"

    with time_machine.travel(datetime.datetime(2029, 10, 1, 9, tzinfo=UTC), tick=False):
        renewed = denials.renew(amended, by=dk_officer)
    assert renewed.review_on == datetime.date(2032, 10, 1)

    with pytest.raises(ValidationError):
        denials.revoke(renewed, by=dk_officer, reason="")
    revoked = denials.revoke(renewed, by=dk_officer, reason="The licence was granted.")
    assert revoked.status == DenialStatus.REVOKED and not revoked.in_force
    with pytest.raises(ValidationError):
        denials.amend(revoked, by=dk_officer, change_note="x", end_use="z")
    kinds = list(Event.objects.filter(denial=denial).values_list("kind", flat=True))
    assert kinds == ["denial.issued", "denial.amended", "denial.renewed", "denial.revoked"]


def test_visibility_follows_the_audience(denial, dk_officer, no_viewer, fr_viewer, observer_user):
    narrow = denials.publish(
        by=dk_officer,
        **denial_content(
            national_reference="DK-2026/0043", audience="selected", recipient_states=["NO"]
        ),
    )

    assert set(Denial.objects.visible_to(no_viewer)) == {denial, narrow}
    assert set(Denial.objects.visible_to(fr_viewer)) == {denial}
    assert set(Denial.objects.visible_to(observer_user)) == set()  # subscribing states only


# --- Reviews --------------------------------------------------------------------------------


def test_review_reminders_and_expiry_happen_once_each(denial, dk_officer, dk_admin, no_viewer):
    day = denial.review_on

    denials.review_denials(day - datetime.timedelta(days=61))
    first = denials.review_denials(day - datetime.timedelta(days=60))
    again = denials.review_denials(day - datetime.timedelta(days=59))
    second = denials.review_denials(day - datetime.timedelta(days=14))
    denials.review_denials(day)  # the review day itself: still in force
    expired = denials.review_denials(day + datetime.timedelta(days=1))
    twice = denials.review_denials(day + datetime.timedelta(days=2))

    assert (first, again, second) == (
        {"reminded": 1, "expired": 0},
        {"reminded": 0, "expired": 0},
        {"reminded": 1, "expired": 0},
    )
    assert expired == {"reminded": 0, "expired": 1} and twice == {"reminded": 0, "expired": 0}
    denial.refresh_from_db()
    assert denial.status == DenialStatus.EXPIRED
    reminders = Event.objects.filter(kind=EventKind.DENIAL_REVIEW_DUE, denial=denial)
    assert [e.payload["days"] for e in reminders] == [60, 14]
    states, _who = notifications.audience(reminders.first())
    assert list(states.values_list("pk", flat=True)) == ["DK"]
    expiry = Event.objects.get(kind=EventKind.DENIAL_EXPIRED, denial=denial)
    assert expiry.actor is None


# --- Screening ------------------------------------------------------------------------------


def test_screening_finds_a_denial_through_an_alias_and_records_what_was_shown(denial, fi_officer):
    result = screening.screen(
        by=fi_officer, end_user="NIMBUS SYSTEMS", destination="AE", control_entry="5A001.j"
    )

    assert [d.pk for d, _match in result.matches] == [denial.pk]
    match = result.matches[0][1]
    assert match.reasons
    record = Screening.objects.get()
    assert record.state_id == "FI" and record.query["end_user"] == "NIMBUS SYSTEMS"
    assert list(record.hits.values_list("denial_id", flat=True)) == [denial.pk]
    entry = AuditEntry.objects.get(action="denial.screening")
    assert entry.details == {"shown": [str(denial.pk)]}


def test_screening_never_shows_what_the_state_may_not_see(dk_officer, fr_viewer, seeded_states):
    fr_officer = persona("fr-officer")
    denials.publish(by=dk_officer, **denial_content(audience="selected", recipient_states=["NO"]))

    result = screening.screen(by=fr_officer, end_user="Nimbus Intercept Ltd")

    assert result.matches == []
    with pytest.raises(PermissionDenied):
        screening.screen(by=fr_viewer, end_user="Nimbus")


def test_revoked_and_expired_denials_drop_out_of_screening(denial, dk_officer, fi_officer):
    denials.revoke(denial, by=dk_officer, reason="Granted after all.")

    assert screening.screen(by=fi_officer, end_user="Nimbus Intercept").matches == []


def test_screening_input_is_checked(fi_officer):
    for data, field in (
        ({}, "end_user"),
        ({"end_user": "X", "destination": "QQ"}, "destination"),
        ({"end_user": "X", "control_entry": "nope"}, "control_entry"),
    ):
        with pytest.raises(ValidationError) as caught:
            screening.screen(by=fi_officer, **data)
        assert field in caught.value.message_dict
    assert not Screening.objects.exists()


# --- Consultations --------------------------------------------------------------------------


def open_at(moment, denial, by, **overrides):
    with time_machine.travel(moment, tick=False):
        return denials.open_consultation(denial, by=by, **consultation_content(**overrides))


def test_opening_a_consultation_sets_the_deadline_in_the_denying_states_calendar(
    denial, fi_officer, dk_officer
):
    consultation = open_at(datetime.datetime(2026, 12, 17, 23, 30, tzinfo=UTC), denial, fi_officer)

    assert consultation.due_on == datetime.date(2027, 1, 5)
    assert consultation.status == ConsultationStatus.OPEN
    event = Event.objects.get(kind=EventKind.CONSULTATION_OPENED)
    assert event.consultation == consultation and event.denial == denial
    states, _who = notifications.audience(event)
    assert list(states.values_list("pk", flat=True)) == ["DK"]
    with pytest.raises(PermissionDenied):
        denials.open_consultation(denial, by=dk_officer, **consultation_content())


def test_a_consultation_with_costa_rica_skips_its_independence_day(client, cr_officer, fi_officer):
    # Costa Rica notifies a denial; Finland consults it on Friday 11 September 2026 at
    # 16:00 in San José (already Saturday in Helsinki). Ten Costa Rican working days
    # from that Friday skip Tuesday 15 September, Independence Day: due Monday the
    # 28th, where a Danish calendar would say Friday the 25th.
    with time_machine.travel(datetime.datetime(2026, 9, 1, 15, tzinfo=UTC), tick=False):
        denial = denials.publish(by=cr_officer, **denial_content(decided_on="2026-08-20"))
    consultation = open_at(datetime.datetime(2026, 9, 11, 22, tzinfo=UTC), denial, fi_officer)

    assert datetime.date(2026, 9, 15) not in [
        day
        for day in (datetime.date(2026, 9, d) for d in range(12, 29))
        if workdays.is_working_day(day, "CR")
    ]
    assert consultation.due_on == datetime.date(2026, 9, 28)
    assert workdays.add_working_days(datetime.date(2026, 9, 11), 10, "DK") == datetime.date(
        2026, 9, 25
    )
    # Costa Rica's officer reads the deadline in Spanish, in Costa Rica's time.
    client.force_login(cr_officer)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "lunes 28 sep 2026, al final del día, hora de Costa Rica (America/Costa_Rica)" in page


def test_who_may_consult(denial, fi_viewer, dk_officer, seeded_states):
    with pytest.raises(PermissionDenied):
        denials.open_consultation(denial, by=fi_viewer, **consultation_content())
    denials.revoke(denial, by=dk_officer, reason="Granted.")
    fi_officer = persona("fi-officer")
    with pytest.raises(PermissionDenied):
        denials.open_consultation(denial, by=fi_officer, **consultation_content())


def test_extending_once_to_thirty_working_days_at_most(denial, fi_officer, dk_officer):
    consultation = open_at(datetime.datetime(2026, 11, 20, 9, tzinfo=UTC), denial, fi_officer)

    with pytest.raises(PermissionDenied):
        denials.extend_consultation(consultation, by=fi_officer, working_days=20, reason="x")
    for days in (10, 31, "20"):
        with pytest.raises(ValidationError):
            denials.extend_consultation(consultation, by=dk_officer, working_days=days, reason="x")
    extended = denials.extend_consultation(
        consultation, by=dk_officer, working_days=30, reason="We must ask the police."
    )
    assert extended.due_on == datetime.date(2027, 1, 5)
    with pytest.raises(ValidationError):
        denials.extend_consultation(extended, by=dk_officer, working_days=30, reason="again")


def test_reminders_and_overdue_happen_once_each(denial, fi_officer):
    consultation = open_at(datetime.datetime(2026, 11, 20, 9, tzinfo=UTC), denial, fi_officer)
    due = consultation.due_on  # Friday 4 December 2026
    assert due == datetime.date(2026, 12, 4)

    def at(day, hour=9):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)

    early = denials.watch_consultations(at(datetime.date(2026, 12, 1)))  # 3 working days left
    repeat = denials.watch_consultations(at(datetime.date(2026, 12, 2)))
    on_the_day = denials.watch_consultations(at(due))
    still_due = denials.watch_consultations(at(due, 22))  # 23:00 in Copenhagen
    overdue = denials.watch_consultations(at(due, 23))  # midnight in Copenhagen
    again = denials.watch_consultations(at(due + datetime.timedelta(days=3)))

    assert early == {"early": 1, "due": 0, "overdue": 0}
    assert repeat == {"early": 0, "due": 0, "overdue": 0}
    assert on_the_day == {"early": 0, "due": 1, "overdue": 0}
    assert still_due == {"early": 0, "due": 0, "overdue": 0}
    assert overdue == {"early": 0, "due": 0, "overdue": 1}
    assert again == {"early": 0, "due": 0, "overdue": 0}
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.OVERDUE


def test_answer_thread_and_outcome(denial, fi_officer, dk_officer, no_viewer, fr_viewer):
    consultation = open_at(datetime.datetime(2026, 11, 20, 9, tzinfo=UTC), denial, fi_officer)

    with pytest.raises(ValidationError):  # a licence is not decided before the answer
        denials.record_outcome(consultation, by=fi_officer, outcome="granted")
    denials.write_in_consultation(consultation, by=dk_officer, body="We are checking.")
    with pytest.raises(PermissionDenied):
        denials.answer_consultation(consultation, by=fi_officer, answer="Self-answer")
    with pytest.raises(PermissionDenied):
        denials.write_in_consultation(consultation, by=no_viewer, body="Hello?")
    answered = denials.answer_consultation(
        consultation, by=dk_officer, answer="Yes: the same end-user and the same item."
    )
    assert answered.status == ConsultationStatus.ANSWERED
    closed = denials.record_outcome(answered, by=fi_officer, outcome="refused", note="Refused.")
    assert closed.status == ConsultationStatus.CLOSED
    with pytest.raises(ValidationError):
        denials.record_outcome(closed, by=fi_officer, outcome="granted")

    message = Event.objects.get(kind=EventKind.CONSULTATION_MESSAGE)
    assert list(notifications.audience(message)[0].values_list("pk", flat=True)) == ["FI"]
    outcome = Event.objects.get(kind=EventKind.CONSULTATION_OUTCOME)
    told = set(notifications.audience(outcome)[0].values_list("pk", flat=True))
    assert {"DK", "NO", "FR", "FI"} <= told  # every state that reads the denial
    assert set(Consultation.objects.visible_to(no_viewer)) == set()
    assert set(Consultation.objects.visible_to(fr_viewer)) == set()


def test_notifications_of_a_consultation_reach_exactly_the_two_states(
    denial, fi_officer, fi_viewer, dk_officer, dk_admin, dk_viewer, no_viewer,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    for event in Event.objects.all():  # the denial's own announcement goes first
        notifications.dispatch(event.pk)
    with django_capture_on_commit_callbacks(execute=True):
        consultation = open_at(datetime.datetime(2026, 11, 20, 9, tzinfo=UTC), denial, fi_officer)
    with django_capture_on_commit_callbacks(execute=True):
        denials.answer_consultation(consultation, by=dk_officer, answer="Same deal.")

    def told(kind):
        return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))

    # The denying state's officers and admins (its viewers, and the actor's state, are not).
    assert told(EventKind.CONSULTATION_OPENED) == {"dk-admin", "dk-officer"}
    assert told(EventKind.CONSULTATION_ANSWERED) == {"fi-officer", "fi-viewer"}
    opened = Notification.objects.get(kind=EventKind.CONSULTATION_OPENED, user=dk_admin)
    assert opened.get_absolute_url() == consultation.get_absolute_url()
    assert Notification.objects.visible_to(dk_admin).filter(pk=opened.pk).exists()


def test_a_new_denial_is_announced_to_its_audience(
    dk_officer, no_viewer, fr_viewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        denial = denials.publish(by=dk_officer, **denial_content())

    users = set(Notification.objects.filter(denial=denial).values_list("user__username", flat=True))
    assert {"no-viewer", "fr-viewer"} <= users and "dk-officer" not in users
