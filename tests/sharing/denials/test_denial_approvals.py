"""Four eyes for licence denials: a state that asks for them has every denial it
notifies, amends or revokes approved by a second official; until then nothing reaches
another state, screening or consultations (docs/architecture.md, "Four eyes")."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import State
from portal.inputs import Conflict
from portal.models import AuditEntry
from sharing.common.models import Approval, Event
from sharing.denials import services as denials
from sharing.denials.models import Denial
from sharing.notifications.models import Notification
from sharing.screening import services as screening
from tests.personas import persona
from tests.sharing.conftest import denial_content

pytestmark = pytest.mark.django_db

DENIALS = "/api/v1/denials/"


@pytest.fixture
def four_eyes(seeded_states):
    State.objects.filter(pk="DK").update(approve_denials=True)
    return {
        name: persona(name)
        for name in ("dk-officer", "dk-officer-2", "dk-viewer", "fi-officer", "no-viewer")
    }


def test_notifying_alone_is_refused_under_the_setting(four_eyes):
    with pytest.raises(Conflict, match="every licence denial is approved by a second official"):
        denials.publish(by=four_eyes["dk-officer"], **denial_content())
    assert not Denial.objects.exists()


def test_a_submitted_denial_reaches_nobody_until_approved(four_eyes, act):
    officer, second = four_eyes["dk-officer"], four_eyes["dk-officer-2"]
    denial = act(denials.submit_new, by=officer, **denial_content())

    assert denial.status == "pending_approval"
    for outsider in (four_eyes["dk-viewer"], four_eyes["fi-officer"], four_eyes["no-viewer"]):
        assert not Denial.objects.visible_to(outsider).filter(pk=denial.pk).exists()
    assert Denial.objects.visible_to(second).filter(pk=denial.pk).exists()
    # Never screened, never consulted about, nobody outside told.
    result = screening.screen(
        by=four_eyes["fi-officer"], end_user="NIMBUS SYSTEMS", destination="AE"
    )
    assert result.matches == []
    own = screening.screen(by=second, end_user="NIMBUS SYSTEMS", destination="AE")
    assert own.matches == []
    with pytest.raises(PermissionDenied):
        denials.check_can_consult(denial, four_eyes["fi-officer"])
    assert set(Notification.objects.values_list("user__username", flat=True)) <= {
        "dk-officer-2",
        "dk-admin",
    }
    with pytest.raises(PermissionDenied):
        denials.approve(denial, by=officer)

    denial = act(denials.approve, denial, by=second)

    assert denial.status == "active"
    revision = denial.revisions.get()
    assert (revision.created_by, revision.approved_by) == (officer, second)
    assert Event.objects.filter(denial=denial, kind="denial.issued").count() == 1
    assert Denial.objects.visible_to(four_eyes["no-viewer"]).filter(pk=denial.pk).exists()
    found = screening.screen(
        by=four_eyes["fi-officer"], end_user="NIMBUS SYSTEMS", destination="AE"
    )
    assert [d.pk for d, _m in found.matches] == [denial.pk]
    assert Notification.objects.filter(kind="approval.approved", user=officer).exists()


def test_a_rejected_denial_is_a_draft_to_change_and_submit_again(four_eyes, act):
    officer, second = four_eyes["dk-officer"], four_eyes["dk-officer-2"]
    denial = act(denials.submit_new, by=officer, **denial_content())
    denial = act(denials.reject, denial, by=second, reason="Name the consignee.")
    assert denial.status == "draft"
    assert (
        denials.rejection_shown(Denial.objects.get(pk=denial.pk), officer).reason
        == "Name the consignee."
    )

    denial = denials.update(denial, by=officer, end_use="Lawful interception centre")
    denials.submit(denial, by=officer)
    denial = denials.approve(denial, by=second)
    assert denial.status == "active" and denial.end_use == "Lawful interception centre"


def test_amending_and_revoking_wait_for_approval(four_eyes, seeded_states):
    officer, second = four_eyes["dk-officer"], four_eyes["dk-officer-2"]
    officer.state.approve_denials = False
    denial = denials.publish(by=officer, **denial_content())
    officer.state.approve_denials = True  # as it is in the database

    with pytest.raises(Conflict):
        denials.amend(denial, by=officer, change_note="Wider.", tlp="green")
    denials.submit(denial, by=officer, act="amend", change_note="Wider.", tlp="green")
    assert Denial.objects.get(pk=denial.pk).tlp == "amber"
    denial = denials.approve(denial, by=second)
    assert (denial.version, denial.tlp, denial.status) == (2, "green", "amended")

    with pytest.raises(Conflict):
        denials.revoke(denial, by=officer, reason="Granted later.")
    denials.submit(denial, by=officer, act="retire", reason="Granted later.")
    denial = denials.approve(denial, by=second)
    assert denial.status == "revoked" and denial.revoked_reason == "Granted later."
    # Renewal at review is not under four eyes (it keeps a denial as it is).


def test_a_draft_denial_is_deleted_with_its_four_eyes(four_eyes, act):
    officer, second = four_eyes["dk-officer"], four_eyes["dk-officer-2"]
    denial = act(denials.submit_new, by=officer, **denial_content())
    act(denials.recall, denial, by=officer)
    denials.delete(Denial.objects.get(pk=denial.pk), by=officer)
    assert not Denial.objects.exists() and not Approval.objects.exists()
    assert AuditEntry.objects.filter(action="denial.draft_deleted").exists()
    assert not Notification.objects.filter(user=second).exists()


def test_the_api(four_eyes, api_for):
    officer, second = api_for(four_eyes["dk-officer"]), api_for(four_eyes["dk-officer-2"])
    body = {k: v for k, v in denial_content().items() if v is not None}
    refused = officer.post(DENIALS, body, format="json")
    assert refused.status_code == 409
    created = officer.post(f"{DENIALS}submit/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "pending_approval" and data["awaiting_approval"]["act"] == "publish"
    url = f"{DENIALS}{data['id']}/"
    assert api_for(four_eyes["fi-officer"]).get(url).status_code == 404
    assert officer.post(f"{url}approve/").status_code == 403
    approved = second.post(
        f"{url}approve/", {"approval": data["awaiting_approval"]["id"]}, format="json"
    )
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("active", "dk-officer-2")
    amended = officer.post(
        f"{url}submit/", {"act": "amend", "change_note": "Wider.", "tlp": "green"}, format="json"
    )
    assert amended.status_code == 200 and amended.json()["awaiting_approval"]["act"] == "amend"
    assert second.post(f"{url}reject/", {"reason": "Not yet."}, format="json").status_code == 200
    revoked = officer.post(f"{url}revoke/", {"reason": "Granted."}, format="json")
    assert revoked.status_code == 409


def test_the_pages(four_eyes, client, act):
    officer, second = four_eyes["dk-officer"], four_eyes["dk-officer-2"]
    denial = act(denials.submit_new, by=officer, **denial_content())
    client.force_login(second)
    page = client.get(denial.get_absolute_url()).content.decode()
    assert "Awaiting approval" in page and 'value="approve"' in page
    client.post(
        f"/denials/{denial.pk}/approval/", {"decision": "reject", "reason": "Check the date."}
    )
    client.force_login(officer)
    page = client.get(denial.get_absolute_url()).content.decode()
    assert "Check the date." in page and "Notify…" in page
    assert client.get(f"/denials/{denial.pk}/edit/").status_code == 200
    confirm = client.get(f"/denials/{denial.pk}/notify/").content.decode()
    assert "Submit for approval" in confirm
    client.post(f"/denials/{denial.pk}/notify/")
    assert Denial.objects.get(pk=denial.pk).status == "pending_approval"
    client.force_login(second)
    client.post(f"/denials/{denial.pk}/approval/", {"decision": "approve"})
    assert Denial.objects.get(pk=denial.pk).status == "active"
    revoke = client.get(f"/denials/{denial.pk}/revoke/").content.decode()
    assert "Submit for approval" in revoke


def test_the_setting_on_the_state_settings_page(client, seeded_states):
    admin = persona("dk-admin")
    client.force_login(admin)
    assert "Licence denials too" in client.get("/accounts/state/").content.decode()
    client.post(
        "/accounts/state/", {"approval_policy": "nothing", "language": "", "approve_denials": "on"}
    )
    assert State.objects.get(pk="DK").approve_denials
    assert AuditEntry.objects.get(action="state.settings_changed").details == {
        "approve_denials": True
    }


def test_the_dashboard_asks_the_second_official(four_eyes, client):
    denial = denials.submit_new(by=four_eyes["dk-officer"], **denial_content())
    client.force_login(four_eyes["dk-officer-2"])
    dashboard = client.get("/").content.decode()
    assert "Awaiting my approval" in dashboard and denial.title in dashboard


def test_renewal_and_expiry_take_back_what_awaits_approval(four_eyes, seeded_states):
    officer = four_eyes["dk-officer"]
    officer.state.approve_denials = False
    denial = denials.publish(by=officer, **denial_content())
    officer.state.approve_denials = True
    denials.submit(denial, by=officer, act="amend", change_note="Wider.", tlp="green")
    denials.renew(denial, by=officer)
    assert Approval.objects.get().status == "recalled"
    denials.submit(denial, by=officer, act="retire", reason="Granted.")
    Denial.objects.filter(pk=denial.pk).update(review_on="2020-01-01")
    denials.review_denials()
    assert Denial.objects.get(pk=denial.pk).status == "expired"
    assert not Approval.objects.filter(status="pending").exists()


def test_a_draft_is_changed_and_notified_through_the_api(four_eyes, api_for):
    officer = api_for(four_eyes["dk-officer"])
    denial = denials.submit_new(by=four_eyes["dk-officer"], **denial_content())
    url = f"{DENIALS}{denial.pk}/"
    changed = officer.patch(url, {"end_use": "Backbone monitoring."}, format="json")
    assert changed.status_code == 200 and changed.json()["status"] == "draft"
    assert officer.post(f"{url}publish/").status_code == 409
    State.objects.filter(pk="DK").update(approve_denials=False)
    notified = officer.post(f"{url}publish/")
    assert notified.status_code == 200 and notified.json()["status"] == "active"
    assert officer.delete(url).status_code == 409
