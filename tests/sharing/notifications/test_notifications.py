"""From an outbox event to inboxes and e-mails: who is told of what, once, and what an
e-mail may carry. Tasks run eagerly here; tests/sharing/test_notification_worker.py runs
the same flow through Redis and a real worker."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, transaction
from django.template import TemplateSyntaxError

from accounts.choices import Role, StateStatus
from accounts.models import State
from sharing.common.choices import EventKind
from sharing.common.models import Event
from sharing.common.querysets import as_state, reader_states
from sharing.notices import services as notices
from sharing.notices.models import Notice
from sharing.notifications import delivery
from sharing.notifications import services as notifications
from sharing.notifications.choices import EmailStatus
from sharing.notifications.models import DigestSent, Notification
from sharing.practices import services as practices
from tests.factories import UserFactory
from tests.personas import persona
from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(dk_officer, dk_admin, dk_viewer, no_admin, no_officer, no_viewer, fr_viewer):
    """Users of Denmark (the author), Norway, Finland (the recipients) and France."""

    def user(name, state, role=Role.VIEWER, **extra):
        return UserFactory(username=name, state_id=state, role=role, **extra)

    return {
        "dk_officer": dk_officer,
        "dk_admin": dk_admin,
        "dk_viewer": dk_viewer,
        "no_admin": no_admin,
        "no_officer": no_officer,
        "no_viewer": no_viewer,
        "no_gone": user("no-gone", "NO", is_active=False),
        "fi_officer": user("fi-officer", "FI", Role.OFFICER),
        "fi_viewer": user("fi-viewer", "FI"),
        "fr_viewer": fr_viewer,
    }


def to_norway_and_finland(**overrides):
    return notice_content(**{"audience": "selected", "recipient_states": ["NO", "FI"], **overrides})


def publish(act, by, **overrides):
    draft = notices.create(by=by, **to_norway_and_finland(**overrides))
    return act(notices.publish, draft, by=by)


def notified(kind=None):
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(rows.values_list("user__username", flat=True))


# --- Who is told ------------------------------------------------------------------------


def test_a_publication_tells_every_active_user_of_the_audience_states_once(act, people):
    notice = publish(act, people["dk_officer"])

    assert notified() == ["fi-officer", "fi-viewer", "no-admin", "no-officer", "no-viewer"]
    event = Event.objects.get(notice=notice, kind=EventKind.NOTICE_PUBLISHED)
    assert event.dispatched_at is not None
    # Only the recipients' own inboxes show it.
    assert Notification.objects.visible_to(people["no_viewer"]).get().notice == notice
    assert not Notification.objects.visible_to(people["dk_admin"]).exists()


def test_dispatching_again_adds_nothing(act, people):
    notice = publish(act, people["dk_officer"])
    event = Event.objects.get(notice=notice)
    before = notified()

    assert delivery.dispatch(event.pk) == 0
    Event.objects.filter(pk=event.pk).update(dispatched_at=None)  # as if never marked
    delivery.dispatch(event.pk)

    assert notified() == before
    assert len(mail.outbox) == len(before)


def test_an_act_rolled_back_announces_nothing(people, django_capture_on_commit_callbacks):
    draft = notices.create(by=people["dk_officer"], **to_norway_and_finland())

    class Undo(Exception):
        pass

    with (
        pytest.raises(Undo),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        notices.publish(draft, by=people["dk_officer"])
        raise Undo

    assert callbacks == []
    assert not Event.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_dispatch_that_dies_before_commit_leaves_nothing_and_can_run_again(
    act, people, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False):  # the broker took nothing
        draft = notices.create(by=people["dk_officer"], **to_norway_and_finland())
        notice = notices.publish(draft, by=people["dk_officer"])
    event = Event.objects.get(notice=notice)

    def die(*args, **kwargs):
        raise SystemExit("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr("sharing.notifications.delivery.WebhookDelivery.objects.bulk_create", die)
        with pytest.raises(SystemExit):
            delivery.dispatch(event.pk)
    assert not Notification.objects.exists()
    event.refresh_from_db()
    assert event.dispatched_at is None

    act(delivery.dispatch, event.pk)
    assert len(notified()) == 5


def test_a_withdrawal_tells_those_told_before_even_new_users(act, people):
    notice = publish(act, people["dk_officer"])
    newcomer = UserFactory(username="no-newcomer", state_id="NO")

    act(notices.withdraw, notice, by=people["dk_officer"], reason="Superseded.")

    told = notified(EventKind.NOTICE_WITHDRAWN)
    assert told == ["fi-officer", "fi-viewer", "no-admin", "no-officer", "no-viewer"]
    assert newcomer.username not in told


def test_an_amendment_reaches_only_the_states_still_in_the_audience(act, people):
    notice = publish(act, people["dk_officer"])

    act(
        notices.amend,
        notice,
        by=people["dk_officer"],
        change_note="Finland no longer concerned.",
        material=True,
        **notice_content(audience="selected", recipient_states=["NO"]),
    )

    assert notified(EventKind.NOTICE_AMENDED) == ["no-admin", "no-officer", "no-viewer"]
    # Finland's earlier notification is no longer shown: they cannot open the notice.
    assert not Notification.objects.visible_to(people["fi_viewer"]).exists()


def test_a_comment_tells_the_author_state_and_the_states_that_took_part(act, people):
    notice = publish(act, people["dk_officer"])
    act(notices.acknowledge, notice, by=people["fi_officer"])
    Notification.objects.all().delete()

    act(notices.comment, notice, by=people["no_officer"], body="We saw them too.")

    # Denmark (author) and Finland (acknowledged); Norway's commenter is not told of
    # their own comment, but the rest of Norway is (its state took part).
    assert notified(EventKind.NOTICE_COMMENTED) == [
        "dk-admin",
        "dk-officer",
        "dk-viewer",
        "fi-officer",
        "fi-viewer",
        "no-admin",
        "no-viewer",
    ]


def test_an_acknowledgement_tells_the_author_states_officers_and_admins(act, people):
    notice = publish(act, people["dk_officer"])

    act(notices.acknowledge, notice, by=people["no_viewer"])

    assert notified(EventKind.NOTICE_ACKNOWLEDGED) == ["dk-admin", "dk-officer"]


def test_a_best_practice_reaches_its_audience_and_an_endorsement_its_authors(
    act, people, make_practice, observer_user
):
    practice = act(make_practice, by=people["no_officer"], audience="subscribing")

    told = notified(EventKind.PRACTICE_PUBLISHED)
    assert "dk-viewer" in told and "fr-viewer" in told
    assert observer_user.username not in told  # the audience is subscribing states only
    assert "no-officer" not in told  # the author is not told of their own act

    act(practices.endorse, practice, by=people["dk_admin"], kind="adopted")
    assert notified(EventKind.PRACTICE_ENDORSED) == ["no-admin", "no-officer"]


def test_minor_corrections_are_told_to_nobody(act, people):
    notice = publish(act, people["dk_officer"])
    act(
        notices.amend,
        notice,
        by=people["dk_officer"],
        change_note="Typo.",
        material=False,
        **to_norway_and_finland(title="Spyware reseller approaching licensing authority"),
    )
    assert notified(EventKind.NOTICE_CORRECTED) == []
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()


def test_suspended_states_are_not_told(act, people, suspended_user):
    publish(act, people["dk_officer"], audience="community", recipient_states=[])
    assert suspended_user.username not in notified()


@pytest.mark.parametrize(
    ("audience", "recipients", "tlp"),
    [
        ("community", [], "clear"),
        ("subscribing", [], "amber"),
        ("selected", ["NO", "JP"], "red"),
        ("selected", ["CL"], "amber+strict"),
    ],
)
def test_reader_states_are_exactly_the_states_that_can_read(
    act, people, observer_user, suspended_user, audience, recipients, tlp
):
    """The recipients rule and visible_to never disagree: a user of a state in
    reader_states(notice) can open it, and nobody else can."""
    notice = publish(
        act, people["dk_officer"], audience=audience, recipient_states=recipients, tlp=tlp
    )
    assert_reader_states_are_those_that_can_read(notice)


def assert_reader_states_are_those_that_can_read(item):
    readers = set(reader_states(item).values_list("pk", flat=True))
    can_read = {
        state.pk
        for state in State.objects.all()
        if type(item).objects.visible_to(as_state(state)).filter(pk=item.pk).exists()
    }
    suspended = set(State.objects.filter(status=StateStatus.SUSPENDED).values_list("pk", flat=True))
    assert suspended  # the rule is put to the test for them too
    assert readers == can_read - suspended
    # A suspended state reads nothing as a state: what it sees of a public best
    # practice, anyone sees, signed in or not.
    assert can_read & suspended == (suspended if getattr(item, "public", False) else set())
    assert_the_inbox_shows_exactly_what_its_reader_can_open(item)


def assert_the_inbox_shows_exactly_what_its_reader_can_open(item):
    """Notification.visible_to reads each kind's rule through a join (querysets.under):
    a notification about ``item`` shows in a person's inbox exactly when they can open
    ``item`` itself, whoever they are."""
    from accounts.models import User

    field = "notice" if isinstance(item, Notice) else "best_practice"
    event = Event.objects.filter(**{field: item}).earliest("pk")
    for user in User.objects.all():
        notification, _ = Notification.objects.get_or_create(
            event=event, user=user, defaults={"kind": event.kind, field: item}
        )
        opens = type(item).objects.visible_to(user).filter(pk=item.pk).exists()
        shown = Notification.objects.visible_to(user).filter(pk=notification.pk).exists()
        assert shown == opens, (user.username, user.role, user.state_id)


@pytest.mark.parametrize(
    ("audience", "public", "co_authors", "suspended_later"),
    [
        ("subscribing", False, [], None),
        ("community", False, [], None),
        ("subscribing", False, ["CL"], None),  # an observer state reads what it co-wrote
        ("subscribing", True, [], None),  # every state reads a public one
        ("community", False, ["FI"], "FI"),  # a co-author suspended since
        ("subscribing", True, ["FI"], "NO"),  # the lead suspended since
    ],
)
def test_reader_states_of_best_practices_are_exactly_the_states_that_can_read(
    make_practice, observer_user, suspended_user, audience, public, co_authors, suspended_later
):
    practice = make_practice(audience=audience, public=public, co_authors=co_authors)
    if suspended_later:
        State.objects.filter(pk=suspended_later).update(status=StateStatus.SUSPENDED)
        practice.refresh_from_db()

    assert_reader_states_are_those_that_can_read(practice)
    readers = set(reader_states(practice).values_list("pk", flat=True))
    assert ("CL" in readers) is bool(public or audience == "community" or "CL" in co_authors)
    assert "PE" not in readers
    if suspended_later:
        assert suspended_later not in readers


# --- E-mail -----------------------------------------------------------------------------


def mail_to(user):
    return [m for m in mail.outbox if user.email in m.to]


def test_e_mail_follows_each_persons_choice_and_their_states_default(act, people):
    notifications.set_email_preference(by=people["no_viewer"], mode="off")
    notifications.set_email_preference(by=people["no_officer"], mode="daily")
    fi_admin = persona("fi-admin")
    notifications.set_state_email_default(by=fi_admin, mode="off")
    notifications.set_email_preference(by=people["fi_officer"], mode="immediate")

    publish(act, people["dk_officer"])

    assert [len(mail_to(people[name])) for name in ("no_admin", "fi_officer")] == [1, 1]
    for name in ("no_viewer", "no_officer", "fi_viewer"):
        assert mail_to(people[name]) == [], name
    status = dict(Notification.objects.values_list("user__username", "email_status"))
    assert status["no-officer"] == EmailStatus.DIGEST
    assert status["no-viewer"] == EmailStatus.SKIPPED
    assert status["fi-viewer"] == EmailStatus.SKIPPED  # Finland's default: off


@pytest.mark.parametrize(
    ("preference", "sent"),
    [
        ({"min_severity": "critical"}, False),
        ({"min_severity": "high"}, True),
        ({"categories": ["ip-network-surveillance"]}, False),
        ({"categories": ["intrusion-software", "ip-network-surveillance"]}, True),
        ({"countries": ["MM"]}, False),
        ({"countries": ["AE", "MM"]}, True),
    ],
)
def test_e_mail_filters_narrow_what_is_e_mailed_not_the_inbox(act, people, preference, sent):
    notifications.set_email_preference(by=people["no_viewer"], mode="immediate", **preference)

    publish(act, people["dk_officer"])  # high severity, intrusion software, about AE

    assert bool(mail_to(people["no_viewer"])) is sent
    assert Notification.objects.filter(user=people["no_viewer"]).count() == 1


def test_an_amber_notice_e_mail_carries_the_marking_and_title_but_never_the_text(act, people):
    notice = publish(act, people["dk_officer"], tlp="amber")
    message = mail_to(people["no_viewer"])[0]
    text = message.body
    html = message.alternatives[0][0]

    assert message.subject.startswith("[ECHRI Exchange] TLP:AMBER")
    assert notice.reference in message.subject
    assert text.startswith("TLP:AMBER")
    assert "TLP:AMBER" in html.split("<h2")[0]  # the marking comes before the title
    assert notice.title in text and notice.title in html
    for secret in (notice.summary, "two", "Nimbus"):
        assert secret not in text and secret not in html
    assert f"/notices/{notice.pk}/" in text


def test_a_green_notice_e_mail_carries_its_summary_in_text_and_html(act, people):
    notice = publish(act, people["dk_officer"], tlp="green")
    message = mail_to(people["no_viewer"])[0]
    assert notice.summary in message.body
    assert notice.summary in message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"


def test_e_mail_is_in_the_recipients_language(act, people):
    people["no_viewer"].language = "fr"
    people["no_viewer"].save()
    publish(act, people["dk_officer"], tlp="green")
    assert "Avis publié" in mail_to(people["no_viewer"])[0].body


def test_at_send_time_nobody_is_told_of_what_they_can_no_longer_read(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        draft = notices.create(by=people["dk_officer"], **to_norway_and_finland())
        notice = notices.publish(draft, by=people["dk_officer"])
    event = Event.objects.get(notice=notice)
    with django_capture_on_commit_callbacks(execute=False):  # e-mails not yet handed over
        delivery.dispatch(event.pk)
    # Between the event and the e-mail: a user leaves, Finland is taken out.
    people["no_viewer"].is_active = False
    people["no_viewer"].save()
    with django_capture_on_commit_callbacks(execute=False):
        notices.amend(
            notice,
            by=people["dk_officer"],
            change_note="Norway only.",
            material=True,
            **notice_content(audience="selected", recipient_states=["NO"]),
        )

    sent = delivery.send_emails(list(Notification.objects.values_list("pk", flat=True)))

    assert sent == 2
    assert sorted(m.to[0].split("@")[0] for m in mail.outbox) == ["no-admin", "no-officer"]
    skipped = Notification.objects.filter(email_status=EmailStatus.SKIPPED)
    assert sorted(skipped.values_list("user__username", flat=True)) == [
        "fi-officer",
        "fi-viewer",
        "no-viewer",
    ]
    # A second run (a redelivered task) sends nothing more.
    assert delivery.send_emails(list(Notification.objects.values_list("pk", flat=True))) == 0


# --- Digests ----------------------------------------------------------------------------

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def test_a_daily_digest_goes_once_a_day_at_the_hour_in_the_users_time_zone(act, people, settings):
    settings.DIGEST_HOUR = 7
    reader = people["no_viewer"]
    reader.time_zone = "Europe/Oslo"
    reader.save()
    notifications.set_email_preference(by=reader, mode="daily")

    with time_machine.travel(datetime.datetime(2026, 11, 26, 14, 0, tzinfo=OSLO)):
        first = publish(act, people["dk_officer"], title="First notice")
        second = publish(act, people["dk_officer"], title="Second notice", tlp="red")
        publish(act, people["dk_officer"], title="Already read")
        notifications.mark_read_about(
            Notification.objects.get(notice__title="Already read", user=reader).notice, by=reader
        )
    assert mail_to(reader) == []

    def run_at(hour, minute=5, day=27):
        return delivery.send_digests(datetime.datetime(2026, 11, day, hour, minute, tzinfo=OSLO))

    run_at(6)  # too early
    assert mail_to(reader) == []
    run_at(7)
    (digest,) = mail_to(reader)
    assert "Your daily digest: 2 notifications" in digest.subject
    assert first.title in digest.body and second.title in digest.body
    assert "Already read" not in digest.body
    assert "TLP:RED" in digest.body.splitlines()[0]  # the highest marking, on top
    assert second.summary not in digest.body

    run_at(7, 20)
    run_at(11)
    assert len(mail_to(reader)) == 1  # never twice for the same day
    assert DigestSent.objects.get(user=reader).notifications == 2
    assert run_at(7, day=28) == 0  # nothing new the next day: no e-mail


def test_a_weekly_digest_goes_on_mondays_only(act, people, settings):
    settings.DIGEST_HOUR = 7
    reader = people["no_viewer"]
    notifications.set_email_preference(by=reader, mode="weekly")
    publish(act, people["dk_officer"])
    utc = datetime.UTC
    assert delivery.send_digests(datetime.datetime(2026, 11, 27, 7, 5, tzinfo=utc)) == 0
    assert delivery.send_digests(datetime.datetime(2026, 11, 30, 7, 5, tzinfo=utc)) == 1
    assert "weekly" in mail_to(reader)[0].subject


def test_a_digest_missed_by_beat_catches_up_within_hours_but_not_before_the_hour(settings):
    settings.DIGEST_HOUR = 22
    at = datetime.datetime
    # 22:00 on the 26th, caught up past midnight: still the 26th's digest.
    assert delivery.digest_period(at(2026, 11, 27, 1, 0), "daily") == datetime.date(2026, 11, 26)
    assert delivery.digest_period(at(2026, 11, 27, 21, 59), "daily") is None
    assert delivery.digest_period(at(2026, 11, 27, 4, 0), "daily") is None


def test_leaving_the_digest_drops_what_waited_for_it(act, people):
    reader = people["no_viewer"]
    notifications.set_email_preference(by=reader, mode="daily")
    publish(act, people["dk_officer"])
    notifications.set_email_preference(by=reader, mode="immediate")

    delivery.send_digests()

    note = Notification.objects.get(user=reader)
    assert note.email_status == EmailStatus.SKIPPED
    assert mail_to(reader) == []


# --- The sweeper ------------------------------------------------------------------------


def test_the_sweeper_dispatches_what_the_broker_never_got_exactly_once(
    people, django_capture_on_commit_callbacks, settings
):
    settings.EVENT_SWEEP_GRACE_SECONDS = 30
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down
        draft = notices.create(by=people["dk_officer"], **to_norway_and_finland())
        notices.publish(draft, by=people["dk_officer"])
    assert not Notification.objects.exists()

    now = datetime.datetime.now(datetime.UTC)
    assert delivery.sweep(now)["events"] == 0  # within the grace period
    later = now + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.sweep(later)["events"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.sweep(later)["events"] == 0

    assert len(notified()) == 5
    assert len(mail.outbox) == 5


def test_the_sweeper_frees_e_mails_stuck_with_a_dead_worker(act, people):
    publish(act, people["dk_officer"])
    stuck = Notification.objects.filter(user=people["no_viewer"])
    stuck.update(
        email_status=EmailStatus.SENDING,
        email_claimed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    mail.outbox.clear()

    delivery.sweep(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=15))

    assert stuck.get().email_status == EmailStatus.SENT
    assert len(mail_to(people["no_viewer"])) == 1


def test_observers_are_told_of_what_reaches_them(act, people, observer_user):
    publish(act, people["dk_officer"], audience="community", recipient_states=[])
    assert observer_user.username in notified()
    assert State.objects.get(pk="CL").status == StateStatus.OBSERVER


# --- Failures on the way out ------------------------------------------------------------


@pytest.fixture
def troubled_mail(settings):
    """A mail server that refuses some addresses and fails on others."""
    from tests import mail as troubled

    settings.EMAIL_BACKEND = "tests.mail.TroubledBackend"
    troubled.REFUSED.clear()
    troubled.FAILING.clear()
    yield troubled
    troubled.REFUSED.clear()
    troubled.FAILING.clear()


def test_a_refused_address_does_not_hold_back_the_others(act, people, troubled_mail):
    troubled_mail.REFUSED.add(people["no_admin"].email)

    publish(act, people["dk_officer"])

    status = dict(Notification.objects.values_list("user__username", "email_status"))
    assert status.pop("no-admin") == EmailStatus.FAILED
    assert set(status.values()) == {EmailStatus.SENT}
    assert len(mail.outbox) == 4


def test_a_failing_server_leaves_the_rest_for_later_and_gives_up_on_one_message(
    act, people, troubled_mail, settings
):
    settings.EMAIL_MAX_ATTEMPTS = 3
    first = min(
        (people[name] for name in ("no_admin", "no_officer", "no_viewer")), key=lambda u: u.pk
    )
    troubled_mail.FAILING.add(first.email)
    publish(act, people["dk_officer"])
    # The batch stopped at the first failure; nothing was lost, nothing sent twice.
    assert Notification.objects.filter(email_status=EmailStatus.PENDING).count() >= 1
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))

    for _ in range(3):
        delivery.send_emails(ids)

    mine = Notification.objects.get(user=first)
    assert (mine.email_status, mine.email_attempts) == (EmailStatus.FAILED, 3)
    others = Notification.objects.exclude(user=first)
    assert set(others.values_list("email_status", flat=True)) == {EmailStatus.SENT}
    assert len(mail.outbox) == 4


def test_a_choice_made_after_the_event_applies_to_its_e_mail(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        draft = notices.create(by=people["dk_officer"], **to_norway_and_finland())
        notice = notices.publish(draft, by=people["dk_officer"])
    with django_capture_on_commit_callbacks(execute=False):  # e-mails not yet handed over
        delivery.dispatch(Event.objects.get(notice=notice).pk)
    notifications.set_email_preference(by=people["no_viewer"], mode="off")
    notifications.set_email_preference(by=people["no_officer"], mode="weekly")

    delivery.send_emails(list(Notification.objects.values_list("pk", flat=True)))

    assert mail_to(people["no_viewer"]) == [] and mail_to(people["no_officer"]) == []
    status = dict(Notification.objects.values_list("user__username", "email_status"))
    assert (status["no-viewer"], status["no-officer"]) == (EmailStatus.SKIPPED, EmailStatus.DIGEST)
    assert status["no-admin"] == EmailStatus.SENT


def test_one_persons_failed_digest_does_not_hold_back_the_others(
    act, people, troubled_mail, settings
):
    settings.DIGEST_HOUR = 7
    for name in ("no_viewer", "no_officer", "fi_viewer"):
        notifications.set_email_preference(by=people[name], mode="daily")
    publish(act, people["dk_officer"])
    troubled_mail.REFUSED.add(people["no_viewer"].email)
    troubled_mail.FAILING.add(people["no_officer"].email)

    at_seven = datetime.datetime(2026, 11, 27, 7, 5, tzinfo=datetime.UTC)
    assert delivery.send_digests(at_seven) == 1  # Finland's viewer

    status = dict(Notification.objects.values_list("user__username", "email_status"))
    assert status["no-viewer"] == EmailStatus.FAILED
    assert status["no-officer"] == EmailStatus.DIGEST  # tried again at the next run
    troubled_mail.FAILING.clear()
    assert delivery.send_digests(at_seven + datetime.timedelta(minutes=15)) == 1
    assert len(mail_to(people["no_officer"])) == 1


@pytest.fixture
def broken_for(monkeypatch):
    """broken_for(user, where, error): making an e-mail for ``user`` raises ``error`` at
    ``where`` (a function of sharing.notifications.delivery), as a bug or the database
    would."""

    def breaks(user, where, error):
        works = getattr(delivery, where)

        def fail(*args, **kwargs):
            touched = args[1] if where == "_message" else args[0].user
            if touched.pk == user.pk:
                raise error
            return works(*args, **kwargs)

        monkeypatch.setattr(delivery, where, fail)

    return breaks


PORTAL_ERRORS = [
    ("_message", TemplateSyntaxError("Invalid block tag")),
    ("can_still_read", DatabaseError("server closed the connection unexpectedly")),
]


@pytest.mark.parametrize(("where", "error"), PORTAL_ERRORS)
def test_a_digest_failing_in_the_portal_holds_back_nobody_and_is_tried_again(
    act, people, settings, broken_for, monkeypatch, caplog, where, error
):
    settings.DIGEST_HOUR = 7
    names = ("no_viewer", "no_officer", "fi_viewer")
    for name in names:
        notifications.set_email_preference(by=people[name], mode="daily")
    publish(act, people["dk_officer"])
    broken = min((people[name] for name in names), key=lambda u: u.pk)
    broken_for(broken, where, error)

    at_seven = datetime.datetime(2026, 11, 27, 7, 5, tzinfo=datetime.UTC)
    assert delivery.send_digests(at_seven) == 2

    assert mail_to(broken) == []
    assert f"The digest of user {broken.pk} failed" in caplog.text
    # Its claim was let go, and what it holds still waits for it.
    assert not DigestSent.objects.filter(user=broken).exists()
    assert Notification.objects.get(user=broken).email_status == EmailStatus.DIGEST
    caplog.clear()
    monkeypatch.undo()  # put right

    assert delivery.send_digests(at_seven + datetime.timedelta(minutes=15)) == 1
    # One digest each: nobody else got a second one.
    assert [len(mail_to(people[name])) for name in names] == [1, 1, 1]


@pytest.mark.parametrize(("where", "error"), PORTAL_ERRORS)
def test_an_e_mail_that_cannot_be_made_counts_as_an_attempt_and_holds_back_nobody(
    people, settings, broken_for, django_capture_on_commit_callbacks, where, error
):
    settings.EMAIL_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=False):
        draft = notices.create(by=people["dk_officer"], **to_norway_and_finland())
        notice = notices.publish(draft, by=people["dk_officer"])
    with django_capture_on_commit_callbacks(execute=False):
        delivery.dispatch(Event.objects.get(notice=notice).pk)
    broken = min(
        (people[name] for name in ("no_admin", "no_officer", "no_viewer")), key=lambda u: u.pk
    )
    broken_for(broken, where, error)
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))

    assert delivery.send_emails(ids) == 4
    mine = Notification.objects.get(user=broken)
    assert (mine.email_status, mine.email_attempts) == (EmailStatus.PENDING, 1)  # not stuck
    for _ in range(2):
        delivery.send_emails(ids)

    mine.refresh_from_db()
    assert (mine.email_status, mine.email_attempts) == (EmailStatus.FAILED, 3)
    assert mail_to(broken) == []
    assert len(mail.outbox) == 4


def test_an_e_mail_lost_with_its_worker_every_time_is_given_up_in_the_end(act, people, settings):
    settings.EMAIL_MAX_ATTEMPTS = 2
    publish(act, people["dk_officer"])
    mail.outbox.clear()
    stuck = Notification.objects.filter(user=people["no_viewer"])
    long_ago = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=15)

    stuck.update(email_status=EmailStatus.SENDING, email_claimed_at=long_ago, email_attempts=1)
    delivery.sweep(later)

    assert stuck.values_list("email_status", "email_attempts").get() == (EmailStatus.FAILED, 2)
    assert mail.outbox == []


def test_a_withdrawal_waits_for_the_publication_it_withdraws(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the broker missed it
        draft = notices.create(by=people["dk_officer"], **to_norway_and_finland())
        notice = notices.publish(draft, by=people["dk_officer"])
    with django_capture_on_commit_callbacks(execute=True):
        notices.withdraw(notice, by=people["dk_officer"], reason="Wrong company.")
    # The withdrawal came through at once, but is not told before the publication.
    assert not Notification.objects.exists()

    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=2)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.sweep(later)

    readers = ["fi-officer", "fi-viewer", "no-admin", "no-officer", "no-viewer"]
    assert notified(EventKind.NOTICE_PUBLISHED) == readers
    assert notified(EventKind.NOTICE_WITHDRAWN) == readers


# Savepoint, lock the event, look for earlier ones, the recipients, one INSERT of their
# notifications, the endpoints, mark it dispatched, release the savepoint.
QUERIES_PER_DISPATCH = 8


@pytest.mark.parametrize("extra", [0, 40])
def test_the_dispatch_runs_a_fixed_number_of_queries(
    people, extra, django_capture_on_commit_callbacks, django_assert_num_queries
):
    for n in range(extra):
        UserFactory(username=f"no-extra-{n}", state_id="NO")
    with django_capture_on_commit_callbacks(execute=False):
        draft = notices.create(by=people["dk_officer"], **to_norway_and_finland())
        notice = notices.publish(draft, by=people["dk_officer"])
    event = Event.objects.get(notice=notice)
    with (
        django_capture_on_commit_callbacks(execute=False),
        django_assert_num_queries(QUERIES_PER_DISPATCH),
    ):
        assert delivery.dispatch(event.pk) == 5 + extra
