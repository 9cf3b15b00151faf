"""The permission matrix and the randomised visibility tests, through the channels
that states' systems read: TAXII and every export. A reader's TAXII collection holds a
report for exactly the published notices the rule lets them read, and of each only the
versions that reached their state; their CSV holds a row for exactly the notices their
list holds; their entities export names exactly the entities of those published (0
leaks, 0 misses)."""

import csv
import io

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.choices import Role, StateStatus
from accounts.models import State, User
from sharing.denials import services as denial_services
from sharing.notices import services as notice_services
from sharing.taxii import stix
from tests.sharing.api.test_api_matrix import api_as  # noqa: F401 (a fixture)
from tests.sharing.common.test_visibility import (  # noqa: F401 (fixtures)
    AUDIENCES,
    PERSONAS,
    STATE_CODES,
    STATUSES,
    cl_admin,
    cl_officer,
    may_see,
    may_see_random,
    notices,
    notices_once,
)
from tests.sharing.conftest import denial_content, notice_content
from tests.sharing.taxii.conftest import TAXII, collection_url, every_object

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_media")]


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def exported_ids(api) -> set[str]:
    return {row["id"] for row in csv_rows(api.get("/api/v1/notices/export.csv"))}


def entity_sources(api) -> set[str]:
    rows = csv_rows(api.get("/api/v1/entities/export.csv", {"source": "notice"}))
    return {row["source_id"] for row in rows}


def report_ids(api) -> set[str]:
    walk = every_object(api, "notices", **{"match[type]": "report", "match[version]": "all"})
    return {o["id"] for o in walk}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_collection_holds_exactly_what_the_rule_allows(api_as, notices, persona):  # noqa: F811
    api, user = api_as(persona)
    response = api.get(collection_url("notices"), HTTP_ACCEPT=TAXII)
    if user is None:
        assert response.status_code == 401
        return
    expected = {
        stix.stix_id("report", "notice", notice.pk)
        for notice in notices.values()
        if may_see(user, notice) and notice.status != "draft"
    }
    assert report_ids(api) == expected
    # The exports: the list's rows (drafts too, for those who may see them), and the
    # entities of what is published.
    assert exported_ids(api) == {str(n.pk) for n in notices.values() if may_see(user, n)}
    assert entity_sources(api) == {
        str(n.pk) for n in notices.values() if may_see(user, n) and n.status != "draft"
    }
    # Each object is found alone exactly when it is listed.
    for notice in notices.values():
        report_id = stix.stix_id("report", "notice", notice.pk)
        one = api.get(collection_url("notices", f"objects/{report_id}/"), HTTP_ACCEPT=TAXII)
        assert one.status_code == (200 if report_id in expected else 404)


READER_STATES = [code for code in STATE_CODES if code != "PE"]  # a suspended state has no token


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    author=st.sampled_from(["DK", "NO", "FI"]),
    audience=st.sampled_from(AUDIENCES),
    recipients=st.sets(st.sampled_from(["NO", "FI", "FR", "CL"]), min_size=1),
    status=st.sampled_from(STATUSES),
    reader_state=st.sampled_from(READER_STATES),
    role=st.sampled_from([Role.STATE_ADMIN, Role.OFFICER, Role.VIEWER]),
    widened=st.booleans(),
)
def test_taxii_agrees_with_the_rule_for_any_audience_and_amendment(
    observer_state, suspended_state, api_for, author, audience, recipients, status,
    reader_state, role, widened,
):  # fmt: skip
    with transaction.atomic():
        officer = User.objects.create(username=f"{author}-o", state_id=author, role=Role.OFFICER)
        recipients = sorted(recipients - {author})
        if audience == "selected" and not recipients:
            recipients = ["FR"]
        notice = notice_services.create(
            by=officer,
            **notice_content(
                audience=audience, recipient_states=recipients if audience == "selected" else []
            ),
        )
        reached_first = set()
        if status != "draft":
            notice = notice_services.publish(notice, by=officer)
            reader_probe = User(state_id=reader_state, role=role)
            reached_first = {1} if may_see_random(reader_probe, notice, recipients) else set()
            if widened:
                notice = notice_services.amend(
                    notice, by=officer, change_note="Wider.", material=True,
                    audience="community", recipient_states=[], tlp="green",
                )  # fmt: skip
        if status == "withdrawn":
            notice = notice_services.withdraw(notice, by=officer, reason="x")
        user = User.objects.create(username="reader", state_id=reader_state, role=role)
        visible = may_see_random(user, notice, [] if widened else recipients)
        visible = visible and notice.status != "draft"
        report_id = stix.stix_id("report", "notice", notice.pk)
        versions = [
            o
            for o in every_object(api_for(user), "notices", **{"match[version]": "all"})
            if o["id"] == report_id
        ]
        api = api_for(user)
        assert (str(notice.pk) in exported_ids(api)) == may_see_random(
            user, notice, [] if widened else recipients
        )
        assert (str(notice.pk) in entity_sources(api)) == visible
        if not visible:
            assert versions == []
        else:
            expected = reached_first | ({notice.version} if widened else {1})
            assert {v["x_echri_version"] for v in versions} == expected
            assert versions[-1].get("revoked", False) == (status == "withdrawn")
        transaction.set_rollback(True)


