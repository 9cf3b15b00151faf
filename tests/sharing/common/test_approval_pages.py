"""Four eyes on the pages: the policy on the state settings page, Publish becoming Submit
for approval, the approver's review with what would change, approve and reject with a
reason, the dashboard's "Awaiting my approval", and who is told."""

import pytest
from django.core import mail

from accounts.choices import ApprovalPolicy
from accounts.models import State
from portal.models import AuditEntry
from sharing.common.models import Approval
from sharing.notices import services as notices
from sharing.notices.models import Notice
from sharing.notifications.models import Notification
from sharing.practices import services as practices
from sharing.practices.models import BestPractice
from tests.personas import persona
from tests.sharing.conftest import notice_content, practice_content

pytestmark = pytest.mark.django_db


def set_policy(code: str, policy: str) -> None:
    State.objects.filter(pk=code).update(approval_policy=policy)


@pytest.fixture
def people(seeded_states):
    return {
        name: persona(name)
        for name in (
            "dk-officer",
            "dk-officer-2",
            "dk-admin",
            "dk-viewer",
            "no-viewer",
            "no-officer",
        )
    }


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def post(client, user, url, data=None, capture=None):
    client.force_login(user)
    if capture is None:
        return client.post(url, data or {})
    with capture(execute=True):
        return client.post(url, data or {})


# --- The policy -----------------------------------------------------------------------------


def test_a_state_admin_sets_the_policy_and_it_is_audited_and_shown(client, people):
    admin = people["dk-admin"]
    settings_page = page(client, admin, "/accounts/state/").content.decode()
    assert "Approval before publishing" in settings_page
    assert "Only what is marked TLP:AMBER or stricter" in settings_page

    response = post(
        client, admin, "/accounts/state/", {"approval_policy": "restricted", "language": ""}
    )

    assert response.status_code == 302
    assert State.objects.get(pk="DK").approval_policy == "restricted"
    entry = AuditEntry.objects.get(action="state.settings_changed")
    assert entry.details == {"approval_policy": "restricted"}
    dashboard = page(client, people["dk-viewer"], "/").content.decode()
    assert "Only what is marked TLP:AMBER or stricter" in dashboard
    assert page(client, people["dk-officer"], "/accounts/state/").status_code == 403
    refused = post(client, admin, "/accounts/state/", {"approval_policy": "always", "language": ""})
    assert refused.status_code == 400
    assert State.objects.get(pk="DK").approval_policy == "restricted"


@pytest.mark.parametrize("marking", ["clear", "green", "amber", "amber+strict", "red"])
@pytest.mark.parametrize("policy", ApprovalPolicy.values)
def test_the_publish_and_withdraw_pages_follow_the_policy(client, people, policy, marking):
    officer = people["dk-officer"]
    content = notice_content(tlp=marking)
    if marking == "red":
        content.update(audience="selected", recipient_states=["NO"])
    draft = notices.create(by=officer, **content)
    published = notices.publish(notices.create(by=officer, **content), by=officer)
    set_policy("DK", policy)
    required = policy == "everything" or (
        policy == "restricted" and marking in {"amber", "amber+strict", "red"}
    )

    for url in (f"/notices/{draft.pk}/publish/", f"/notices/{published.pk}/withdraw/"):
        text = page(client, officer, url).content.decode()
        assert ("Submit for approval" in text) is required, url
        assert ("approve this first" in text) is required, url

    response = post(client, officer, f"/notices/{draft.pk}/publish/")
    assert response.status_code == 302
    assert Notice.objects.get(pk=draft.pk).status == (
        "pending_approval" if required else "published"
    )


# --- Submit, review, approve, reject ----------------------------------------------------------


