"""Four eyes: a state's approval policy, and submitting, approving, rejecting and taking
back what its officers publish (docs/architecture.md, "Four eyes")."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import ApprovalPolicy
from accounts.models import State
from portal.audit import AuditEntry
from portal.inputs import Conflict
from sharing.common.choices import ApprovalStatus, EventKind
from sharing.common.lifecycle import policy_requires
from sharing.common.models import Approval, Event
from sharing.notices import services as notices
from sharing.notices.models import Notice
from sharing.practices import services as practices
from sharing.practices.models import BestPractice
from tests.personas import persona
from tests.sharing.conftest import notice_content, practice_content


def set_policy(code: str, policy: str) -> None:
    State.objects.filter(pk=code).update(approval_policy=policy)


@pytest.fixture
def dk_second(seeded_states):
    return persona("dk-officer-2", seeded=True)


@pytest.mark.parametrize(
    ("policy", "markings", "required"),
    [
        (ApprovalPolicy.NOTHING, ["red"], False),
        (ApprovalPolicy.EVERYTHING, ["clear"], True),
        (ApprovalPolicy.EVERYTHING, [""], True),  # a best practice has no marking
        (ApprovalPolicy.RESTRICTED, ["clear"], False),
        (ApprovalPolicy.RESTRICTED, ["green"], False),
        (ApprovalPolicy.RESTRICTED, ["amber"], True),
        (ApprovalPolicy.RESTRICTED, ["amber+strict"], True),
        (ApprovalPolicy.RESTRICTED, ["red"], True),
        (ApprovalPolicy.RESTRICTED, [""], False),
        # An amendment is judged by the stricter of its markings, before and after:
        # lowering AMBER to GREEN is what most needs a second look.
        (ApprovalPolicy.RESTRICTED, ["amber", "green"], True),
        (ApprovalPolicy.RESTRICTED, ["green", "clear"], False),
    ],
)
def test_the_policy_rule(policy, markings, required):
    assert policy_requires(State(approval_policy=policy), *markings) is required


def test_without_a_policy_nothing_changes(dk_officer):
    notice = notices.create(by=dk_officer, **notice_content())
    notice = notices.publish(notice, by=dk_officer)
    assert notice.is_published
    assert not Approval.objects.exists()


def test_under_a_policy_publishing_alone_is_refused_and_nothing_changes(dk_officer):
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    notice = notices.create(by=dk_officer, **notice_content(tlp="clear"))
    with pytest.raises(Conflict, match="Everything published"):
        notices.publish(notice, by=dk_officer)
    notice.refresh_from_db()
    assert notice.is_draft and notice.reference is None
    assert not Event.objects.exists()


def test_submitted_approved_published_once_by_the_second_officer(
    dk_officer, dk_second, dk_viewer, no_viewer
):
    set_policy("DK", ApprovalPolicy.RESTRICTED)
    notice = notices.create(by=dk_officer, **notice_content(tlp="amber"))

    approval = notices.submit(notice, by=dk_officer)

    notice.refresh_from_db()
    assert notice.status == "pending_approval" and notice.reference is None
    assert approval.act == "publish" and approval.tlp == "amber"
    # Read like a draft: by Denmark's officers and admins, nobody else.
    assert Notice.objects.visible_to(dk_second).filter(pk=notice.pk).exists()
    assert not Notice.objects.visible_to(dk_viewer).filter(pk=notice.pk).exists()
    assert not Notice.objects.visible_to(no_viewer).filter(pk=notice.pk).exists()
    assert list(Event.objects.values_list("kind", flat=True)) == [EventKind.APPROVAL_REQUESTED]

    with pytest.raises(PermissionDenied):
        notices.approve(notice, by=dk_officer)  # never the submitter
    with pytest.raises(PermissionDenied):
        notices.approve(notice, by=dk_viewer)

    notice = notices.approve(notice, by=dk_second)

    assert notice.is_published and notice.reference.startswith("DK-")
    revision = notice.revisions.get()
    assert (revision.created_by, revision.approved_by) == (dk_officer, dk_second)
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by) == (ApprovalStatus.APPROVED, dk_second)
    assert Notice.objects.visible_to(no_viewer).filter(pk=notice.pk).exists()
    kinds = list(Event.objects.values_list("kind", flat=True))
    assert kinds.count(EventKind.NOTICE_PUBLISHED) == 1
    assert EventKind.APPROVAL_GRANTED in kinds
    actions = set(
        AuditEntry.objects.filter(object_id=str(notice.pk)).values_list("action", "actor_username")
    )
    assert {("approval.submitted", "dk-officer"), ("approval.approved", "dk-officer-2")} <= actions

    with pytest.raises(Conflict, match="Nothing here is awaiting approval"):
        notices.approve(notice, by=dk_second)


def test_a_rejection_brings_back_a_draft_with_its_reason(dk_officer, dk_second):
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    notice = notices.create(by=dk_officer, **notice_content())
    notices.submit(notice, by=dk_officer)
    with pytest.raises(ValidationError) as error:
        notices.reject(notice, by=dk_second, reason="  ")
    assert "reason" in error.value.message_dict

    notice = notices.reject(notice, by=dk_second, reason="Name the source less precisely.")

    assert notice.is_draft
    approval = Approval.objects.get()
    assert (approval.status, approval.reason) == ("rejected", "Name the source less precisely.")
    assert EventKind.APPROVAL_REFUSED in Event.objects.values_list("kind", flat=True)


def test_editing_what_awaits_approval_takes_it_back(dk_officer, dk_second):
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    notice = notices.create(by=dk_officer, **notice_content())
    notices.submit(notice, by=dk_officer)

    notice = notices.update(notice, by=dk_second, title="A better title")

    assert notice.is_draft
    assert Approval.objects.get().status == ApprovalStatus.RECALLED
    with pytest.raises(Conflict):
        notices.approve(notice, by=dk_second)


def test_submitting_twice_or_without_a_policy_is_refused(dk_officer):
    notice = notices.create(by=dk_officer, **notice_content())
    with pytest.raises(Conflict, match="asks for no approval"):
        notices.submit(notice, by=dk_officer)
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    notices.submit(notice, by=dk_officer)
    with pytest.raises(Conflict, match="already awaiting approval"):
        notices.submit(notice, by=dk_officer)


def test_a_material_amendment_waits_for_approval_and_a_minor_one_does_not(
    make_notice, dk_officer, dk_second, no_viewer
):
    notice = make_notice(tlp="amber")
    set_policy("DK", ApprovalPolicy.RESTRICTED)
    with pytest.raises(Conflict):
        notices.amend(notice, by=dk_officer, change_note="Lower.", material=True, tlp="green")
    # A minor correction needs nobody else.
    notice = notices.amend(
        notice, by=dk_officer, change_note="Typo.", material=False, summary="Fixed."
    )
    assert notice.version == 2

    approval = notices.submit(
        notice, by=dk_officer, act="amend", change_note="Cleared for wider use.", tlp="green"
    )

    notice.refresh_from_db()
    assert (notice.version, notice.tlp, notice.status) == (2, "amber", "published")
    assert approval.tlp == "amber" and approval.proposal["content"]["tlp"] == "green"

    notice = notices.approve(notice, by=dk_second)

    assert (notice.version, notice.tlp) == (3, "green")
    revision = notice.revisions.get(version=3)
    assert (revision.created_by, revision.approved_by) == (dk_officer, dk_second)
    assert revision.change_note == "Cleared for wider use."


def test_a_withdrawal_waits_for_approval(make_notice, dk_officer, dk_second):
    notice = make_notice(tlp="amber")
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    with pytest.raises(Conflict):
        notices.withdraw(notice, by=dk_officer, reason="Superseded.")
    notices.submit(notice, by=dk_officer, act="retire", reason="Superseded.")
    notice.refresh_from_db()
    assert notice.is_published

    notice = notices.approve(notice, by=dk_second)

    assert notice.is_withdrawn and notice.withdrawn_reason == "Superseded."


def test_platform_staff_and_other_states_never_approve(dk_officer, no_officer, seeded_states):
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    notice = notices.create(by=dk_officer, **notice_content())
    notices.submit(notice, by=dk_officer)
    for someone in (persona("secretariat"), no_officer):
        with pytest.raises(PermissionDenied):
            notices.approve(notice, by=someone)
        with pytest.raises(PermissionDenied):
            notices.reject(notice, by=someone, reason="No.")
    assert Notice.objects.get(pk=notice.pk).is_pending


def test_a_best_practice_is_approved_by_its_lead_state(no_officer, seeded_states):
    set_policy("NO", ApprovalPolicy.EVERYTHING)
    second = persona("no-officer-2")
    practice = practices.create(by=no_officer, **practice_content())
    with pytest.raises(Conflict):
        practices.publish(practice, by=no_officer)
    practices.submit(practice, by=no_officer)
    assert not BestPractice.objects.visible_to(persona("jp-viewer")).filter(pk=practice.pk).exists()

    practice = practices.approve(practice, by=second)

    assert practice.is_published
    practices.submit(practice, by=second, act="retire")
    practice = practices.approve(practice, by=no_officer)
    assert practice.status == "archived"


# --- Found in review: who learns what, and stale submissions ---------------------------------


def test_nobody_outside_learns_whether_anything_awaits_approval(make_notice, dk_officer, dk_viewer):
    notice = make_notice(tlp="amber", audience="selected", recipient_states=["NO"])
    outsider, viewer = persona("no-officer"), dk_viewer
    # The same refusal whether something awaits approval or not.
    for someone in (outsider, viewer):
        with pytest.raises(PermissionDenied):
            notices.approve(notice, by=someone)
        with pytest.raises(PermissionDenied):
            notices.recall(notice, by=someone)
    set_policy("DK", ApprovalPolicy.RESTRICTED)
    notices.submit(notice, by=dk_officer, act="amend", change_note="Wider.", tlp="green")
    for someone in (outsider, viewer):
        with pytest.raises(PermissionDenied):
            notices.approve(notice, by=someone)
        with pytest.raises(PermissionDenied):
            notices.reject(notice, by=someone, reason="No.")
        assert notices.approval_shown(notice, someone) is None


def test_a_co_authoring_state_does_not_see_the_leads_submissions(seeded_states):
    set_policy("NO", ApprovalPolicy.EVERYTHING)
    lead, second, co_author = persona("no-officer"), persona("no-admin"), persona("dk-officer")
    practice = practices.create(by=lead, **practice_content(co_authors=["DK"]))
    practices.submit(practice, by=lead)
    practice = BestPractice.objects.get(pk=practice.pk)
    assert practices.approval_shown(practice, co_author) is None
    with pytest.raises(PermissionDenied):
        practices.recall(practice, by=co_author)
    practices.reject(practice, by=second, reason="Not yet.")
    practice = BestPractice.objects.get(pk=practice.pk)
    assert practices.rejection_shown(practice, co_author) is None
    assert practices.rejection_shown(practice, lead).reason == "Not yet."


def test_a_co_author_who_submits_an_amendment_follows_it(seeded_states):
    lead, co_author = persona("no-officer"), persona("dk-officer")
    practice = practices.publish(
        practices.create(by=lead, **practice_content(co_authors=["DK"])), by=lead
    )
    set_policy("NO", ApprovalPolicy.EVERYTHING)
    practices.submit(practice, by=co_author, act="amend", change_note="Clearer.", summary="New.")
    practice = BestPractice.objects.get(pk=practice.pk)
    assert practices.approval_shown(practice, co_author).submitted_by == co_author
    assert practices.can_recall(practice, co_author)
    assert not practices.can_decide(practice, co_author)
    practice = practices.approve(practice, by=persona("no-admin"))
    assert practice.summary == "New."


def test_the_approval_the_decider_saw_must_be_the_one_pending(dk_officer, dk_second):
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    notice = notices.create(by=dk_officer, **notice_content())
    first = notices.submit(notice, by=dk_officer)
    notices.recall(notice, by=dk_officer)
    notices.submit(notice, by=dk_officer)
    with pytest.raises(Conflict):
        notices.approve(notice, by=dk_second, approval=first.pk)
    with pytest.raises(Conflict):
        notices.approve(notice, by=dk_second, approval="not a number")
    assert Notice.objects.get(pk=notice.pk).is_pending


def test_approving_a_withdrawal_records_no_taking_back(make_notice, dk_officer, dk_second):
    notice = make_notice()
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    notices.submit(notice, by=dk_officer, act="retire", reason="Superseded.")
    notices.approve(notice, by=dk_second)
    assert not AuditEntry.objects.filter(action="approval.recalled").exists()
    assert Approval.objects.get().status == ApprovalStatus.APPROVED


def test_a_minor_correction_takes_back_a_submitted_amendment(make_notice, dk_officer, dk_second):
    notice = make_notice(tlp="amber")
    set_policy("DK", ApprovalPolicy.RESTRICTED)
    notices.submit(notice, by=dk_officer, act="amend", change_note="Wider.", tlp="green")
    notices.amend(notice, by=dk_second, change_note="Typo.", material=False, summary="Fixed.")
    assert Approval.objects.get().status == ApprovalStatus.RECALLED
    # Nothing stuck: a new amendment can be submitted.
    notices.submit(notice, by=dk_officer, act="amend", change_note="Wider.", tlp="green")


def test_publishing_what_awaits_approval_says_so(dk_officer):
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    notice = notices.create(by=dk_officer, **notice_content())
    notices.submit(notice, by=dk_officer)
    with pytest.raises(Conflict, match="already awaiting approval"):
        notices.submit(notice, by=dk_officer)
