"""The one visibility rule (docs/architecture.md, "The visibility rule"), checked on
every path a reader can take: the list, the page, search, attachment downloads,
acknowledging, commenting, and every act of editing (edit, amend, publish, delete,
withdraw, removing a file)."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import pytest
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.choices import Role, StateStatus
from accounts.models import State, User
from sharing.common.models import Attachment
from sharing.notices import services as notice_services
from sharing.notices.models import Acknowledgement, Comment, Notice
from tests.factories import UserFactory
from tests.personas import ensure_seeded, extra_state, persona
from tests.sharing.conftest import notice_content, pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_media")]

AUDIENCES = ["selected", "subscribing", "community"]
STATUSES = ["draft", "published", "withdrawn"]
SELECTED = ["NO", "CL"]  # a subscribing state and an observer state
PERSONAS = [
    "dk_admin",
    "dk_officer",
    "dk_viewer",  # the author state
    "no_admin",
    "no_officer",
    "no_viewer",  # subscribing, among the selected
    "fr_officer",
    "fr_viewer",  # subscribing, not selected
    "cl_admin",
    "cl_officer",
    "observer_user",  # observer state, among the selected
    "staff_user",
    "suspended_user",
    "anonymous",
]


@pytest.fixture
def cl_admin(observer_state):
    return UserFactory(username="cl-admin", state=observer_state, role=Role.STATE_ADMIN)


@pytest.fixture
def cl_officer(observer_state):
    return UserFactory(username="cl-officer", state=observer_state, role=Role.OFFICER)


def build_notices(officer) -> dict:
    """One notice from Denmark for every audience and status, each with a file, keyed
    by (audience, status)."""
    made = {}
    for audience, status in itertools.product(AUDIENCES, STATUSES):
        content = notice_content(
            title=f"{audience} {status}",
            audience=audience,
            recipient_states=SELECTED if audience == "selected" else [],
        )
        notice = notice_services.create(by=officer, attachments=[pdf()], **content)
        if status != "draft":
            notice = notice_services.publish(notice, by=officer)
        if status == "withdrawn":
            notice = notice_services.withdraw(notice, by=officer, reason="Obsolete")
        made[(audience, status)] = notice
    return made


@pytest.fixture(scope="module")
def notices_once(django_db_setup, django_db_blocker, module_media):
    """The notices the reading tests share, made once for this module inside a
    transaction rolled back when they are done: each test's own transaction is a
    savepoint within it, so what a test changes is gone for the next."""
    with (
        override_settings(PRIVATE_MEDIA_ROOT=module_media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        ensure_seeded()
        extra_state("CL")
        yield {key: notice.pk for key, notice in build_notices(persona("dk-officer")).items()}
        transaction.set_rollback(True)


@pytest.fixture
def notices(notices_once, db, dk_officer, observer_state):
    """The shared notices, read afresh for this test."""
    found = Notice.objects.in_bulk(notices_once.values())
    return {key: found[pk] for key, pk in notices_once.items()}


def reader(persona, request):
    return None if persona == "anonymous" else request.getfixturevalue(persona)


# --- The rule, written out independently of the code under test -----------------------------


def may_see(user, notice) -> bool:
    """docs/architecture.md, "The visibility rule"."""
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


def may_post(user) -> bool:
    """Officers and admins of a subscribing state write and discuss; viewers and
    observer states read (docs/architecture.md, "Who uses it")."""
    return (
        user is not None
        and user.state is not None
        and user.state.status == StateStatus.SUBSCRIBING
        and user.role in {Role.STATE_ADMIN, Role.OFFICER}
    )


def may_acknowledge(user, notice) -> bool:
    """Any user of a state the published notice reaches, the author state excepted."""
    return (
        may_see(user, notice)
        and notice.status == "published"
        and user.state_id != notice.author_state_id
    )


def may_comment(user, notice) -> bool:
    return may_see(user, notice) and notice.status == "published" and may_post(user)


def may_edit(user, notice) -> bool:
    return may_post(user) and user.state_id == notice.author_state_id


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


# --- Reading --------------------------------------------------------------------------------


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


# --- Acknowledging and commenting -----------------------------------------------------------


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


# --- Editing --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_edit_page_opens_for_the_author_states_officers_only(
    client, as_reader, notices, persona
):
    user = as_reader(persona)
    for key, notice in notices.items():
        response = client.get(f"/notices/{notice.pk}/edit/")
        if user is None:
            assert response.status_code == 302
            continue
        want = expected(user, notice, may_edit(user, notice))
        if want == 200 and notice.status != "draft":
            want = 302  # a published notice is amended, not edited
        assert response.status_code == want, key


def posted(notice) -> dict:
    """What the edit and amend forms send for ``notice``, with a new title (the edit
    form ignores the amend form's two extra fields)."""
    return {
        "kind": "end_user_alert",
        "title": f"{notice.title}, changed",
        "summary": "A reseller of intrusion software is seeking licences for onward sale.",
        "body": "Changed.",
        "categories": ["intrusion-software"],
        "control_codes": "4A005",
        "countries_of_concern": "AE",
        "severity": "high",
        "tlp": "amber",
        "audience": notice.audience,
        "recipient_states": SELECTED if notice.audience == "selected" else [],
        "valid_until": "",
        "entities-TOTAL_FORMS": "0",
        "entities-INITIAL_FORMS": "0",
        "entities-MIN_NUM_FORMS": "0",
        "entities-MAX_NUM_FORMS": "50",
        "change_note": "New title.",
        "material": "true",
    }


class Seen(NamedTuple):
    """What an act of editing may change about a notice (None: it is gone)."""

    status: str
    version: int
    title: str
    withdrawn_reason: str
    files: int


def seen(notice) -> Seen | None:
    found = Notice.objects.filter(pk=notice.pk).first()
    if found is None:
        return None
    return Seen(
        found.status,
        found.version,
        found.title,
        found.withdrawn_reason,
        found.attachments.count(),
    )


@dataclass(frozen=True)
class Act:
    """An act of editing: where it is sent, what it sends, the status of the notices it
    acts on, how to tell it was done, and what a signed-out request gets."""

    path: Callable[[Notice], str]
    data: Callable[[Notice], dict]
    acts_on: str
    done: Callable[[Seen | None], bool]
    signed_out: int = 302  # to sign-in


ACTS = {
    "edit": Act(
        lambda n: f"/notices/{n.pk}/edit/",
        posted,
        "draft",
        lambda s: s is not None and s.status == "draft" and s.title.endswith(", changed"),
    ),
    "amend": Act(
        lambda n: f"/notices/{n.pk}/amend/",
        posted,
        "published",
        lambda s: (
            s is not None
            and (s.version, s.status) == (2, "published")
            and s.title.endswith(", changed")
        ),
    ),
    "publish": Act(
        lambda n: f"/notices/{n.pk}/publish/",
        lambda n: {},
        "draft",
        lambda s: s is not None and s.status == "published",
    ),
    "delete": Act(lambda n: f"/notices/{n.pk}/delete/", lambda n: {}, "draft", lambda s: s is None),
    "withdraw": Act(
        lambda n: f"/notices/{n.pk}/withdraw/",
        lambda n: {"reason": "Withdrawn in the matrix"},
        "published",
        lambda s: s is not None and s.withdrawn_reason == "Withdrawn in the matrix",
    ),
    "remove-file": Act(
        lambda n: f"/attachments/{n.attachments.get().pk}/remove/",
        lambda n: {},
        "draft",
        lambda s: s is not None and s.files == 0,
        signed_out=404,  # a file's address tells a stranger nothing
    ),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_act_of_editing_follows_the_rule(client, as_reader, notices, persona):
    user = as_reader(persona)
    for name, act in ACTS.items():
        # Each act starts from every audience and status: what the last one changed is
        # rolled back (files are only ever removed after a commit, which never comes).
        before_act = transaction.savepoint()
        for key, notice in notices.items():
            before = seen(notice)
            response = client.post(act.path(notice), act.data(notice))
            after = seen(notice)
            where = (name, *key)
            if user is None:
                assert (response.status_code, after) == (act.signed_out, before), where
            elif not may_edit(user, notice):
                want = expected(user, notice, False)
                assert (response.status_code, after) == (want, before), where
            elif notice.status == act.acts_on:
                assert response.status_code == 302, where
                assert act.done(after), (where, after)
            else:
                # The author state's officers are sent back to the notice, unchanged.
                assert (response.status_code, after) == (302, before), where
        transaction.savepoint_rollback(before_act)


# --- People who come and go -----------------------------------------------------------------


def test_someone_who_joins_a_state_later_reads_what_it_was_sent(client, notices, seeded_states):
    newcomer = UserFactory(username="no-newcomer", state_id="NO", role=Role.VIEWER)
    readable = {n.pk for n in notices.values() if may_see(newcomer, n)}
    assert notices[("selected", "published")].pk in readable
    assert notices[("subscribing", "withdrawn")].pk in readable
    assert {n.pk for n in Notice.objects.visible_to(newcomer)} == readable

    client.force_login(newcomer)
    assert {n.pk for n in client.get("/notices/").context["page"].object_list} == readable
    for key, notice in notices.items():
        page = client.get(notice.get_absolute_url())
        assert page.status_code == (200 if notice.pk in readable else 404), key
    # What Norway has not acknowledged yet waits for the newcomer too.
    awaiting = {n.pk for n in client.get("/").context["awaiting"]}
    assert awaiting == {n.pk for n in notices.values() if may_acknowledge(newcomer, n)}


def test_a_deactivated_user_sees_nothing(client, notices, no_viewer):
    readable = notices[("selected", "published")]
    file = readable.attachments.get()
    client.force_login(no_viewer)
    assert client.get(readable.get_absolute_url()).status_code == 200

    no_viewer.is_active = False
    no_viewer.save()
    assert not Notice.objects.visible_to(no_viewer).exists()
    # The session they had no longer works: every page sends them to sign in.
    for path in ("/", "/notices/", readable.get_absolute_url(), "/search/?q=reseller"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    assert client.get(f"/attachments/{file.pk}/").status_code == 404


def test_a_state_suspended_later_sees_nothing(notices, no_viewer):
    State.objects.filter(pk="NO").update(status=StateStatus.SUSPENDED)
    no_viewer.refresh_from_db()
    assert not Notice.objects.visible_to(no_viewer).exists()


# --- the same rule, on random audiences -----------------------------------------------------

STATE_CODES = ["DK", "NO", "FI", "FR", "CL", "PE"]  # CL observer, PE suspended
ROLES = [Role.STATE_ADMIN, Role.OFFICER, Role.VIEWER]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
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
        if status != "draft":
            notice = notice_services.publish(notice, by=officer)
        if status == "withdrawn":
            notice = notice_services.withdraw(notice, by=officer, reason="x")
        user = User.objects.create(username="reader", state_id=reader_state, role=role)
        user.state.refresh_from_db()
        visible = may_see_random(user, notice, recipients)
        assert Notice.objects.visible_to(user).filter(pk=notice.pk).exists() == visible

        client = Client()
        client.force_login(user)
        listing = client.get("/notices/")
        page = client.get(notice.get_absolute_url())
        found = client.get("/search/", {"q": "reseller"})
        if user.state.status == StateStatus.SUSPENDED:
            # Its users are signed out: every page sends them to sign in.
            assert [r.status_code for r in (listing, page, found)] == [302, 302, 302]
        else:
            assert (notice.pk in {n.pk for n in listing.context["page"].object_list}) == visible
            assert page.status_code == (200 if visible else 404)
            assert (notice.title in page.content.decode()) == visible
            assert (notice.pk in {hit.obj.pk for hit in found.context["results"].hits}) == visible
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