def test_submitted_reviewed_and_approved_through_the_pages(
    client, people, django_capture_on_commit_callbacks
):
    set_policy("DK", ApprovalPolicy.RESTRICTED)
    officer, second = people["dk-officer"], people["dk-officer-2"]
    draft = notices.create(
        by=officer, **notice_content(tlp="amber", audience="selected", recipient_states=["NO"])
    )
    post(
        client, officer, f"/notices/{draft.pk}/publish/", capture=django_capture_on_commit_callbacks
    )

    own = page(client, officer, draft.get_absolute_url()).content.decode()
    assert "Awaiting approval" in own
    assert "Another officer or admin of your state must approve" in own
    assert 'value="approve"' not in own
    # The approver, the dashboard, the inbox and the e-mail.
    dashboard = page(client, second, "/").content.decode()
    assert "Awaiting my approval" in dashboard and draft.title in dashboard
    assert "Awaiting my approval" not in page(client, officer, "/").content.decode()
    assert "Awaiting my approval" not in page(client, people["dk-viewer"], "/").content.decode()
    told = set(
        Notification.objects.filter(kind="approval.requested").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"dk-officer-2", "dk-admin"}
    assert [m.to for m in mail.outbox if "Submitted for your approval" in m.subject] in (
        [[second.email], [people["dk-admin"].email]],
        [[people["dk-admin"].email], [second.email]],
    )
    for m in mail.outbox:
        assert "Background" not in m.body  # AMBER: the text stays in the portal
    review = page(client, second, draft.get_absolute_url()).content.decode()
    assert 'value="approve"' in review and "Norway" in review

    mail.outbox.clear()
    response = post(
        client,
        second,
        f"/notices/{draft.pk}/approval/",
        {"decision": "approve"},
        capture=django_capture_on_commit_callbacks,
    )

    assert response.status_code == 302
    notice = Notice.objects.get(pk=draft.pk)
    assert notice.is_published and notice.reference
    shown = page(client, people["no-viewer"], notice.get_absolute_url()).content.decode()
    assert "submitted by Mette Jensen, approved by Lars Holm" in shown
    assert set(
        Notification.objects.filter(kind="approval.approved").values_list(
            "user__username", flat=True
        )
    ) == {"dk-officer"}
    assert "no-viewer" in Notification.objects.filter(kind="notice.published").values_list(
        "user__username", flat=True
    )


def test_a_rejection_needs_a_reason_and_the_submitter_reads_it(
    client, people, act, django_capture_on_commit_callbacks
):
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    officer, second = people["dk-officer"], people["dk-officer-2"]
    draft = notices.create(by=officer, **notice_content())
    act(notices.submit, draft, by=officer)
    url = f"/notices/{draft.pk}/approval/"

    post(client, second, url, {"decision": "reject", "reason": "   "})
    assert Notice.objects.get(pk=draft.pk).is_pending
    post(
        client,
        second,
        url,
        {"decision": "reject", "reason": "Name the reseller's parent company."},
        capture=django_capture_on_commit_callbacks,
    )

    assert Notice.objects.get(pk=draft.pk).is_draft
    text = page(client, officer, draft.get_absolute_url()).content.decode()
    assert "Rejected" in text and "Name the reseller&#x27;s parent company." in text
    assert Notification.objects.filter(kind="approval.rejected", user=officer).exists()
    # Nobody but the submitter is told of the decision; the viewer never sees the reason.
    assert Notification.objects.filter(kind="approval.rejected").count() == 1
    assert "parent company" not in page(client, people["dk-viewer"], "/notices/").content.decode()


def test_the_submitter_cannot_approve_through_the_page(client, people):
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    officer = people["dk-officer"]
    draft = notices.create(by=officer, **notice_content())
    notices.submit(draft, by=officer)
    post(client, officer, f"/notices/{draft.pk}/approval/", {"decision": "approve"})
    assert Notice.objects.get(pk=draft.pk).is_pending
    assert (
        post(
            client, people["no-officer"], f"/notices/{draft.pk}/approval/", {"decision": "approve"}
        ).status_code
        == 404
    )
    assert (
        post(
            client, people["dk-viewer"], f"/notices/{draft.pk}/approval/", {"decision": "approve"}
        ).status_code
        == 404
    )


def test_a_material_amendment_shows_the_approver_what_would_change(client, people, make_notice):
    officer, second = people["dk-officer"], people["dk-officer-2"]
    notice = make_notice(tlp="amber", body="## Background\n\nSeen at two trade fairs.")
    set_policy("DK", ApprovalPolicy.RESTRICTED)
    client.force_login(officer)
    form = client.get(f"/notices/{notice.pk}/amend/").content.decode()
    assert "Your state's approval policy" in form

    notices.submit(
        notice,
        by=officer,
        act="amend",
        change_note="Cleared.",
        tlp="green",
        body="## Background\n\nSeen at three trade fairs.",
    )

    review = page(client, second, notice.get_absolute_url()).content.decode()
    assert "TLP:AMBER" in review and "TLP:GREEN" in review
    assert "Seen at three trade fairs." in review and "Cleared." in review
    # Other states read the published version, and nothing of the amendment.
    other = page(client, people["no-viewer"], notice.get_absolute_url()).content.decode()
    assert "three trade fairs" not in other and "Awaiting approval" not in other
    post(client, second, f"/notices/{notice.pk}/approval/", {"decision": "approve"})
    notice.refresh_from_db()
    assert (notice.version, notice.tlp) == (2, "green")
    history = page(client, people["no-viewer"], notice.get_absolute_url()).content.decode()
    assert "submitted by Mette Jensen, approved by Lars Holm" in history


