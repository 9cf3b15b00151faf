"""Industry advisories through their services: drafted, released only by a second
officer, amended the same way, withdrawn at once; marked CLEAR or GREEN; naming only
their notice's entities, each confirmed; and never repeating a restricted notice."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import ApprovalPolicy
from portal.inputs import Conflict
from portal.models import AuditEntry
from sharing.advisories import services as advisories
from sharing.advisories.models import Advisory
from sharing.common.models import Approval, Revision
from sharing.notices import services as notices
from sharing.notifications.models import Notification
from tests.sharing.advisories.conftest import SECRET_SENTENCE, advisory_content

pytestmark = pytest.mark.django_db


def named(notice, *names, confirmed=True):
    return {"entities": [{"name": n, "confirmed": confirmed} for n in names], "source": notice}


def test_a_second_officer_releases_it_with_a_reference_and_a_public_version(
    make_advisory, no_officer, no_admin
):
    advisory = make_advisory()
    assert advisory.status == "released"
    assert advisory.reference.startswith("NO-ADV-") and advisory.reference.endswith("-0001")
    (revision,) = Revision.objects.filter(advisory=advisory)
    assert (revision.created_by, revision.approved_by, revision.public) == (
        no_officer,
        no_admin,
        True,
    )
    assert AuditEntry.objects.filter(action="advisory.released", actor=no_admin).exists()


def test_its_references_do_not_take_numbers_from_the_notices(
    make_notice, make_advisory, no_officer
):
    notice = make_notice(by=no_officer)
    advisory = make_advisory()
    assert notice.reference.endswith("-0001") and advisory.reference.endswith("-0001")
    assert make_advisory(title="A second one").reference.endswith("-0002")


@pytest.mark.parametrize("policy", [ApprovalPolicy.NOTHING, ApprovalPolicy.RESTRICTED])
def test_it_is_never_released_alone_whatever_the_state_policy(no_officer, policy):
    no_officer.state.approval_policy = policy
    no_officer.state.save()
    advisory = advisories.create(by=no_officer, **advisory_content())
    assert advisories.needs_approval(advisory, "publish")
    with pytest.raises(Conflict):
        advisories._release_alone(advisory, by=no_officer)
    assert Advisory.objects.get().status == "draft"


def test_its_author_cannot_approve_it(no_officer, act):
    advisory = advisories.create(by=no_officer, **advisory_content())
    act(advisories.submit, advisory, by=no_officer)
    with pytest.raises(PermissionDenied):
        advisories.approve(advisory, by=no_officer)


def test_another_state_cannot_write_or_approve_it(no_officer, dk_officer, act):
    advisory = advisories.create(by=no_officer, **advisory_content())
    with pytest.raises(PermissionDenied):
        advisories.update(advisory, by=dk_officer, title="Changed")
    act(advisories.submit, advisory, by=no_officer)
    with pytest.raises(PermissionDenied):
        advisories.approve(advisory, by=dk_officer)


def test_a_rejection_sends_it_back_with_the_reason(no_officer, no_admin, act):
    advisory = advisories.create(by=no_officer, **advisory_content())
    act(advisories.submit, advisory, by=no_officer)
    act(advisories.reject, advisory, by=no_admin, reason="Name the categories.")
    advisory.refresh_from_db()
    assert advisory.status == "draft"
    assert Approval.objects.get().reason == "Name the categories."


def test_the_other_officers_are_asked_in_their_inbox(no_officer, no_admin, act):
    advisory = advisories.create(by=no_officer, **advisory_content())
    act(advisories.submit, advisory, by=no_officer)
    asked = Notification.objects.filter(advisory=advisory, kind="approval.requested")
    assert {n.user for n in asked} == {no_admin}


@pytest.mark.parametrize("tlp", ["amber", "amber+strict", "red", "white", ""])
def test_only_clear_or_green(no_officer, tlp):
    with pytest.raises(ValidationError) as error:
        advisories.create(by=no_officer, **advisory_content(tlp=tlp))
    assert "tlp" in error.value.message_dict


def test_it_stands_only_on_a_published_notice_of_its_own_state(make_notice, no_officer, dk_officer):
    danish = make_notice(by=dk_officer)
    draft = make_notice(by=no_officer, publish=False)
    for source in (danish, draft, "not-a-uuid", 42):
        with pytest.raises(ValidationError) as error:
            advisories.create(by=no_officer, **advisory_content(source=source))
        assert "source" in error.value.message_dict


def test_it_names_only_its_notice_entities_each_confirmed_and_never_the_notes(
    amber_notice, no_officer
):
    with pytest.raises(ValidationError, match="Confirm each entity"):
        advisories.create(
            by=no_officer,
            **advisory_content(**named(amber_notice, "Nimbus Intercept Ltd", confirmed=False)),
        )
    with pytest.raises(ValidationError, match="not an entity of the source notice"):
        advisories.create(by=no_officer, **advisory_content(**named(amber_notice, "Someone Else")))
    with pytest.raises(ValidationError, match="Only an advisory made from a notice"):
        advisories.create(
            by=no_officer,
            **advisory_content(entities=[{"name": "Nimbus Intercept Ltd", "confirmed": True}]),
        )
    advisory = advisories.create(
        by=no_officer, **advisory_content(**named(amber_notice, "Nimbus Intercept Ltd"))
    )
    (entity,) = advisory.entities.all()
    assert (entity.name, entity.aliases, entity.country, entity.identifiers) == (
        "Nimbus Intercept Ltd",
        ["Nimbus"],
        "CY",
        ["HE 123456"],
    )
    assert not hasattr(entity, "notes")


def test_the_copy_guard_lets_a_draft_be_saved_but_not_released(amber_notice, no_officer, act):
    copied = f"In short: {SECRET_SENTENCE.lower()}."
    advisory = advisories.create(
        by=no_officer, **advisory_content(source=amber_notice, body=copied)
    )
    (passage,) = advisories.copied_passages(advisories.content_of(advisory))
    assert passage.field == "body" and passage.words >= 12
    with pytest.raises(ValidationError) as error:
        act(advisories.submit, advisory, by=no_officer)
    (message,) = error.value.message_dict["body"]
    assert amber_notice.reference in message and "TLP:AMBER" in message
    assert SECRET_SENTENCE.lower()[:40] in message
    assert not Approval.objects.exists()
    # Rewritten in the officer's own words, it goes.
    advisories.update(advisory, by=no_officer, body="A broker routes such systems via a port.")
    act(advisories.submit, advisory, by=no_officer)


def test_the_copy_guard_checks_again_at_approval_and_in_amendments(
    amber_notice, make_advisory, no_officer, no_admin, act
):
    advisory = make_advisory(source=amber_notice)
    with pytest.raises(ValidationError, match="repeat"):
        act(
            advisories.submit,
            advisory,
            by=no_officer,
            act="amend",
            change_note="More detail.",
            summary=SECRET_SENTENCE,
        )
    # What the notice said in an earlier AMBER version counts too, after it is lowered.
    act(
        notices.amend,
        amber_notice,
        by=no_officer,
        change_note="Lowered and rewritten.",
        material=True,
        tlp="green",
        body="Nothing sensitive.",
    )
    with pytest.raises(ValidationError, match="repeat"):
        act(
            advisories.submit,
            advisory,
            by=no_officer,
            act="amend",
            change_note="More detail.",
            summary=SECRET_SENTENCE,
        )


def test_a_green_source_may_be_quoted(make_notice, no_officer, no_admin, act):
    green = make_notice(by=no_officer, tlp="green", body=SECRET_SENTENCE)
    advisory = advisories.create(
        by=no_officer, **advisory_content(source=green, body=SECRET_SENTENCE)
    )
    act(advisories.submit, advisory, by=no_officer)
    assert act(advisories.approve, advisory, by=no_admin).status == "released"


def test_an_amendment_is_approved_and_never_a_minor_correction(
    make_advisory, no_officer, no_admin, act
):
    advisory = make_advisory()
    with pytest.raises(ValidationError):
        advisories._amend_alone(
            advisory, by=no_officer, change_note="Typo.", material=False, title="Typo fixed"
        )
    with pytest.raises(Conflict):
        advisories._amend_alone(
            advisory, by=no_officer, change_note="New flag.", material=True, title="New"
        )
    act(
        advisories.submit,
        advisory,
        by=no_officer,
        act="amend",
        change_note="A new red flag.",
        red_flags=["Asks for source code."],
    )
    advisory = act(advisories.approve, advisory, by=no_admin)
    assert (advisory.version, advisory.red_flags) == (2, ["Asks for source code."])


def test_it_is_withdrawn_at_once_with_a_reason(make_advisory, no_officer, act):
    advisory = make_advisory()
    with pytest.raises(ValidationError):
        advisories.withdraw(advisory, by=no_officer, reason="")
    advisory = act(advisories.withdraw, advisory, by=no_officer, reason="Superseded.")
    assert (advisory.status, advisory.withdrawn_reason) == ("withdrawn", "Superseded.")


def test_withdrawing_the_notice_withdraws_its_advisories(
    amber_notice, make_advisory, no_officer, act
):
    released = make_advisory(source=amber_notice)
    pending = advisories.create(by=no_officer, **advisory_content(source=amber_notice))
    act(advisories.submit, pending, by=no_officer)
    act(notices.withdraw, amber_notice, by=no_officer, reason="The broker was cleared.")
    released.refresh_from_db()
    pending.refresh_from_db()
    assert released.status == "withdrawn"
    # Nothing of the notice's reason goes out with it.
    assert "broker" not in released.withdrawn_reason
    assert pending.status == "draft"
    with pytest.raises(ValidationError):
        act(advisories.submit, pending, by=no_officer)


def test_who_reads_what(make_advisory, no_officer, no_viewer, dk_viewer, staff_user, act):
    clear = make_advisory(title="Clear one")
    green = make_advisory(title="Green one", tlp="green")
    draft = make_advisory(title="Draft one", release=False)
    withdrawn = act(advisories.withdraw, make_advisory(title="Gone"), by=no_officer, reason="Old.")

    def seen(user):
        return set(Advisory.objects.visible_to(user).values_list("title", flat=True))

    assert seen(AnonymousUser()) == {clear.title, withdrawn.title}
    assert seen(staff_user) == {clear.title, withdrawn.title}
    assert seen(dk_viewer) == {clear.title, green.title, withdrawn.title}
    assert seen(no_viewer) == {clear.title, green.title, withdrawn.title}
    assert seen(no_officer) == {clear.title, green.title, draft.title, withdrawn.title}
    assert set(Advisory.objects.public()) == {clear, withdrawn}


def test_a_notice_entity_changed_after_submission_is_confirmed_again(
    amber_notice, no_officer, no_admin, act
):
    advisory = advisories.create(
        by=no_officer, **advisory_content(**named(amber_notice, "Nimbus Intercept Ltd"))
    )
    act(advisories.submit, advisory, by=no_officer)
    # The notice's officials add a (restricted) alias after the advisory was submitted.
    act(
        notices.amend,
        amber_notice,
        by=no_officer,
        change_note="A new alias.",
        material=True,
        entities=[{"name": "Nimbus Intercept Ltd", "aliases": ["Nimbus", "Cirrus Secret"]}],
    )
    advisory.refresh_from_db()
    assert advisory.is_pending  # the submission stands, awaiting its approver
    with pytest.raises(ValidationError, match="changed since they were confirmed"):
        act(advisories.approve, advisory, by=no_admin)
    # Ticked again (by name), the new details are what is confirmed.
    advisories.update(advisory, by=no_officer, **named(amber_notice, "Nimbus Intercept Ltd"))
    assert advisory.entities.get().aliases == ["Nimbus", "Cirrus Secret"]


def test_a_withdrawal_reason_is_guarded_too(amber_notice, make_advisory, no_officer, act):
    advisory = make_advisory(source=amber_notice)
    with pytest.raises(ValidationError, match="repeat"):
        act(advisories.withdraw, advisory, by=no_officer, reason=SECRET_SENTENCE)
    advisory.refresh_from_db()
    assert advisory.status == "released"
