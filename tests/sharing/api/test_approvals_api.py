"""Four eyes through /api/v1/: the policy matrix (policy, marking, kind, act, role),
submit, approve, reject and take back, and the answers the issue asks for (409 for acting
alone under the policy or on nothing pending, 403 for approving one's own submission)."""

import pytest

from accounts.choices import ApprovalPolicy
from accounts.models import State
from sharing.common.models import Approval, Event
from sharing.notices import services as notices
from sharing.notices.models import Notice
from sharing.practices import services as practices
from tests.personas import persona
from tests.sharing.conftest import notice_content, practice_content

pytestmark = pytest.mark.django_db

MARKINGS = ["clear", "green", "amber", "amber+strict", "red"]
ACTS = ["publish", "material", "minor", "retire"]


def needs_approval(policy: str, marking: str, act: str) -> bool:
    """The rule, written out again from the issue's words, to test the code against."""
    if act == "minor" or policy == ApprovalPolicy.NOTHING:
        return False
    return policy == ApprovalPolicy.EVERYTHING or marking in {"amber", "amber+strict", "red"}


def marked(marking: str) -> dict:
    if marking == "red":
        return notice_content(tlp="red", audience="selected", recipient_states=["NO"])
    return notice_content(tlp=marking)


def item_url(kind: str, item, action: str = "") -> str:
    base = "/api/v1/notices/" if kind == "notice" else "/api/v1/best-practices/"
    return f"{base}{item.pk}/{action + '/' if action else ''}"


def direct(api, kind: str, item, act: str):
    """Do ``act`` alone, as a state without a policy would."""
    if act == "publish":
        return api.post(item_url(kind, item, "publish"))
    if act in {"material", "minor"}:
        body = {"change_note": "Clearer.", "material": act == "material", "summary": "Clearer."}
        return api.post(item_url(kind, item, "amend"), body, format="json")
    if kind == "notice":
        return api.post(item_url(kind, item, "withdraw"), {"reason": "Superseded."}, format="json")
    return api.post(item_url(kind, item, "archive"))


def submission(act: str) -> dict:
    return {
        "publish": {"act": "publish"},
        "material": {"act": "amend", "change_note": "Clearer.", "summary": "Clearer."},
        "retire": {"act": "retire", "reason": "Superseded."},
    }[act]


@pytest.mark.parametrize("role", ["officer", "admin"])
@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("marking", MARKINGS)
@pytest.mark.parametrize("policy", ApprovalPolicy.values)
def test_notice_policy_matrix(api_for, seeded_states, policy, marking, act, role):
    State.objects.filter(pk="DK").update(approval_policy=policy)
    author = persona("dk-officer" if role == "officer" else "dk-admin")
    other = persona("dk-officer-2")
    notice = notices.create(by=author, **marked(marking))
    if act != "publish":
        State.objects.filter(pk="DK").update(approval_policy=ApprovalPolicy.NOTHING)
        notice = notices.publish(notice, by=author)
        State.objects.filter(pk="DK").update(approval_policy=policy)
    api = api_for(author)

    response = direct(api, "notice", notice, act)

    required = needs_approval(policy, marking, act)
    assert response.status_code == (409 if required else 200), response.json()
    if required:
        assert "policy" in response.json()["non_field_errors"][0]
        before = Notice.objects.get(pk=notice.pk)
        assert (before.status, before.version) == (notice.status, notice.version)
        submitted = api.post(item_url("notice", notice, "submit"), submission(act), format="json")
        assert submitted.status_code == 200, submitted.json()
        assert submitted.json()["awaiting_approval"]["submitted_by"] == author.username
        approved = api_for(other).post(item_url("notice", notice, "approve"))
        assert approved.status_code == 200, approved.json()
        assert approved.json()["awaiting_approval"] is None
        if act == "retire":  # no new version: the approval keeps who decided
            assert approved.json()["status"] == "withdrawn"
            assert Approval.objects.get().decided_by.username == "dk-officer-2"
        else:
            assert approved.json()["approved_by"] == "dk-officer-2"
    elif act != "minor":
        # Nothing to submit where the policy asks for nobody.
        assert Approval.objects.count() == 0


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("policy", ApprovalPolicy.values)
def test_best_practice_policy_matrix(api_for, seeded_states, policy, act):
    # A best practice has no marking: AMBER-and-stricter never covers it.
    State.objects.filter(pk="NO").update(approval_policy=policy)
    author, other = persona("no-officer"), persona("no-admin")
    practice = practices.create(by=author, **practice_content())
    if act != "publish":
        State.objects.filter(pk="NO").update(approval_policy=ApprovalPolicy.NOTHING)
        practice = practices.publish(practice, by=author)
        State.objects.filter(pk="NO").update(approval_policy=policy)
    api = api_for(author)

    response = direct(api, "practice", practice, act)

    required = needs_approval(policy, "", act)
    assert response.status_code == (409 if required else 200), response.json()
    if required:
        body = submission(act)
        body.pop("reason", None)  # archiving takes no reason
        assert (
            api.post(item_url("practice", practice, "submit"), body, format="json").status_code
            == 200
        )
        approved = api_for(other).post(item_url("practice", practice, "approve"))
        assert approved.status_code == 200, approved.json()


