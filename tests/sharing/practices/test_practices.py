"""Best practices through sharing.practices.services: who writes, publishes and endorses, what
each act records, and the visibility rule including public items."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from portal.models import AuditEntry
from sharing.common.models import Event, Revision
from sharing.practices.models import BestPractice, Endorsement
from tests.sharing.conftest import pdf, practice_content

pytestmark = pytest.mark.django_db


def test_an_officer_drafts_publishes_and_amends_a_best_practice(make_practice, no_officer):
    practice = make_practice(co_authors=["DK"])
    assert (practice.status, practice.version, practice.lead_state_id) == ("published", 1, "NO")
    assert [s.pk for s in practice.co_authors.all()] == ["DK"]
    assert "<h3>Before the licence</h3>" in practice.body_html
    practice = practices.amend(
        practice,
        by=no_officer,
        change_note="Added the operator's mandate.",
        material=True,
        body=practice.body + "\n\nAlso check the lawful-interception framework.",
    )
    assert practice.version == 2
    assert [r.version for r in Revision.objects.filter(best_practice=practice)] == [2, 1]
    kinds = list(Event.objects.filter(best_practice=practice).values_list("kind", flat=True))
    assert kinds == ["best_practice.published", "best_practice.amended"]
    assert {"best_practice.drafted", "best_practice.published", "best_practice.amended"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_co_authors_edit_but_only_the_lead_publishes_and_archives(
    make_practice, dk_officer, no_officer
):
    draft = make_practice(publish=False, co_authors=["DK"])
    practices.update(draft, by=dk_officer, title="Edited by Denmark")
    with pytest.raises(PermissionDenied):
        practices.publish(draft, by=dk_officer)
    practice = practices.publish(draft, by=no_officer)
    practices.amend(
        practice, by=dk_officer, change_note="Typo", material=False, title="Edited again by Denmark"
    )
    with pytest.raises(PermissionDenied):
        practices.archive(practice, by=dk_officer)
    practice = practices.archive(practice, by=no_officer)
    assert practice.status == "archived"
    with pytest.raises(ValidationError):
        practices.amend(
            practice, by=no_officer, change_note="x", material=True, title="After archiving"
        )


@pytest.mark.parametrize("persona", ["no_viewer", "fr_viewer", "staff_user"])
def test_others_cannot_write(make_practice, persona, request):
    practice = make_practice(publish=False)
    with pytest.raises(PermissionDenied):
        practices.update(practice, by=request.getfixturevalue(persona), title="x")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"doc_type": "pamphlet"}, "doc_type"),
        ({"topics": []}, "topics"),
        ({"topics": ["astrology"]}, "topics"),
        ({"audience": "selected"}, "audience"),
        ({"co_authors": ["NO"]}, "co_authors"),  # the lead state itself
        ({"public": "yes"}, "public"),
    ],
)
def test_bad_content_is_refused(no_officer, overrides, field):
    with pytest.raises(ValidationError) as caught:
        practices.create(by=no_officer, **practice_content(**overrides))
    assert field in caught.value.message_dict
    assert not BestPractice.objects.exists()


def test_endorsements_one_per_state_changeable_and_withdrawable(
    make_practice, fr_viewer, dk_officer, dk_admin, no_officer
):
    practice = make_practice()
    with pytest.raises(PermissionDenied):
        practices.endorse(practice, by=fr_viewer, kind="adopted")  # viewers do not speak
    with pytest.raises(PermissionDenied):
        practices.endorse(practice, by=no_officer, kind="adopted")  # nor do the authors
    first = practices.endorse(practice, by=dk_officer, kind="endorsed")
    again = practices.endorse(practice, by=dk_admin, kind="adopted", note="In our 2027 manual.")
    assert (first.created, again.created) == (True, False)
    endorsement = Endorsement.objects.get()
    assert (endorsement.state_id, endorsement.kind, endorsement.by) == ("DK", "adopted", dk_admin)
    assert practices.withdraw_endorsement(practice, by=dk_officer) is True
    assert not Endorsement.objects.exists()
    assert practices.withdraw_endorsement(practice, by=dk_officer) is False


def test_a_minor_correction_cannot_widen_the_audience(make_practice, no_officer):
    practice = make_practice()
    with pytest.raises(ValidationError) as caught:
        practices.amend(practice, by=no_officer, change_note="x", material=False, public=True)
    assert "material" in caught.value.message_dict


def test_attachments_work_as_for_notices(make_practice, no_officer, client, fr_viewer):
    practice = practices.create(
        by=no_officer, attachments=[pdf("checklist.pdf")], **practice_content()
    )
    practice = practices.publish(practice, by=no_officer)
    attachment = practice.attachments.get()
    assert attachment.version == 1 and attachment.notice is None
    client.force_login(fr_viewer)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200


# --- visibility -----------------------------------------------------------------------------


def visible(user):
    return set(BestPractice.objects.visible_to(user).values_list("title", flat=True))


def test_visibility_follows_audience_status_and_public(
    make_practice, no_officer, no_viewer, fr_viewer, observer_user, dk_officer
):
    make_practice(title="subscribing")
    make_practice(title="community", audience="community")
    make_practice(title="public", audience="subscribing", public=True)
    make_practice(title="draft", publish=False, co_authors=["DK"])
    archived = make_practice(title="archived")
    practices.archive(archived, by=no_officer)

    assert visible(AnonymousUser()) == {"public"}
    assert visible(fr_viewer) == {"subscribing", "community", "public", "archived"}
    assert visible(observer_user) == {"community", "public"}
    assert visible(no_viewer) == {"subscribing", "community", "public", "archived"}  # no draft
    assert "draft" in visible(no_officer) and "draft" in visible(dk_officer)  # co-author


def test_platform_staff_see_only_what_is_public(make_practice, staff_user):
    make_practice(title="subscribing")
    make_practice(title="public", public=True)
    assert visible(staff_user) == {"public"}


def test_a_deactivated_user_sees_only_what_is_public(make_practice, fr_viewer):
    make_practice(title="subscribing")
    User.objects.filter(pk=fr_viewer.pk).update(is_active=False)
    fr_viewer.refresh_from_db()
    assert visible(fr_viewer) == set()


# --- the rule on random libraries: list, search, facets and related items agree -------------

from collections import Counter  # noqa: E402

from django.db import transaction  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from accounts.choices import Role, StateStatus  # noqa: E402
from accounts.models import State  # noqa: E402
from sharing.practices import services as practices  # noqa: E402
from sharing.practices.filters import PRACTICE_FACETS  # noqa: E402
from sharing.search import engine as search  # noqa: E402

# Words found nowhere else in an item's text (summary, topic and state names), none part
# of another, one of them in a script written without spaces.
WORDS = ["quartz", "vellum", "zephyr", "監視"]
TOPICS = ["licensing", "end-use-checks", "enforcement"]
ENDORSERS = ["FR", "DE", "CL"]
STATUS = {"CL": StateStatus.OBSERVER, "PE": StateStatus.SUSPENDED}

ITEM = st.fixed_dictionaries(
    {
        "audience": st.sampled_from(["subscribing", "community"]),
        "public": st.booleans(),
        "status": st.sampled_from(["draft", "published", "archived"]),
        "lead": st.sampled_from(["NO", "DK"]),
        "co_authors": st.sets(st.sampled_from(["DK", "FI", "FR"]), max_size=2),
        "doc_type": st.sampled_from(["checklist", "guidance", "template"]),
        "topics": st.sets(st.sampled_from(TOPICS), min_size=1, max_size=2),
        "words": st.sets(st.sampled_from(WORDS), min_size=1, max_size=2),
        "endorsers": st.sets(st.sampled_from(ENDORSERS), max_size=2),
    }
)
# (state, its status when reading): anonymous, authors, other members, an observer, a
# suspended state, and states suspended after they wrote or endorsed.
READERS = [
    (None, None),
    ("NO", None),
    ("DK", None),
    ("FR", None),
    ("FI", None),
    ("CL", None),
    ("PE", None),
    ("NO", StateStatus.SUSPENDED),
    ("FR", StateStatus.SUSPENDED),
]
FILTERS = st.one_of(
    st.none(),
    st.tuples(st.just("topic"), st.sampled_from(TOPICS)),
    st.tuples(st.just("doc_type"), st.sampled_from(["checklist", "guidance", "template"])),
    st.tuples(st.just("lead_state"), st.sampled_from(["NO", "DK"])),
    st.tuples(st.just("endorsed_by"), st.sampled_from(ENDORSERS)),
)


def may_read(reader, item) -> bool:
    """The rule of docs/architecture.md ("The visibility rule"), written out again:
    ``reader`` is None (nobody signed in) or (state code, state status, role)."""
    if item["public"] and item["status"] != "draft":
        return True
    if reader is None or reader[1] == StateStatus.SUSPENDED:
        return False
    code, status, role = reader
    if code == item["lead"] or code in item["co_authors"]:
        return item["status"] != "draft" or role != Role.VIEWER
    if item["status"] == "draft":
        return False
    reach = {"subscribing": {"subscribing"}, "community": {"subscribing", "observer"}}
    return status in reach[item["audience"]]


def facet_values(item, key) -> set[str]:
    return {
        "topic": item["topics"],
        "doc_type": {item["doc_type"]},
        "lead_state": {item["lead"]},
        "endorsed_by": item["endorsers"],
    }[key]


def expected_facet(items, key, chosen) -> dict[str, int]:
    """What a facet should count: the items that pass every filter but its own."""
    counts = Counter()
    for item in items:
        if chosen and chosen[0] != key and chosen[1] not in facet_values(item, chosen[0]):
            continue
        counts.update(facet_values(item, key))
    if chosen and chosen[0] == key:
        counts.setdefault(chosen[1], 0)  # the filter in force, shown even when empty
    return dict(counts)


def shown_facet(response, key) -> dict[str, int]:
    entry = next(f for f in response.context["facets"] if f["key"] == key)
    return {str(option["value"]): option["count"] for option in entry["options"]}


def build(items) -> dict:
    """Make the library through the services; returns {pk: item as the rules see it}."""
    states = {code: State.objects.get(pk=code) for code in ["NO", "DK", "FR", "DE", "CL"]}
    officers = {
        code: User.objects.create(username=f"{code}-officer", state=state, role=Role.OFFICER)
        for code, state in states.items()
    }
    made = {}
    for n, item in enumerate(items):
        item = {**item, "co_authors": item["co_authors"] - {item["lead"]}}
        lead = officers[item["lead"]]
        practice = practices.create(
            by=lead,
            **practice_content(
                title=f"Item {n}",
                body=f"Text with {' '.join(sorted(item['words']))}.",
                doc_type=item["doc_type"],
                topics=sorted(item["topics"]),
                audience=item["audience"],
                public=item["public"],
                co_authors=sorted(item["co_authors"]),
            ),
        )
        endorsers = set()
        if item["status"] != "draft":
            practice = practices.publish(practice, by=lead)
            authors = {item["lead"], *item["co_authors"]}
            for code in sorted(item["endorsers"] - authors):
                status = STATUS.get(code, StateStatus.SUBSCRIBING)
                if may_read((code, status, Role.OFFICER), item):
                    practices.endorse(practice, by=officers[code], kind="endorsed")
                    endorsers.add(code)
        if item["status"] == "archived":
            practice = practices.archive(practice, by=lead)
        made[practice.pk] = {**item, "endorsers": endorsers}
    return made


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    items=st.lists(ITEM, min_size=1, max_size=4),
    reader=st.sampled_from(READERS),
    role=st.sampled_from([Role.STATE_ADMIN, Role.OFFICER, Role.VIEWER]),
    terms=st.lists(st.sampled_from(WORDS), min_size=1, max_size=2, unique=True),
    excluded=st.lists(st.sampled_from(WORDS), max_size=1),
    chosen=FILTERS,
)
def test_list_search_facets_and_related_agree_with_the_rule(
    observer_state, suspended_state, items, reader, role, terms, excluded, chosen
):
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    query = " ".join([*terms, *(f"-{word}" for word in excluded)])

    def found(item) -> bool:
        return set(terms) <= item["words"] and not set(excluded) & item["words"]

    with transaction.atomic():
        made = build(items)
        code, suspend = reader
        if suspend:
            State.objects.filter(pk=code).update(status=suspend)
        user = User.objects.create(username="reader", state_id=code, role=role) if code else None
        rule_reader = user and (code, user.state.status, role)
        expected = {pk for pk, item in made.items() if may_read(rule_reader, item)}

        who = user or AnonymousUser()
        assert set(BestPractice.objects.visible_to(who).values_list("pk", flat=True)) == expected
        hits = search.search(who, query, kinds=("best_practice",)).hits
        assert {hit.obj.pk for hit in hits} == {pk for pk in expected if found(made[pk])}

        client = Client()
        if user is not None:
            client.force_login(user)  # a suspended state's user is signed out again
        for q in ("", query):
            params = {"q": q} if q else {}
            if chosen:
                params[chosen[0]] = chosen[1]
            response = client.get("/best-practices/", params)
            matching = [made[pk] for pk in expected if not q or found(made[pk])]
            listed = {p.pk for p in response.context["page"].object_list}
            assert listed == {
                pk
                for pk in expected
                if (not q or found(made[pk]))
                and (not chosen or chosen[1] in facet_values(made[pk], chosen[0]))
            }
            for key in PRACTICE_FACETS:
                assert shown_facet(response, key) == expected_facet(matching, key, chosen), key

        def related(pk) -> set:
            return {
                other
                for other in expected - {pk}
                if made[other]["status"] != "draft" and made[other]["topics"] & made[pk]["topics"]
            }

        if expected:  # the page of the item with the most related ones (pages are slow)
            pk = max(sorted(expected), key=lambda pk: len(related(pk)))
            page = client.get(f"/best-practices/{pk}/")
            assert {p.pk for p in page.context["related"]} == related(pk)
            assert {e.state_id for e in page.context["endorsements"]} == made[pk]["endorsers"]
        transaction.set_rollback(True)


def test_only_the_lead_decides_who_reads_and_writes(make_practice, dk_officer, no_officer):
    practice = make_practice(co_authors=["DK"])
    for change in ({"public": True}, {"audience": "community"}, {"co_authors": []}):
        with pytest.raises(ValidationError) as caught:
            practices.amend(practice, by=dk_officer, change_note="x", material=True, **change)
        assert set(change) <= set(caught.value.message_dict)
    practices.amend(practice, by=no_officer, change_note="Opened", material=True, public=True)


def test_endorsements_of_states_no_longer_reached_are_dropped(
    make_practice, no_officer, observer_state
):
    practice = make_practice(audience="community")
    observer = User.objects.create(username="cl-officer", state=observer_state, role="officer")
    practices.endorse(practice, by=observer, kind="adopted")
    practices.amend(
        practice,
        by=no_officer,
        change_note="Members only now",
        material=True,
        audience="subscribing",
    )
    assert not Endorsement.objects.exists()
    entry = AuditEntry.objects.get(action="best_practice.endorsement_withdrawn")
    assert (entry.state_id, entry.details) == ("CL", {"reason": "audience narrowed"})


def test_a_state_that_becomes_a_co_author_no_longer_endorses(
    make_practice, no_officer, dk_officer, fr_viewer
):
    practice = make_practice()
    practices.endorse(practice, by=dk_officer, kind="endorsed")
    fi = User.objects.create(username="fi-officer", state_id="FI", role="officer")
    practices.endorse(practice, by=fi, kind="adopted")
    practice = practices.amend(
        practice, by=no_officer, change_note="Denmark joins", material=True, co_authors=["DK"]
    )
    assert list(Endorsement.objects.values_list("state_id", flat=True)) == ["FI"]
    assert [e.state_id for e in practices.endorsements_shown(practice, fr_viewer)] == ["FI"]
    entry = AuditEntry.objects.get(action="best_practice.endorsement_withdrawn")
    assert (entry.state_id, entry.actor_id, entry.details) == (
        "DK",
        no_officer.pk,
        {"reason": "became a co-author"},
    )
    with pytest.raises(PermissionDenied):
        practices.endorse(practice, by=dk_officer, kind="endorsed")
    # Leaving the authors again, Denmark may endorse it anew.
    practices.amend(
        practice, by=no_officer, change_note="Denmark leaves", material=True, co_authors=[]
    )
    assert practices.endorse(practice, by=dk_officer, kind="endorsed").created


def test_saving_the_same_endorsement_again_announces_nothing(make_practice, dk_officer):
    practice = make_practice()
    practices.endorse(practice, by=dk_officer, kind="endorsed")
    practices.endorse(practice, by=dk_officer, kind="endorsed")
    practices.endorse(practice, by=dk_officer, kind="adopted")
    kinds = list(Event.objects.filter(best_practice=practice).values_list("kind", flat=True))
    assert kinds.count("best_practice.endorsed") == 2


def test_control_characters_are_refused(no_officer):
    with pytest.raises(ValidationError) as caught:
        practices.create(by=no_officer, **practice_content(title="Bad\x02title"))
    assert "title" in caught.value.message_dict
