"""The taxonomies are discoverable: the slugs that items and filters take are listed
by the API, and the document points to the lists."""

import pytest

from sharing.notices.models import TechnologyCategory
from sharing.practices.models import Topic

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("path", "model"), [("categories", TechnologyCategory), ("topics", Topic)])
def test_each_taxonomy_lists_its_terms_in_order(api_for, no_viewer, path, model):
    body = api_for(no_viewer).get(f"/api/v1/{path}/").json()
    assert [term["slug"] for term in body] == list(model.objects.values_list("slug", flat=True))
    assert set(body[0]) == {"slug", "name", "description"}


def test_a_listed_slug_is_one_a_notice_takes(api_for, dk_officer):
    from tests.sharing.conftest import notice_content

    api = api_for(dk_officer)
    slug = api.get("/api/v1/categories/").json()[-1]["slug"]
    created = api.post("/api/v1/notices/", notice_content(categories=[slug]), format="json")
    assert created.status_code == 201
    assert created.json()["categories"] == [slug]


def test_the_lists_need_a_token(anonymous_api):
    assert anonymous_api.get("/api/v1/categories/").status_code == 401


def test_the_document_says_where_slugs_come_from(client):
    document = client.get("/api/v1/schema/?format=json").json()
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/notices/"]["get"]["parameters"]}
    assert "GET /api/v1/categories/" in parameters["category"]["description"]
    write = document["components"]["schemas"]["NoticeWriteRequest"]["properties"]
    assert "GET /api/v1/categories/" in write["categories"]["description"]
    topics = document["components"]["schemas"]["BestPracticeWriteRequest"]["properties"]
    assert "GET /api/v1/topics/" in topics["topics"]["description"]
