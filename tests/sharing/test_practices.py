"""Best practices through sharing.services: who writes, publishes and endorses, what
each act records, and the visibility rule including public items."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from portal.models import AuditEntry
from sharing import services
from sharing.models import BestPractice, Endorsement, Event, Revision
from tests.sharing.conftest import pdf, practice_content

pytestmark = pytest.mark.django_db


def test_an_officer_drafts_publishes_and_amends_a_best_practice(make_practice, no_officer):
    practice = make_practice(co_authors=["DK"])
    assert (practice.status, practice.version, practice.lead_state_id) == ("published", 1, "NO")
    assert [s.pk for s in practice.co_authors.all()] == ["DK"]
    assert "<h3>Before the licence</h3>" in practice.body_html
    practice = services.amend_practice(
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
    services.update_practice(draft, by=dk_officer, title="Edited by Denmark")
    with pytest.raises(PermissionDenied):
        services.publish_practice(draft, by=dk_officer)
    practice = services.publish_practice(draft, by=no_officer)
    services.amend_practice(
        practice, by=dk_officer, change_note="Typo", material=False, title="Edited again by Denmark"
    )
    with pytest.raises(PermissionDenied):
        services.archive_practice(practice, by=dk_officer)
    practice = services.archive_practice(practice, by=no_officer)
    assert practice.status == "archived"
    with pytest.raises(ValidationError):
        services.amend_practice(
            practice, by=no_officer, change_note="x", material=True, title="After archiving"
        )


@pytest.mark.parametrize("persona", ["no_viewer", "fr_viewer", "staff_user"])
def test_others_cannot_write(make_practice, persona, request):
    practice = make_practice(publish=False)
    with pytest.raises(PermissionDenied):
        services.update_practice(practice, by=request.getfixturevalue(persona), title="x")


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
        services.create_practice(by=no_officer, **practice_content(**overrides))
    assert field in caught.value.message_dict
    assert not BestPractice.objects.exists()


def test_endorsements_one_per_state_changeable_and_withdrawable(
    make_practice, fr_viewer, dk_officer, dk_admin, no_officer
):
    practice = make_practice()
    with pytest.raises(PermissionDenied):
        services.endorse(practice, by=fr_viewer, kind="adopted")  # viewers do not speak
    with pytest.raises(PermissionDenied):
        services.endorse(practice, by=no_officer, kind="adopted")  # nor do the authors
    first = services.endorse(practice, by=dk_officer, kind="endorsed")
    again = services.endorse(practice, by=dk_admin, kind="adopted", note="In our 2027 manual.")
    assert (first.created, again.created) == (True, False)
    endorsement = Endorsement.objects.get()
    assert (endorsement.state_id, endorsement.kind, endorsement.by) == ("DK", "adopted", dk_admin)
    assert services.withdraw_endorsement(practice, by=dk_officer) is True
    assert not Endorsement.objects.exists()
    assert services.withdraw_endorsement(practice, by=dk_officer) is False


def test_a_minor_correction_cannot_widen_the_audience(make_practice, no_officer):
    practice = make_practice()
    with pytest.raises(ValidationError) as caught:
        services.amend_practice(
            practice, by=no_officer, change_note="x", material=False, public=True
        )
    assert "material" in caught.value.message_dict


def test_attachments_work_as_for_notices(make_practice, no_officer, client, fr_viewer):
    practice = services.create_practice(
        by=no_officer, attachments=[pdf("checklist.pdf")], **practice_content()
    )
    practice = services.publish_practice(practice, by=no_officer)
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
    services.archive_practice(archived, by=no_officer)

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

from django.db import transaction  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from accounts.choices import Role, StateStatus  # noqa: E402
from sharing import search  # noqa: E402

ITEM = st.tuples(
    st.sampled_from(["subscribing", "community"]),  # audience
    st.booleans(),  # public
    st.sampled_from(["draft", "published", "archived"]),
    st.sampled_from(["NO", "DK"]),  # lead
    st.sets(st.sampled_from(["DK", "FI", "FR"]), max_size=2),  # co-authors
    st.sampled_from(["alpha", "beta"]),  # a word of the body
)


def may_read(user, item) -> bool:
    audience, public, status, lead, co_authors, _word = item
    if public and status != "draft":
        return True
    if user is None or user.state is None or user.state.status == StateStatus.SUSPENDED:
        return False
    if user.state_id == lead or user.state_id in co_authors:
        return status != "draft" or user.role != Role.VIEWER
    if status == "draft":
        return False
    reach = {"subscribing": {"subscribing"}, "community": {"subscribing", "observer"}}
    return user.state.status in reach[audience]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    items=st.lists(ITEM, min_size=1, max_size=4),
    reader=st.sampled_from([None, "NO", "FR", "FI", "CL"]),
    role=st.sampled_from([Role.STATE_ADMIN, Role.OFFICER, Role.VIEWER]),
    word=st.sampled_from(["alpha", "beta"]),
)
def test_list_search_facets_and_related_agree_with_the_rule(
    observer_state, items, reader, role, word
):
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    with transaction.atomic():
        leads = {
            code: User.objects.create(username=f"{code}-lead", state_id=code, role=Role.OFFICER)
            for code in ("NO", "DK")
        }
        made = {}
        for n, item in enumerate(items):
            audience, public, status, lead, co_authors, body_word = item
            practice = services.create_practice(
                by=leads[lead],
                **practice_content(
                    title=f"Item {n}",
                    body=f"Text with {body_word}.",
                    audience=audience,
                    public=public,
                    co_authors=sorted(co_authors - {lead}),
                ),
            )
            if status != "draft":
                practice = services.publish_practice(practice, by=leads[lead])
            if status == "archived":
                practice = services.archive_practice(practice, by=leads[lead])
            made[practice.pk] = (audience, public, status, lead, co_authors - {lead}, body_word)
        user = (
            User.objects.create(username="reader", state_id=reader, role=role) if reader else None
        )
        expected = {pk for pk, item in made.items() if may_read(user, item)}

        who = user or AnonymousUser()
        assert set(BestPractice.objects.visible_to(who).values_list("pk", flat=True)) == expected
        found = {hit.obj.pk for hit in search.search(who, word, kinds=("best_practice",)).hits}
        assert found == {pk for pk in expected if made[pk][5] == word}

        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get("/best-practices/")
        listed = {p.pk for p in response.context["page"].object_list}
        assert listed == expected
        doc_types = next(f for f in response.context["facets"] if f["key"] == "doc_type")
        assert sum(option["count"] for option in doc_types["options"]) == len(expected)
        for pk in expected:
            page = client.get(f"/best-practices/{pk}/")
            assert {p.pk for p in page.context["related"]} <= expected
        transaction.set_rollback(True)


def test_only_the_lead_decides_who_reads_and_writes(make_practice, dk_officer, no_officer):
    practice = make_practice(co_authors=["DK"])
    for change in ({"public": True}, {"audience": "community"}, {"co_authors": []}):
        with pytest.raises(ValidationError) as caught:
            services.amend_practice(
                practice, by=dk_officer, change_note="x", material=True, **change
            )
        assert set(change) <= set(caught.value.message_dict)
    services.amend_practice(
        practice, by=no_officer, change_note="Opened", material=True, public=True
    )


def test_endorsements_of_states_no_longer_reached_are_dropped(
    make_practice, no_officer, observer_state
):
    practice = make_practice(audience="community")
    observer = User.objects.create(username="cl-officer", state=observer_state, role="officer")
    services.endorse(practice, by=observer, kind="adopted")
    services.amend_practice(
        practice,
        by=no_officer,
        change_note="Members only now",
        material=True,
        audience="subscribing",
    )
    assert not Endorsement.objects.exists()
    entry = AuditEntry.objects.get(action="best_practice.endorsement_withdrawn")
    assert (entry.state_id, entry.details) == ("CL", {"reason": "audience narrowed"})


def test_saving_the_same_endorsement_again_announces_nothing(make_practice, dk_officer):
    practice = make_practice()
    services.endorse(practice, by=dk_officer, kind="endorsed")
    services.endorse(practice, by=dk_officer, kind="endorsed")
    services.endorse(practice, by=dk_officer, kind="adopted")
    kinds = list(Event.objects.filter(best_practice=practice).values_list("kind", flat=True))
    assert kinds.count("best_practice.endorsed") == 2


def test_control_characters_are_refused(no_officer):
    with pytest.raises(ValidationError) as caught:
        services.create_practice(by=no_officer, **practice_content(title="Bad\x02title"))
    assert "title" in caught.value.message_dict
