"""The two vocabularies are one model (sharing.common.models.Term) and keep their own
pages in the administration site: each lists, creates and refuses within its own."""

import pytest
from django.db import IntegrityError, transaction

from sharing.common.choices import Vocabulary
from sharing.common.models import Term
from sharing.notices.models import TechnologyCategory
from sharing.practices.models import Topic

pytestmark = pytest.mark.django_db

CATEGORIES = "/admin/sharing/technologycategory/"
TOPICS = "/admin/sharing/topic/"


def _add(staff_client, page, **fields):
    data = {"name": "", "slug": "", "description": "", "position": 0, **fields}
    return staff_client.post(f"{page}add/", data)


def test_each_vocabulary_lists_its_own_terms(staff_client):
    categories = staff_client.get(CATEGORIES).content.decode()
    topics = staff_client.get(TOPICS).content.decode()
    assert "Intrusion software" in categories and "Licensing" not in categories
    assert "Licensing" in topics and "Intrusion software" not in topics


def test_a_term_added_on_a_vocabularys_page_joins_that_vocabulary(staff_client):
    response = _add(staff_client, TOPICS, name="Sanctions", slug="sanctions")
    assert response.status_code == 302
    term = Term.objects.get(slug="sanctions")
    assert term.vocabulary == Vocabulary.TOPIC
    assert Topic.objects.filter(slug="sanctions").exists()
    assert not TechnologyCategory.objects.filter(slug="sanctions").exists()


def test_a_name_or_slug_taken_in_the_same_vocabulary_is_refused_on_the_form(staff_client):
    before = Term.objects.count()
    by_name = _add(staff_client, TOPICS, name="Licensing", slug="licensing-2")
    by_slug = _add(staff_client, TOPICS, name="Licensing again", slug="licensing")
    assert by_name.status_code == by_slug.status_code == 200
    assert "already has a term with this name" in by_name.content.decode()
    assert "already has a term with this slug" in by_slug.content.decode()
    assert Term.objects.count() == before


def test_the_same_name_may_serve_in_the_other_vocabulary(staff_client):
    response = _add(staff_client, CATEGORIES, name="Licensing", slug="licensing")
    assert response.status_code == 302
    assert sorted(Term.objects.filter(slug="licensing").values_list("vocabulary", flat=True)) == [
        Vocabulary.TECHNOLOGY,
        Vocabulary.TOPIC,
    ]


def test_a_term_in_use_cannot_be_deleted(staff_client, make_notice):
    used = make_notice().categories.first()
    assert staff_client.get(f"{CATEGORIES}{used.pk}/delete/").status_code == 403
    unused = TechnologyCategory.objects.exclude(notices__isnull=False).first()
    assert staff_client.get(f"{CATEGORIES}{unused.pk}/delete/").status_code == 200


def test_a_term_belongs_to_a_known_vocabulary_even_when_saved_in_bulk():
    # bulk_create skips save(), which fills the vocabulary in: the database refuses the
    # term no vocabulary would list.
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.bulk_create([Term(slug="orphan", name="Orphan")])
    assert not Term.objects.filter(slug="orphan").exists()