@pytest.fixture
def submitted(seeded_states):
    State.objects.filter(pk="DK").update(approval_policy=ApprovalPolicy.RESTRICTED)
    notice = notices.create(by=persona("dk-officer"), **notice_content(tlp="amber"))
    notices.submit(notice, by=persona("dk-officer"))
    return notice


def test_the_submitter_approving_is_403_and_nothing_pending_is_409(api_for, submitted):
    own = api_for(persona("dk-officer"))
    response = own.post(item_url("notice", submitted, "approve"))
    assert response.status_code == 403
    assert "Another official" in response.json()["detail"]

    second = api_for(persona("dk-officer-2"))
    assert second.post(item_url("notice", submitted, "approve")).status_code == 200
    again = second.post(item_url("notice", submitted, "approve"))
    assert again.status_code == 409
    assert again.json() == {"non_field_errors": ["Nothing here is awaiting approval."]}
    assert Notice.objects.get(pk=submitted.pk).reference.startswith("DK-")
    assert Event.objects.filter(kind="notice.published").count() == 1


def test_a_rejection_needs_a_reason_and_brings_back_the_draft(api_for, submitted):
    second = api_for(persona("dk-officer-2"))
    assert (
        second.post(item_url("notice", submitted, "reject"), {}, format="json").status_code == 400
    )

    response = second.post(
        item_url("notice", submitted, "reject"), {"reason": "Too precise."}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert Approval.objects.get().reason == "Too precise."


def test_what_is_pending_is_not_there_for_others(api_for, submitted):
    for name in ("no-officer", "dk-viewer", "secretariat", "fi-admin"):
        api = api_for(persona(name)) if name != "secretariat" else None
        if api is None:
            continue  # staff hold no API token (tests/accounts cover it)
        assert api.get(item_url("notice", submitted)).status_code == 404
        assert api.post(item_url("notice", submitted, "approve")).status_code == 404
        ids = [row["id"] for row in api.get("/api/v1/notices/").json()["results"]]
        assert str(submitted.pk) not in ids


def test_the_pending_details_are_shown_to_the_states_officers_only(
    api_for, make_notice, seeded_states
):
    notice = make_notice(tlp="amber")
    State.objects.filter(pk="DK").update(approval_policy=ApprovalPolicy.RESTRICTED)
    notices.submit(notice, by=persona("dk-officer"), act="amend", change_note="Wider.", tlp="green")

    officer = api_for(persona("dk-officer-2")).get(item_url("notice", notice)).json()
    proposal = officer["awaiting_approval"]["proposal"]
    assert officer["awaiting_approval"]["act"] == "amend"
    assert proposal["content"]["tlp"] == "green" and proposal["change_note"] == "Wider."
    for name in ("dk-viewer", "no-viewer"):
        seen = api_for(persona(name)).get(item_url("notice", notice)).json()
        assert seen["awaiting_approval"] is None and seen["tlp"] == "amber"


def test_submit_takes_only_what_its_act_takes(api_for, seeded_states):
    State.objects.filter(pk="DK").update(approval_policy=ApprovalPolicy.EVERYTHING)
    notice = notices.create(by=persona("dk-officer"), **notice_content())
    api = api_for(persona("dk-officer"))
    for body, field in (
        ({"act": "launch"}, "act"),
        ({"act": "publish", "reason": "x"}, "reason"),
        ({"act": "publish", "title": "New"}, "title"),
    ):
        response = api.post(item_url("notice", notice, "submit"), body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()
    assert Notice.objects.get(pk=notice.pk).is_draft
    response = api.post(item_url("notice", notice, "submit"), [1, 2], format="json")
    assert response.status_code == 400


def test_taking_back_returns_the_draft(api_for, submitted):
    api = api_for(persona("dk-officer"))
    response = api.post(item_url("notice", submitted, "recall"))
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert api.post(item_url("notice", submitted, "recall")).status_code == 409


def test_the_state_settings_endpoint(api_for, seeded_states):
    admin = api_for(persona("dk-admin"))
    assert admin.get("/api/v1/state/").json() == {
        "code": "DK",
        "language": "",
        "approval_policy": "nothing",
        "approve_denials": False,
        "named_in_reports": False,
    }
    response = admin.patch("/api/v1/state/", {"approval_policy": "restricted"}, format="json")
    assert response.status_code == 200 and response.json()["approval_policy"] == "restricted"
    assert State.objects.get(pk="DK").approval_policy == "restricted"
    # Named in the implementation reports' comparisons, as on the settings page.
    agreed = admin.patch("/api/v1/state/", {"named_in_reports": True}, format="json")
    assert agreed.status_code == 200 and State.objects.get(pk="DK").named_in_reports
    not_bool = admin.patch("/api/v1/state/", {"named_in_reports": "maybe"}, format="json")
    assert not_bool.status_code == 400 and "named_in_reports" in not_bool.json()
    bad = admin.patch("/api/v1/state/", {"approval_policy": "sometimes"}, format="json")
    assert bad.status_code == 400 and "approval_policy" in bad.json()
    unknown = admin.patch("/api/v1/state/", {"founding": False}, format="json")
    assert unknown.status_code == 400 and "founding" in unknown.json()
    officer = api_for(persona("dk-officer"))
    assert officer.get("/api/v1/state/").status_code == 200
    assert (
        officer.patch("/api/v1/state/", {"approval_policy": "nothing"}, format="json").status_code
        == 403
    )
    assert State.objects.get(pk="DK").approval_policy == "restricted"


def test_submit_refuses_what_the_act_does_not_take(api_for, seeded_states):
    State.objects.filter(pk="DK").update(approval_policy=ApprovalPolicy.EVERYTHING)
    notice = notices.create(by=persona("dk-officer"), **notice_content())
    api = api_for(persona("dk-officer"))
    for extra in ({"by": 1}, {"request": 1}, {"item": "x"}, {"attachments": []}):
        response = api.post(
            item_url("notice", notice, "submit"), {"act": "publish", **extra}, format="json"
        )
        assert response.status_code == 400, extra


def test_an_outsider_cannot_tell_whether_anything_awaits(api_for, make_notice, seeded_states):
    notice = make_notice(tlp="amber", audience="subscribing")
    outsider = api_for(persona("no-officer"))
    before = outsider.post(item_url("notice", notice, "approve"))
    State.objects.filter(pk="DK").update(approval_policy=ApprovalPolicy.RESTRICTED)
    notices.submit(notice, by=persona("dk-officer"), act="retire", reason="Old.")
    after = outsider.post(item_url("notice", notice, "approve"))
    assert before.status_code == after.status_code == 403
    assert before.json() == after.json()


def test_the_approval_reviewed_is_named(api_for, submitted):
    second = api_for(persona("dk-officer-2"))
    pending = second.get(item_url("notice", submitted)).json()["awaiting_approval"]
    stale = second.post(
        item_url("notice", submitted, "approve"), {"approval": pending["id"] + 1}, format="json"
    )
    assert stale.status_code == 409
    fresh = second.post(
        item_url("notice", submitted, "approve"), {"approval": pending["id"]}, format="json"
    )
    assert fresh.status_code == 200


def test_the_version_history_keeps_who_approved_each_version(api_for, submitted):
    api_for(persona("dk-officer-2")).post(item_url("notice", submitted, "approve"))
    versions = api_for(persona("no-viewer")).get(item_url("notice", submitted, "versions")).json()
    (first,) = versions["results"]
    assert (first["published_by"], first["approved_by"]) == ("dk-officer", "dk-officer-2")
