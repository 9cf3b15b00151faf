"""Watched applications: made from a screening, screened again when a denial is
announced, told once per new match (or a rise of 10 points), never after the watch
ended or for a denial the state may not read."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.inputs import Conflict
from portal.models import AuditEntry
from sharing.common.choices import EventKind
from sharing.common.models import Event
from sharing.denials import services as denials
from sharing.notifications import delivery as notifications
from sharing.notifications.models import Notification
from sharing.screening import services as watches
from sharing.screening.choices import WatchStatus
from sharing.screening.models import Watch, WatchMatch
from tests.personas import persona
from tests.sharing.conftest import denial_content

pytestmark = pytest.mark.django_db

NEW_MATCH = EventKind.SCREENING_NEW_MATCH


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def watched(officer, reference="FI-EXP-2026-311", days=60, **transaction) -> Watch:
    """``officer`` screens a transaction (by default "Nimbus Intercept" to the UAE) and
    watches it."""
    transaction = {"end_user": "Nimbus Intercept", "destination": "AE", **transaction}
    result = watches.screen(by=officer, **transaction)
    return watches.create(
        by=officer,
        screening=result.screening.pk,
        application_reference=reference,
        decide_by=in_days(days),
    )


def announce(callbacks, act, *args, **kwargs):
    """Do ``act`` and run what follows its commit: the dispatch of its event, then the
    screening of the watches (eagerly, as the embedded mode does)."""
    with callbacks(execute=True):
        return act(*args, **kwargs)


def told() -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(kind=NEW_MATCH).values_list("user__username", "watch__state")
    )


def test_a_denial_notified_after_the_screening_is_told_to_the_watching_state_once(
    fi_officer, fi_admin, fi_viewer, dk_officer, no_viewer, django_capture_on_commit_callbacks
):
    watch = watched(fi_officer)
    assert watch.matches.count() == 0  # nothing matched when it was screened

    denial = announce(
        django_capture_on_commit_callbacks,
        denials.publish,
        by=dk_officer,
        **denial_content(
            parties=[{"role": "end_user", "name": "NIMBUS-INTERCEPT Ltd", "country": "AE"}]
        ),
    )

    # The watching state's officers and admins: not its viewers, nor another state.
    assert told() == [("fi-admin", "FI"), ("fi-officer", "FI")]
    event = Event.objects.get(kind=NEW_MATCH)
    assert event.denial == denial and event.watch == watch
    assert event.payload["score"] >= 80 and event.payload["previous_score"] is None
    assert event.payload["reasons"][0] == {"reason": "name", "percent": 100}
    assert {"reason": "destination", "country": "AE"} in event.payload["reasons"]
    notification = Notification.objects.get(kind=NEW_MATCH, user=fi_officer)
    assert notification.get_absolute_url() == watch.get_absolute_url()
    assert WatchMatch.objects.get(watch=watch).score == event.payload["score"]

    # The same event screened again, or every watch screened again: nobody told twice.
    issued = Event.objects.get(kind=EventKind.DENIAL_ISSUED)
    with django_capture_on_commit_callbacks(execute=True):
        assert watches.rescreen_event(issued.pk) == 0
        assert watches.rescreen_all() == {"lapsed": 0, "told": 0}
        notifications.dispatch(issued.pk)
    assert Event.objects.filter(kind=NEW_MATCH).count() == 1
    assert len(told()) == 2


def test_what_the_screening_showed_is_known_and_a_rise_of_ten_is_told_again(
    fi_officer, fi_admin, dk_officer, django_capture_on_commit_callbacks
):
    # A denial naming the end-user, no country given, for another control entry.
    content = denial_content(
        control_entry="3A001.a",
        parties=[{"role": "end_user", "name": "Nimbus Intercept", "country": ""}],
    )
    denial = announce(django_capture_on_commit_callbacks, denials.publish, by=dk_officer, **content)
    watch = watched(fi_officer, control_entry="5A001.j")
    assert list(watch.matches.values_list("denial", "score", "told_at")) == [(denial.pk, 80, None)]

    # Same control category (5A001): +5, not enough to tell again.
    announce(
        django_capture_on_commit_callbacks,
        denials.amend,
        denial,
        by=dk_officer,
        **{**content, "control_entry": "5A001.a", "change_note": "Entry corrected."},
    )
    assert told() == []

    # The end-user moved to the UAE, the watch's destination: 80 + 10 + 5 = 95.
    denial.refresh_from_db()
    parties = [{"role": "end_user", "name": "Nimbus Intercept", "country": "AE"}]
    announce(
        django_capture_on_commit_callbacks,
        denials.amend,
        denial,
        by=dk_officer,
        **{**content, "control_entry": "5A001.a", "parties": parties, "change_note": "Moved."},
    )
    event = Event.objects.get(kind=NEW_MATCH)
    assert (event.payload["score"], event.payload["previous_score"]) == (95, 80)
    assert [user for user, _state in told()] == ["fi-admin", "fi-officer"]


def test_revoked_narrowed_decided_and_lapsed_trigger_nothing(
    fi_officer, dk_officer, django_capture_on_commit_callbacks
):
    nimbus = denial_content(parties=[{"role": "end_user", "name": "Nimbus Intercept"}])
    decided = watched(fi_officer, reference="FI-1")
    lapsing = watched(fi_officer, reference="FI-2", days=1)
    watches.decide(decided, by=fi_officer, outcome="refused")

    # A denial Finland may not read (Norway only).
    narrow = {**nimbus, "audience": "selected", "recipient_states": ["NO"]}
    announce(django_capture_on_commit_callbacks, denials.publish, by=dk_officer, **narrow)
    assert told() == []

    # The lapsing watch's date passes: the next denial tells nothing, and the sweep ends it.
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        denial = denials.publish(by=dk_officer, **{**nimbus, "national_reference": "DK-2026/0099"})
    for event in Event.objects.filter(kind=EventKind.DENIAL_ISSUED):
        assert watches.rescreen_event(event.pk, today=tomorrow) == 0
    assert watches.rescreen_all(today=tomorrow)["lapsed"] == 1
    lapsing.refresh_from_db()
    assert lapsing.status == WatchStatus.LAPSED
    # (the decided watch was told nothing either; the lapsing one was told today, before)
    assert {n.watch_id for n in Notification.objects.filter(kind=NEW_MATCH)} <= {lapsing.pk}

    # A revoked denial: its events screen nothing.
    live = watched(fi_officer, reference="FI-3")
    before = Event.objects.filter(kind=NEW_MATCH).count()
    denials.revoke(denial, by=dk_officer, reason="Granted after all.")
    issued = Event.objects.filter(kind=EventKind.DENIAL_ISSUED, denial=denial).get()
    assert watches.rescreen_event(issued.pk) == 0
    assert not WatchMatch.objects.filter(watch=live, denial=denial, told_at__isnull=False).exists()
    assert Event.objects.filter(kind=NEW_MATCH).count() == before


def test_a_denial_narrowed_away_from_the_state_is_not_screened_for_it(
    fi_officer, dk_officer, django_capture_on_commit_callbacks
):
    watch = watched(fi_officer, end_user="Orion Signals")
    denial = announce(
        django_capture_on_commit_callbacks,
        denials.publish,
        by=dk_officer,
        **denial_content(parties=[{"role": "end_user", "name": "Aldebaran Tech"}]),
    )
    # Amended to name the watched end-user, and narrowed to Norway at the same time.
    amended = denial_content(
        audience="selected",
        recipient_states=["NO"],
        parties=[{"role": "end_user", "name": "Orion Signals"}],
        change_note="Narrowed.",
    )
    announce(django_capture_on_commit_callbacks, denials.amend, denial, by=dk_officer, **amended)
    assert told() == [] and not watch.matches.exists()


def test_what_a_watch_takes_is_checked(fi_officer, fi_viewer, dk_officer):
    result = watches.screen(by=fi_officer, end_user="Nimbus")
    others = watches.screen(by=dk_officer, end_user="Nimbus")
    good = {
        "screening": result.screening.pk,
        "application_reference": "FI-9",
        "decide_by": in_days(30),
    }
    for change, field in (
        ({"application_reference": ""}, "application_reference"),
        ({"application_reference": "x\x00"}, "application_reference"),
        ({"decide_by": in_days(-1)}, "decide_by"),
        ({"decide_by": in_days(400)}, "decide_by"),
        ({"decide_by": "soon"}, "decide_by"),
        ({"screening": others.screening.pk}, "screening"),  # another state's
        ({"screening": "12abc"}, "screening"),
        ({"screening": True}, "screening"),
        ({"colour": "red"}, "colour"),
    ):
        with pytest.raises(ValidationError) as refused:
            watches.create(by=fi_officer, **{**good, **change})
        assert field in refused.value.message_dict
    assert not Watch.objects.exists()

    watch = watches.create(by=fi_officer, **good)
    with pytest.raises(ValidationError) as refused:
        watches.create(by=fi_officer, **good)
    assert "application_reference" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        watches.create(by=fi_viewer, **good)
    assert AuditEntry.objects.filter(action="watch.created").count() == 1

    # The decision: the watching state only, once.
    with pytest.raises(PermissionDenied):
        watches.decide(watch, by=dk_officer, outcome="granted")
    with pytest.raises(ValidationError):
        watches.decide(watch, by=fi_officer, outcome="maybe")
    watches.decide(watch, by=fi_officer, outcome="granted")
    with pytest.raises(Conflict):
        watches.decide(watch, by=fi_officer, outcome="refused")
    watch.refresh_from_db()
    assert watch.status == WatchStatus.GRANTED and watch.decided_by == fi_officer
    # Decided, the reference may be watched again (a new application with the same number).
    assert watches.create(by=fi_officer, **good).status == WatchStatus.ACTIVE


def test_watches_are_seen_by_their_states_screeners_only(fi_officer, fi_viewer, dk_officer):
    watch = watched(fi_officer)
    assert list(Watch.objects.visible_to(persona("fi-admin"))) == [watch]
    for other in (fi_viewer, dk_officer):
        assert not Watch.objects.visible_to(other).exists()


def test_what_a_watch_counts_and_tells_is_what_its_readers_may_read(client, fi_officer, dk_officer):
    denial = denials.publish(
        by=dk_officer,
        **denial_content(parties=[{"role": "end_user", "name": "Orion Signals", "country": "AE"}]),
    )
    watch = watched(fi_officer, end_user="Orion Signals")
    assert watch.matches.count() == 1  # what the screening showed
    denials.amend(
        denial,
        by=dk_officer,
        **denial_content(
            parties=[{"role": "end_user", "name": "Orion Signals", "country": "AE"}],
            audience="selected",
            recipient_states=["NO"],
            change_note="Norway only.",
        ),
    )
    assert not WatchMatch.objects.visible_to(fi_officer).exists()
    client.force_login(fi_officer)
    listed = client.get("/denials/watches/")
    assert [w.told for w in listed.context["active"]] == [0]


def test_an_owner_who_is_no_longer_an_official_is_not_told(
    fi_officer, fi_admin, dk_officer, django_capture_on_commit_callbacks
):
    watched(fi_officer)
    fi_officer.role = "viewer"
    fi_officer.save(update_fields=["role"])
    announce(
        django_capture_on_commit_callbacks,
        denials.publish,
        by=dk_officer,
        **denial_content(parties=[{"role": "end_user", "name": "Nimbus Intercept"}]),
    )
    assert told() == [("fi-admin", "FI")]


def test_a_decided_watch_is_told_nothing_even_by_a_screening_already_running(
    fi_officer, dk_officer
):
    watch = watched(fi_officer)
    denial = denials.publish(
        by=dk_officer, **denial_content(parties=[{"role": "end_user", "name": "Nimbus Intercept"}])
    )
    [(_denial, match)] = denials.matching(
        watches._transaction(watch), denials.Denial.objects.visible_to(fi_officer)
    )
    watches.decide(watch, by=fi_officer, outcome="granted")
    assert watches._tell(watch, denial, match) is False  # the screening had the watch open
    assert not Event.objects.filter(kind=NEW_MATCH).exists()


def test_new_matches_about_one_denial_do_not_wait_for_each_other(
    fi_officer, no_officer, dk_officer
):
    watched(fi_officer, reference="FI-1")
    watched(no_officer, reference="NO-1")
    denials.publish(
        by=dk_officer, **denial_content(parties=[{"role": "end_user", "name": "Nimbus Intercept"}])
    )
    for event in Event.objects.exclude(kind=NEW_MATCH):
        notifications.dispatch(event.pk)
    issued = Event.objects.get(kind=EventKind.DENIAL_ISSUED)
    watches.rescreen_event(issued.pk)
    first, second = Event.objects.filter(kind=NEW_MATCH).order_by("pk")
    assert notifications.dispatch(second.pk) > 0  # not held back behind the first
    assert notifications.dispatch(first.pk) > 0


def test_a_watch_is_made_from_ones_own_screening_and_a_reference_past_its_date_is_free(
    fi_officer, fi_admin
):
    colleague = watches.screen(by=fi_admin, end_user="Orion Signals")
    with pytest.raises(ValidationError) as refused:
        watches.create(
            by=fi_officer,
            screening=colleague.screening.pk,
            application_reference="FI-30",
            decide_by=in_days(10),
        )
    assert "screening" in refused.value.message_dict
    first = watched(fi_officer, reference="FI-30", days=0)
    Watch.objects.filter(pk=first.pk).update(decide_by=timezone.localdate() - datetime.timedelta(1))
    first.refresh_from_db()
    assert first.get_current_status_display() == "Decide-by date passed"
    again = watched(fi_officer, reference="FI-30")  # not swept yet, and yet free
    assert again.status == WatchStatus.ACTIVE
    first.refresh_from_db()
    assert first.status == WatchStatus.LAPSED


def nimbus_denial(by):
    return denials.publish(
        by=by, **denial_content(parties=[{"role": "end_user", "name": "Nimbus Intercept"}])
    )


def test_a_new_match_whose_denial_was_revoked_before_it_went_out_tells_nobody(
    fi_officer, dk_officer
):
    watched(fi_officer)
    denial = nimbus_denial(dk_officer)
    for event in Event.objects.all():
        notifications.dispatch(event.pk)
    watches.rescreen_event(Event.objects.get(kind=EventKind.DENIAL_ISSUED).pk)
    new_match = Event.objects.get(kind=NEW_MATCH, dispatched_at__isnull=True)
    denials.revoke(denial, by=dk_officer, reason="Granted after all.")
    revoked = Event.objects.get(kind=EventKind.DENIAL_REVOKED)
    notifications.dispatch(revoked.pk)  # not held back behind the new match
    assert notifications.dispatch(new_match.pk) == 0
    new_match.refresh_from_db()
    assert new_match.dispatched_at is not None
    assert told() == []


def test_an_item_revoked_while_a_sweep_runs_is_not_told(fi_officer, dk_officer):
    watch = watched(fi_officer)
    denial = nimbus_denial(dk_officer)
    [(_denial, match)] = denials.matching(
        watches._transaction(watch), denials.Denial.objects.visible_to(fi_officer)
    )
    denials.revoke(denial, by=dk_officer, reason="Granted after all.")
    assert watches._tell(watch, denial, match) is False
    assert not WatchMatch.objects.filter(denial=denial).exists()


def test_the_day_a_screening_is_run_for_is_the_day_it_tells_for(fi_officer, dk_officer):
    watch = watched(fi_officer)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Watch.objects.filter(pk=watch.pk).update(decide_by=yesterday)
    nimbus_denial(dk_officer)
    issued = Event.objects.get(kind=EventKind.DENIAL_ISSUED)
    assert watches.rescreen_event(issued.pk, today=yesterday) == 1


def test_a_former_official_no_longer_sees_the_new_matches_of_watches(
    fi_officer, dk_officer, django_capture_on_commit_callbacks
):
    watched(fi_officer)
    announce(django_capture_on_commit_callbacks, nimbus_denial, dk_officer)
    assert Notification.objects.visible_to(fi_officer).filter(kind=NEW_MATCH).exists()
    fi_officer.role = "viewer"
    fi_officer.save(update_fields=["role"])
    assert not Notification.objects.visible_to(fi_officer).filter(kind=NEW_MATCH).exists()
