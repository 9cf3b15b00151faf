"""The one visibility rule (DESIGN.md section 4), checked on every path a reader can take:
the list, the page, attachment downloads, acknowledging, commenting and editing."""

import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.choices import Role, StateStatus
from accounts.models import State, User
from sharing import search, services
from sharing.models import Acknowledgement, Attachment, Comment, Notice
from tests.sharing.conftest import notice_content, pdf

pytestmark = pytest.mark.django_db

AUDIENCES = ["selected", "subscribing", "community"]
STATUSES = ["draft", "published", "withdrawn"]
SELECTED = ["NO", "CL"]  # a subscribing state and an observer state
PERSONAS = [
    "dk_admin",
    "dk_officer",
    "dk_viewer",  # the author state
    "no_admin",
    "no_viewer",  # subscribing, among the selected
    "fr_viewer",  # subscribing, not selected
    "observer_user",  # observer state, among the selected
    "staff_user",
    "suspended_user",
    "anonymous",
]


@pytest.fixture
def notices(dk_officer, observer_state):
    """One notice from Denmark for every audience and status, each with a file."""
    made = {}
    for audience, status in itertools.product(AUDIENCES, STATUSES):
        content = notice_content(
            title=f"{audience} {status}",
            audience=audience,
            recipient_states=SELECTED if audience == "selected" else [],
        )
        notice = services.create_draft(by=dk_officer, attachments=[pdf()], **content)
        if status != "draft":
            notice = services.publish_notice(notice, by=dk_officer)
        if status == "withdrawn":
            notice = services.withdraw_notice(notice, by=dk_officer, reason="Obsolete")
        made[(audience, status)] = notice
    return made


def reader(persona, request):
    return None if persona == "anonymous" else request.getfixturevalue(persona)


def may_see(user, notice) -> bool:
    """DESIGN.md section 4, written out independently of the code under test."""
    if user is None or user.state is None or user.state.status == StateStatus.SUSPENDED:
        return False
    if user.state_id == notice.author_state_id:
        return notice.status != "draft" or user.role != Role.VIEWER
    if notice.status == "draft":
        return False
    if notice.audience == "selected":
        return user.state_id in SELECTED
    if notice.audience == "subscribing":
        return user.state.status == StateStatus.SUBSCRIBING
    return user.state.status in {StateStatus.SUBSCRIBING, StateStatus.OBSERVER}


def may_acknowledge(user, notice) -> bool:
    return (
        may_see(user, notice)
        and notice.status == "published"
        and user.state_id != notice.author_state_id
    )


def may_comment(user, notice) -> bool:
    return (
        may_see(user, notice)
        and notice.status == "published"
        and user.role in {Role.STATE_ADMIN, Role.OFFICER}
    )


def may_edit(user, notice) -> bool:
    return (
        user is not None
        and user.state_id == notice.author_state_id
        and user.role in {Role.STATE_ADMIN, Role.OFFICER}
    )


def expected(user, notice, allowed) -> int:
    """The status a page answers: 404 for what cannot be seen, 403 for what can be seen
    but not done."""
    if not may_see(user, notice):
        return 404
    return 200 if allowed else 403


@pytest.fixture
def as_reader(client, request):
    """Sign the persona in; returns None for those the portal treats as signed out
    (anonymous, and a suspended state's user, whose session no longer works)."""

    def sign_in(persona):
        user = reader(persona, request)
        if user is None:
            return None
        client.force_login(user)
        return None if user.state and user.state.is_suspended else user

    return sign_in


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_page_show_exactly_what_the_rule_allows(client, as_reader, notices, persona):
    user = as_reader(persona)
    listing = client.get("/notices/")
    if user is None:
        assert listing.status_code == 302  # to sign-in
        assert client.get(notices[("community", "published")].get_absolute_url()).status_code == 302
        return
    listed = {n.pk for n in listing.context["page"].object_list}
    for key, notice in notices.items():
        visible = may_see(user, notice)
        assert (notice.pk in listed) == visible, key
        page = client.get(notice.get_absolute_url())
        assert page.status_code == (200 if visible else 404), key
        if visible:
            assert notice.title in page.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_attachments_download_exactly_when_the_notice_can_be_read(
    client, as_reader, notices, persona
):
    user = as_reader(persona)
    for key, notice in notices.items():
        attachment = Attachment.objects.get(notice=notice)
        response = client.get(f"/attachments/{attachment.pk}/")
        # Downloads need no sign-in (public best practices have files): a notice's file
        # is simply not found for someone signed out.
        assert response.status_code == (200 if may_see(user, notice) else 404), key


