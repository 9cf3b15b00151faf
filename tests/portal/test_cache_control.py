"""What a signed-in reader (or an API token) is shown is never kept by a browser's or a
proxy's cache: pages, API answers and downloads carry ``Cache-Control: private,
no-store``; the public best-practice pages keep their public caching. Pins finding 9 of
issue 17."""

import pytest
from rest_framework.test import APIClient

from accounts import services as accounts
from sharing.notices import services as notices
from sharing.practices import services as practices
from tests.sharing.conftest import notice_content, pdf

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


@pytest.fixture
def notice(dk_officer):
    draft = notices.create(
        by=dk_officer, attachments=[pdf()], **notice_content(audience="subscribing")
    )
    return notices.publish(draft, by=dk_officer)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/notices/",
        "{notice}",
        "/best-practices/",
        "/search/?q=reseller",
        "/notifications/",
        "/denials/",
        "/accounts/",
        "{file}",
    ],
)
def test_pages_a_member_sees_are_never_stored(client, no_viewer, notice, path):
    client.force_login(no_viewer)
    url = path.format(
        notice=notice.get_absolute_url(), file=f"/attachments/{notice.attachments.get().pk}/"
    )
    response = client.get(url)
    assert response.status_code == 200
    assert _no_store(response), response.get("Cache-Control")


def test_api_answers_and_downloads_are_never_stored(no_viewer, notice):
    _token, value = accounts.create_api_token(no_viewer, name="system", by=no_viewer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    for url in (
        "/api/v1/notices/",
        f"/api/v1/notices/{notice.pk}/",
        f"/api/v1/attachments/{notice.attachments.get().pk}/",
        "/api/v1/me/",
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), (url, response.get("Cache-Control"))


def test_errors_about_restricted_addresses_are_not_stored_either(client, fr_viewer, dk_officer):
    draft = notices.create(
        by=dk_officer, **notice_content(audience="selected", recipient_states=["NO"])
    )
    client.force_login(fr_viewer)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert _no_store(response)


def test_public_best_practice_pages_keep_their_public_caching(client, no_officer, fr_viewer):
    from tests.sharing.conftest import practice_content

    draft = practices.create(by=no_officer, **practice_content(public=True))
    practice = practices.publish(draft, by=no_officer)
    anonymous = client.get(practice.get_absolute_url())
    assert "public" in anonymous["Cache-Control"] and "max-age=300" in anonymous["Cache-Control"]
    client.force_login(fr_viewer)
    assert _no_store(client.get(practice.get_absolute_url()))


def test_redirects_to_the_address_with_its_slash_are_not_stored_either(client, no_viewer, notice):
    client.force_login(no_viewer)
    response = client.get(notice.get_absolute_url().rstrip("/"))
    assert response.status_code == 301
    assert _no_store(response)