def may_read_denial(user, denial, recipients) -> bool:
    """docs/architecture.md, "The visibility rule", for a licence denial: its own
    state's (one not notified yet to its officers and admins only), and a notified one
    whose audience reaches the reader's state."""
    if user.state.status == StateStatus.SUSPENDED:
        return False
    if user.state_id == denial.state_id:
        return denial.status != "pending_approval" or user.role != Role.VIEWER
    if denial.status == "pending_approval":
        return False
    if denial.audience == "selected":
        return user.state_id in recipients
    if denial.audience == "subscribing":
        return user.state.status == StateStatus.SUBSCRIBING
    return user.state.status in {StateStatus.SUBSCRIBING, StateStatus.OBSERVER}


def body_of(response) -> str:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode()


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    author=st.sampled_from(["DK", "NO", "FI"]),
    audience=st.sampled_from(AUDIENCES),
    recipients=st.sets(st.sampled_from(["NO", "FI", "FR", "CL"]), min_size=1),
    status=st.sampled_from(["pending_approval", "active", "revoked"]),
    reader_state=st.sampled_from(READER_STATES),
    role=st.sampled_from([Role.STATE_ADMIN, Role.OFFICER, Role.VIEWER]),
)
def test_every_channel_agrees_with_the_rule_for_denials(
    observer_state, suspended_state, api_for, author, audience, recipients, status,
    reader_state, role,
):  # fmt: skip
    with transaction.atomic():
        officer = User.objects.create(username=f"{author}-o", state_id=author, role=Role.OFFICER)
        recipients = sorted(recipients - {author}) or ["FR"]
        content = denial_content(
            national_reference=f"{author}-SECRET-1",
            audience=audience,
            recipient_states=recipients if audience == "selected" else [],
        )
        if status == "pending_approval":
            State.objects.filter(pk=author).update(approve_denials=True)
            denial = denial_services.submit_new(by=officer, **content)
        else:
            denial = denial_services.publish(by=officer, **content)
            if status == "revoked":
                denial = denial_services.revoke(denial, by=officer, reason="Overturned.")
        user = User.objects.create(username="reader", state_id=reader_state, role=role)
        rule = may_read_denial(user, denial, recipients)
        notified = rule and status != "pending_approval"
        api = api_for(user)
        # The list's CSV holds what the list holds (a pending one for its officers).
        csv_ids = {row["id"] for row in csv_rows(api.get("/api/v1/denials/export.csv"))}
        assert (str(denial.pk) in csv_ids) == rule
        # FollowTheMoney, the entities and TAXII hold what was notified.
        assert ("SECRET" in body_of(api.get("/api/v1/denials/export.ftm.jsonl"))) == notified
        entities = body_of(api.get("/api/v1/entities/export.csv", {"source": "denial"}))
        assert ("SECRET" in entities) == notified
        report_id = stix.stix_id("report", "denial", denial.pk)
        served = [
            o
            for o in every_object(api, "denials", **{"match[version]": "all"})
            if o["id"] == report_id
        ]
        assert bool(served) == notified
        if served:
            assert served[-1].get("revoked", False) == (status == "revoked")
        transaction.set_rollback(True)