@pytest.mark.parametrize(
    ("path", "data", "model", "rule"),
    [
        ("acknowledge/", {"level": "received"}, Acknowledgement, may_acknowledge),
        ("comments/", {"body": "Seen."}, Comment, may_comment),
    ],
    ids=["acknowledge", "comment"],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_acknowledging_and_commenting_follow_the_rule(
    client, as_reader, notices, persona, path, data, model, rule
):
    user = as_reader(persona)
    for key, notice in notices.items():
        response = client.post(f"/notices/{notice.pk}/{path}", data)
        done = model.objects.filter(notice=notice).exists()
        if user is None:
            assert response.status_code == 302 and not done
            continue
        allowed = rule(user, notice)
        assert done == allowed, key
        assert response.status_code == (302 if allowed else expected(user, notice, False)), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_editing_follows_the_rule(client, as_reader, notices, persona):
    user = as_reader(persona)
    for key, notice in notices.items():
        response = client.get(f"/notices/{notice.pk}/edit/")
        if user is None:
            assert response.status_code == 302
            continue
        allowed = may_edit(user, notice)
        want = expected(user, notice, allowed)
        if want == 200 and notice.status != "draft":
            want = 302  # a published notice is amended, not edited
        assert response.status_code == want, key
        if not allowed:
            withdraw = client.post(f"/notices/{notice.pk}/withdraw/", {"reason": "Test"})
            assert withdraw.status_code == expected(user, notice, False), key
    # Nobody but the author state's officers and admins withdrew anything.
    assert not Notice.objects.filter(withdrawn_reason="Test").exists()


def test_someone_who_joins_a_state_later_sees_what_it_was_sent(notices, seeded_states):
    newcomer = User.objects.create(username="no-newcomer", state_id="NO", role=Role.VIEWER)
    visible = set(Notice.objects.visible_to(newcomer))
    assert notices[("selected", "published")] in visible
    assert notices[("subscribing", "withdrawn")] in visible


def test_a_deactivated_user_sees_nothing(notices, no_viewer):
    assert Notice.objects.visible_to(no_viewer).exists()
    no_viewer.is_active = False
    no_viewer.save()
    assert not Notice.objects.visible_to(no_viewer).exists()


def test_a_state_suspended_later_sees_nothing(notices, no_viewer):
    State.objects.filter(pk="NO").update(status=StateStatus.SUSPENDED)
    no_viewer.refresh_from_db()
    assert not Notice.objects.visible_to(no_viewer).exists()


# --- the same rule, on random audiences -----------------------------------------------------

STATE_CODES = ["DK", "NO", "FI", "FR", "CL", "PE"]  # CL observer, PE suspended
ROLES = [Role.STATE_ADMIN, Role.OFFICER, Role.VIEWER]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    author=st.sampled_from(["DK", "NO", "FI"]),
    audience=st.sampled_from(AUDIENCES),
    recipients=st.sets(st.sampled_from(["NO", "FI", "FR", "CL"]), min_size=1),
    status=st.sampled_from(STATUSES),
    reader_state=st.sampled_from(STATE_CODES),
    role=st.sampled_from(ROLES),
)
def test_list_search_and_page_agree_with_the_rule_for_any_audience(
    observer_state, suspended_state, author, audience, recipients, status, reader_state, role
):
    from django.test import Client

    with transaction.atomic():
        officer = User.objects.create(username=f"{author}-o", state_id=author, role=Role.OFFICER)
        recipients = sorted(recipients - {author})
        if audience == "selected" and not recipients:
            recipients = ["FR"]
        notice = services.create_draft(
            by=officer,
            **notice_content(
                audience=audience, recipient_states=recipients if audience == "selected" else []
            ),
        )
        if status != "draft":
            notice = services.publish_notice(notice, by=officer)
        if status == "withdrawn":
            notice = services.withdraw_notice(notice, by=officer, reason="x")
        user = User.objects.create(username="reader", state_id=reader_state, role=role)
        user.state.refresh_from_db()
        expected_visible = may_see_random(user, notice, recipients)
        assert Notice.objects.visible_to(user).filter(pk=notice.pk).exists() == expected_visible
        found = {hit.obj.pk for hit in search.search(user, "reseller").hits}
        assert (notice.pk in found) == expected_visible
        client = Client()
        client.force_login(user)
        listed = (
            {n.pk for n in client.get("/notices/").context["page"].object_list}
            if (user.state.status != StateStatus.SUSPENDED)
            else set()
        )
        assert (notice.pk in listed) == expected_visible
        transaction.set_rollback(True)


def may_see_random(user, notice, recipients) -> bool:
    if user.state.status == StateStatus.SUSPENDED:
        return False
    if user.state_id == notice.author_state_id:
        return notice.status != "draft" or user.role != Role.VIEWER
    if notice.status == "draft":
        return False
    if notice.audience == "selected":
        return user.state_id in recipients
    if notice.audience == "subscribing":
        return user.state.status == StateStatus.SUBSCRIBING
    return user.state.status in {StateStatus.SUBSCRIBING, StateStatus.OBSERVER}
