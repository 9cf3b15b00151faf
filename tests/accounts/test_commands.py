import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Invitation, State, User
from sharing.practices.models import BestPractice

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_state_admin_invites_the_first_admin(
    seeded_states, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("create_state_admin", "ee", "Kadri.Tamm@MFA.ee")
    invitation = Invitation.objects.get()
    assert (invitation.state_id, invitation.role, invitation.email) == (
        "EE",
        Role.STATE_ADMIN,
        "Kadri.Tamm@mfa.ee",
    )
    assert invitation.invited_by is None
    assert "Invited Kadri.Tamm@mfa.ee as admin of Estonia" in output
    # The printed link names this invitation (its signature carries the second it was
    # made, which a fresh Invitation object would sign again differently).
    link = output.strip().splitlines()[-1]
    token = re.fullmatch(r".*/accounts/invitation/([^/]+)/", link).group(1)
    assert Invitation.id_from_token(token) == invitation.pk
    assert mail.outbox[0].to == ["Kadri.Tamm@mfa.ee"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ZZ", "a@example.org"), "No state has the code 'ZZ'"),
        (("EE", "not-an-address"), "valid e-mail"),
        (("EE", "dk-admin@example.org"), "already has an account"),
    ],
)
def test_create_state_admin_refuses_bad_input_and_changes_nothing(dk_admin, args, message):
    with pytest.raises(CommandError, match=message):
        run("create_state_admin", *args)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_create_state_admin_refuses_a_suspended_state(suspended_state):
    with pytest.raises(CommandError, match="suspended"):
        run("create_state_admin", "PE", "someone@example.org")


def test_seed_demo_creates_three_users_per_state_and_is_idempotent(seeded_states, settings):
    settings.DEBUG = True
    first = run("seed_demo")
    assert "75 user(s) created" in first
    assert "6 demo notice(s) and 12 best practice(s) added" in first
    assert (
        "4 advisory(ies) for industry, 1 public comment window(s), 1 watched "
        "application(s), 11 notice(s) of the past year and 2 questionnaire(s) added"
    ) in first
    officer = User.objects.get(username="dk-officer")
    assert (officer.state_id, officer.role, officer.time_zone) == (
        "DK",
        Role.OFFICER,
        "Europe/Copenhagen",
    )
    assert officer.check_password("demo")
    assert EmailAddress.objects.get(user=officer).verified
    assert User.objects.get(username="xk-viewer").role == Role.VIEWER
    assert User.objects.get(username="us-admin").role == Role.STATE_ADMIN

    second = run("seed_demo")
    assert "0 user(s) created, 75 already there; 0 demo notice(s) and 0 best" in second
    assert User.objects.count() == 75
    from sharing.demo import HISTORY
    from sharing.notices.models import Notice

    history = Notice.objects.filter(title__in=[title for *_, title in HISTORY])
    assert Notice.objects.filter(status="published").exclude(pk__in=history).count() == 5
    # The past year behind the reports: one notice in each of the eleven months before
    # this one, acknowledged then, their notifications read.
    from sharing.notifications.models import Notification

    months = {(n.published_at.year, n.published_at.month) for n in history}
    assert len(months) == 11 and (timezone.now().year, timezone.now().month) not in months
    assert not Notification.objects.filter(notice__in=history, read_at__isnull=True).exists()
    assert "0 notice(s) of the past year and 0 questionnaire(s) added" in second
    # Advisories for industry: two public, one for industry contacts, one awaiting no-admin.
    from sharing.advisories.models import Advisory

    assert "0 advisory(ies)" in second
    released = Advisory.objects.filter(status="released")
    assert sorted(released.values_list("tlp", flat=True)) == ["clear", "clear", "green"]
    assert Advisory.objects.get(status="pending_approval").author_state_id == "NO"
    # Norway's industry list: one confirmed contact, to whom the GREEN advisory goes
    # (once the seeding commits); one asking to join.
    from sharing.advisories.models import Contact, Dissemination

    assert sorted(Contact.objects.values_list("status", flat=True)) == ["active", "requested"]
    (dissemination,) = Dissemination.objects.all()
    assert dissemination.advisory.tlp == "green"
    # A draft open for public comment, with a published comment and Denmark's reply.
    from sharing.practices.models import CommentWindow

    (window,) = CommentWindow.objects.all()
    assert window.is_open and window.best_practice.is_draft
    (comment,) = window.comments.filter(confirmed_at__isnull=False, publishable=True)
    assert comment.replied_by_id == "DK"
    # Germany asks for four eyes: its notice awaits de-admin; its best practice went
    # through de-admin's approval.
    assert State.objects.get(pk="DE").approval_policy == "everything"
    assert Notice.objects.filter(status="pending_approval", author_state_id="DE").count() == 1
    german = BestPractice.objects.get(lead_state_id="DE")
    assert german.current_revision.approved_by.username == "de-admin"
    # Redacted, then shared wider: Denmark keeps version 1 and its file, France never
    # sees them.
    from sharing.common.models import Attachment, Revision

    widened = Notice.objects.get(author_state_id="NO", version=2)
    assert (widened.tlp, widened.audience) == ("green", "subscribing")
    (report,) = Attachment.objects.filter(notice=widened)
    assert report.removed_in == 2
    for reader, versions, files in (("dk-viewer", [1, 2], 1), ("fr-viewer", [2], 0)):
        user = User.objects.get(username=reader)
        readable = Revision.objects.visible_to(user).filter(notice=widened)
        assert sorted(r.version for r in readable) == versions
        assert Attachment.objects.visible_to(user).filter(notice=widened).count() == files
    from sharing.practices.models import Endorsement

    assert BestPractice.objects.filter(status="published").count() == 12
    assert BestPractice.objects.filter(public=True).count() == 4
    assert Endorsement.objects.count() == 7


