"""generate_bench_data: the benchmarks' data set is data the portal treats as real (its
pages, its search and its API work on it), of the requested size and every shape, with
search fields and rendered bodies exactly as the services would have written them."""

import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from accounts import services as accounts
from accounts.choices import Role, StateStatus
from accounts.models import State, User
from bench.management.commands import generate_bench_data
from portal.markdown import render_markdown
from sharing.common import textsearch
from sharing.common.choices import TLP, Audience, EventKind
from sharing.common.models import Event
from sharing.common.querysets import reader_states, recipient_states
from sharing.notices.choices import NoticeStatus
from sharing.notices.models import Acknowledgement, Comment, Notice, ReferenceCounter
from sharing.notifications.models import Notification
from sharing.practices.choices import PracticeStatus
from sharing.practices.models import BestPractice, Endorsement
from sharing.search import engine as search
from tests.personas import ensure_seeded

pytestmark = pytest.mark.django_db

SIZE = {"notices": 120, "best_practices": 20, "users_per_state": 4, "inbox_notices": 10}


def generate(**options):
    call_command(generate_bench_data.Command(), force=True, verbosity=0, **{**SIZE, **options})


@pytest.fixture(scope="module")
def generated_once(django_db_setup, django_db_blocker):
    """The data set, made once for the tests of this module that read it, inside a
    transaction rolled back when they are done: each test's own transaction is a
    savepoint within it, so what a test adds is gone for the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_seeded()
        generate(seed=7)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def generated(generated_once, db):
    pass


def reader(state="NO") -> User:
    return User.objects.get(username=f"bench-{state.lower()}-viewer-01")


def test_refuses_to_run_when_debug_is_off_without_force(seeded_states, settings):
    settings.DEBUG = False
    before = Notice.objects.count()  # the module's data set may be there already
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command(generate_bench_data.Command(), notices=1, verbosity=0)
    assert Notice.objects.count() == before


def test_counts_are_those_asked_for(generated):
    assert Notice.objects.count() == 120
    assert BestPractice.objects.count() == 20
    states = State.objects.exclude(status=StateStatus.SUSPENDED)
    assert states.filter(status=StateStatus.OBSERVER).count() == 2
    per_state = Counter(User.objects.filter(username__startswith="bench-").values_list("state"))
    assert per_state == {(state.pk,): 4 for state in states}
    # One admin, one officer and two viewers a state.
    roles = Counter(User.objects.filter(state_id="DK").values_list("role", flat=True))
    assert roles == {Role.STATE_ADMIN: 1, Role.OFFICER: 1, Role.VIEWER: 2}


def test_every_kind_of_audience_status_and_marking_is_there(generated):
    notices = Notice.objects.all()
    assert set(notices.values_list("audience", flat=True)) == set(Audience.values)
    assert set(notices.values_list("status", flat=True)) == set(NoticeStatus.values)
    assert set(notices.values_list("tlp", flat=True)) == set(TLP.values)
    assert not notices.filter(tlp=TLP.RED).exclude(audience=Audience.SELECTED).exists()
    for notice in notices.filter(audience=Audience.SELECTED):
        assert notice.recipient_states.exists()
    assert notices.filter(version__gt=1).exists()
    assert Acknowledgement.objects.exists() and Comment.objects.exists()
    practices = BestPractice.objects.all()
    assert set(practices.values_list("status", flat=True)) >= {PracticeStatus.PUBLISHED}
    assert practices.filter(co_authors__isnull=False).exists()
    assert Endorsement.objects.exists() and practices.filter(public=True).exists()


def test_lifecycles_are_consistent(generated):
    for notice in Notice.objects.prefetch_related("revisions__reached_states"):
        versions = sorted(r.version for r in notice.revisions.all())
        if notice.status in Notice.UNPUBLISHED:
            assert notice.reference is None and not versions
            # What awaits approval has its one submission; a draft none.
            assert notice.approvals.filter(status="pending").count() == notice.is_pending
            continue
        assert versions == list(range(1, notice.version + 1))
        # Each version reached whom the notice reaches (the generator widens nothing).
        readers = set(reader_states(notice).values_list("pk", flat=True))
        for revision in notice.revisions.all():
            assert (revision.audience, revision.tlp) == (notice.audience, notice.tlp)
            assert {s.pk for s in revision.reached_states.all()} == readers
        assert notice.published_at is not None
        assert Event.objects.filter(notice=notice, kind=EventKind.NOTICE_PUBLISHED).count() == 1
        assert (notice.status == NoticeStatus.WITHDRAWN) == (notice.withdrawn_at is not None)
    # Acknowledgements come from the states the notice reaches, never its author.
    for ack in Acknowledgement.objects.select_related("notice")[:200]:
        assert recipient_states(ack.notice).filter(pk=ack.state_id).exists()
        assert ack.version <= ack.notice.ack_version
    # Nothing is left for the sweeper or the mail workers to pick up.
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert not Notification.objects.filter(email_status__in=["pending", "sending"]).exists()


def test_references_continue_with_the_counters(generated):
    for counter in ReferenceCounter.objects.all():
        numbers = [
            int(ref.rsplit("-", 1)[1])
            for ref in Notice.objects.filter(
                reference__startswith=f"{counter.state_id}-{counter.year}-"
            ).values_list("reference", flat=True)
        ]
        assert max(numbers) == counter.last == len(numbers)


def test_inboxes_hold_exactly_what_dispatch_would_have_written(generated):
    notified = set(Notification.objects.values_list("event_id", flat=True))
    assert len(notified) == 10
    for event in Event.objects.filter(pk__in=notified).select_related("notice"):
        expected = set(
            User.objects.filter(
                is_active=True, state__in=recipient_states(event.notice)
            ).values_list("pk", flat=True)
        ) - {event.actor_id}
        got = list(Notification.objects.filter(event=event).values_list("user_id", flat=True))
        assert sorted(got) == sorted(expected)


def test_bodies_are_rendered_by_the_one_renderer(generated):
    for notice in Notice.objects.only("body", "body_html"):
        assert notice.body_html == render_markdown(notice.body)
    for practice in BestPractice.objects.only("body", "body_html"):
        assert practice.body_html == render_markdown(practice.body)


def _search_fields(model, pk):
    if connection.vendor != "postgresql":
        return model.objects.filter(pk=pk).values_list("search_text", flat=True).get()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT search_text, search_vector::text FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()


def test_search_fields_are_those_search_index_writes(generated):
    notices = list(Notice.objects.filter(entities__isnull=False, concern_countries__isnull=False))
    practices = list(BestPractice.objects.filter(co_authors__isnull=False))
    assert notices and practices
    for obj in [*notices[:5], *practices[:5]]:
        model = type(obj)
        before = _search_fields(model, obj.pk)
        textsearch.index(obj)
        assert _search_fields(model, obj.pk) == before


def test_text_is_in_several_languages(generated):
    text = "\n".join(Notice.objects.values_list("search_text", flat=True))
    text += "\n".join(BestPractice.objects.values_list("search_text", flat=True))
    assert re.search(r"[\u3040-\u30ff]", text), "Japanese"
    assert re.search(r"[\uac00-\ud7af]", text), "Korean"
    assert re.search(r"\b(des|pour|une)\b", text), "French"
    assert re.search(r"\b(über|für|Prüfungen|eine)\b", text, re.I), "German"
    assert "the " in text


def test_the_same_seed_gives_the_same_data(seeded_states):
    def titles(seed):
        with transaction.atomic():
            generate(seed=seed, notices=30, best_practices=5)
            result = list(Notice.objects.order_by("id").values_list("id", "title", "reference"))
            transaction.set_rollback(True)
        return result

    assert titles(3) == titles(3)
    assert titles(3) != titles(4)


def test_running_again_adds_notices_and_reuses_the_users(generated):
    users = User.objects.count()
    generate(seed=7)
    assert Notice.objects.count() == 240
    assert User.objects.count() == users
    references = list(Notice.objects.exclude(reference=None).values_list("reference", flat=True))
    assert len(references) == len(set(references))


# --- the portal on it -----------------------------------------------------------------------


def test_the_pages_work_on_the_generated_data(generated, client):
    user = reader()
    client.force_login(user)
    visible = Notice.objects.visible_to(user)
    page = client.get("/notices/")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == visible.count() > 0
    notice = visible.exclude(status=NoticeStatus.DRAFT).filter(entities__isnull=False).first()
    detail = client.get(f"/notices/{notice.pk}/")
    assert detail.status_code == 200
    assert notice.reference in detail.content.decode()
    assert notice.entities.first().name in detail.content.decode()
    browse = client.get("/best-practices/", {"topic": "licensing"})
    assert browse.status_code == 200
    assert browse.context["page"].paginator.count == (
        BestPractice.objects.visible_to(user).filter(topics__slug="licensing").count()
    )
    inbox = client.get("/notifications/")
    assert inbox.status_code == 200
    assert inbox.context["page"].paginator.count == Notification.objects.filter(user=user).count()
    word = notice.title.split()[0]
    found = client.get("/search/", {"q": word})
    assert found.status_code == 200 and found.context["results"].total > 0


def test_search_finds_entities_codes_and_other_scripts(generated):
    user = reader("JP")
    visible = Notice.objects.visible_to(user).exclude(status=NoticeStatus.DRAFT)
    entity = visible.filter(entities__isnull=False).first().entities.first().name
    assert search.search(user, f'"{entity}"').total > 0
    code = next(n for n in visible if n.control_codes).control_codes[0]
    assert search.search(user, code).total > 0
    assert search.search(user, "監視").total + search.search(user, "감시").total > 0


def test_the_api_works_on_the_generated_data(generated):
    from rest_framework.test import APIClient

    user = reader()
    _token, value = accounts.create_api_token(user, by=user, name="bench")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    listed = api.get("/api/v1/notices/", {"page_size": 100})
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["results"]}
    visible = {str(pk) for pk in Notice.objects.visible_to(user).values_list("pk", flat=True)}
    assert ids and ids <= visible
    one = api.get(f"/api/v1/notices/{next(iter(ids))}/")
    assert one.status_code == 200
    assert api.get("/api/v1/best-practices/").status_code == 200
    assert api.get("/api/v1/search/", {"q": "licence"}).status_code == 200
    # What the author state reads of its own notices, through the API too.
    author = Notice.objects.exclude(status=NoticeStatus.DRAFT).first()
    officer = User.objects.get(username=f"bench-{author.author_state_id.lower()}-officer-01")
    _token, value = accounts.create_api_token(officer, by=officer, name="bench")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    assert api.get(f"/api/v1/notices/{author.pk}/").status_code == 200


def test_every_version_of_a_best_practice_reached_its_readers(generated):
    from sharing.practices.models import BestPractice

    for practice in BestPractice.objects.prefetch_related("revisions__reached_states"):
        readers = set(reader_states(practice).values_list("pk", flat=True))
        for revision in practice.revisions.all():
            assert (revision.audience, revision.public) == (practice.audience, practice.public)
            assert {s.pk for s in revision.reached_states.all()} == readers