def test_the_amend_page_submits_under_the_policy(client, people, make_notice):
    officer = people["dk-officer"]
    notice = make_notice(tlp="amber")
    set_policy("DK", ApprovalPolicy.RESTRICTED)
    client.force_login(officer)
    form = client.get(f"/notices/{notice.pk}/amend/")
    data = {key: value for key, value in form.context["form"].initial.items() if value is not None}
    response = client.post(
        f"/notices/{notice.pk}/amend/",
        {
            **{k: v for k, v in data.items() if not isinstance(v, list)},
            "categories": ["intrusion-software"],
            "control_codes": "4A005",
            "summary": "Shorter.",
            "change_note": "Shortened.",
            "material": "true",
            "entities-TOTAL_FORMS": "0",
            "entities-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    notice.refresh_from_db()
    assert notice.version == 1
    approval = Approval.objects.get()
    assert approval.act == "amend" and approval.proposal["content"]["summary"] == "Shorter."


def test_editing_a_submitted_draft_takes_it_back(client, people):
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    officer = people["dk-officer"]
    draft = notices.create(by=officer, **notice_content())
    notices.submit(draft, by=officer)
    post(client, officer, f"/notices/{draft.pk}/approval/", {"decision": "recall"})
    assert Notice.objects.get(pk=draft.pk).is_draft
    assert Approval.objects.get().status == "recalled"


def test_a_best_practice_is_submitted_and_approved_through_its_pages(client, people):
    set_policy("NO", ApprovalPolicy.EVERYTHING)
    officer, admin = people["no-officer"], persona("no-admin")
    draft = practices.create(by=officer, **practice_content())
    assert (
        "Submit for approval"
        in page(client, officer, f"/best-practices/{draft.pk}/publish/").content.decode()
    )
    post(client, officer, f"/best-practices/{draft.pk}/publish/")
    assert "Awaiting approval" in page(client, admin, draft.get_absolute_url()).content.decode()
    assert page(client, persona("jp-viewer"), draft.get_absolute_url()).status_code == 404

    post(client, admin, f"/best-practices/{draft.pk}/approval/", {"decision": "approve"})

    assert BestPractice.objects.get(pk=draft.pk).is_published


def test_a_submitted_draft_is_edited_or_deleted_from_its_page(client, people):
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    officer = people["dk-officer"]
    draft = notices.create(by=officer, **notice_content())
    notices.submit(draft, by=officer)
    assert page(client, officer, f"/notices/{draft.pk}/edit/").status_code == 200
    other = notices.create(by=officer, **notice_content(title="Another"))
    notices.submit(other, by=officer)
    post(client, officer, f"/notices/{other.pk}/delete/")
    assert not Notice.objects.filter(pk=other.pk).exists()
    listing = page(client, officer, "/notices/").content.decode()
    assert "Awaiting approval" in listing


def test_an_approver_with_notice_filters_is_still_asked_by_e_mail(people, act):
    from sharing.notifications.models import UserEmailPreference

    set_policy("DK", ApprovalPolicy.EVERYTHING)
    second = people["dk-officer-2"]
    UserEmailPreference.objects.create(user=second, min_severity="critical")
    draft = notices.create(by=people["dk-officer"], **notice_content(severity="moderate"))
    mail.outbox.clear()
    act(notices.submit, draft, by=people["dk-officer"])
    assert any(second.email in m.to for m in mail.outbox)


def test_a_withdrawal_is_told_to_those_told_of_the_notice_not_to_its_approvers(people, act):
    officer, second = people["dk-officer"], people["dk-officer-2"]
    set_policy("DK", ApprovalPolicy.EVERYTHING)
    draft = notices.create(
        by=officer, **notice_content(audience="selected", recipient_states=["NO"])
    )
    act(notices.submit, draft, by=officer)
    act(notices.approve, draft, by=second)
    act(notices.submit, draft, by=officer, act="retire", reason="Superseded.")
    act(notices.approve, draft, by=second)
    told = set(
        Notification.objects.filter(kind="notice.withdrawn").values_list(
            "user__username", flat=True
        )
    )
    assert told and all(name.startswith("no-") for name in told)