def test_the_demo_watch_is_matched_by_a_later_denial_and_finland_told(
    seeded_states, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        run("seed_demo")
    from sharing.notifications.models import Notification
    from sharing.screening.models import Watch

    watch = Watch.objects.get(application_reference="FI-TRAFICOM-2026-077")
    (match,) = watch.matches.all()
    assert match.denial.national_reference == "DK-EKS-2026-0131" and match.told_at
    told = Notification.objects.filter(kind="screening.new_match", watch=watch)
    assert sorted(told.values_list("user__username", flat=True)) == ["fi-admin", "fi-officer"]


def test_seed_demo_takes_another_password(seeded_states, settings):
    settings.DEBUG = True
    run("seed_demo", "--password", "another demo pass")
    assert User.objects.get(username="no-viewer").check_password("another demo pass")


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(seeded_states, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        run("seed_demo")
    assert not User.objects.exists()
    run("seed_demo", "--force")
    assert User.objects.count() == 75


def test_the_demo_registry_links_the_broker_to_a_denial_and_records_it_as_a_front(
    seeded_states, settings
):
    settings.DEBUG = True
    assert "(1 relation(s) added)" in run("seed_demo")
    assert "(0 relation(s) added)" in run("seed_demo")
    from sharing.registry.models import Relation
    from sharing.screening import services as screening

    (relation,) = Relation.objects.all()
    assert (relation.kind, relation.state_id) == ("front_for", "DK")
    found = screening.screen(
        by=User.objects.get(username="fi-officer"),
        end_user="Unknown Trading",
        end_user_identifiers="registration AE FZ-000000",
    )
    assert sorted(d.national_reference for d, _match in found.matches) == [
        "DK-EKS-2026-0117",
        "DK-EKS-2026-0131",
    ]
    assert all(match.score >= 95 for _d, match in found.matches)
    assert [n.author_state_id for n, _match in found.notices] == ["DK"]
