"""The permission matrix of the notices issue, over the API: every persona, audience,
status and author or other state, on every path (list, read, download, acknowledge,
comment, and each act of editing), against the rule as tests/sharing/test_visibility.py
writes it out. The API must answer exactly as the pages do: 404 for what cannot be
seen, 403 for what can be seen but not done, and the act itself otherwise."""

import hashlib
import secrets

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.sharing.common.test_visibility import (  # noqa: F401 (fixtures)
    PERSONAS,
    cl_admin,
    cl_officer,
    may_acknowledge,
    may_comment,
    may_edit,
    may_see,
    notices,
    notices_once,
    reader,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_media")]


@pytest.fixture
def api_as(request, api_for):
    """The persona's API client and user. Those who may not hold a token (anonymous,
    platform staff, a suspended state's user) get one written straight into the table,
    as if made before: it must not work."""

    def make(persona):
        user = reader(persona, request)
        if user is None:
            return APIClient(), None
        if user.is_staff or user.state.is_suspended:
            value = ApiToken.VALUE_PREFIX + secrets.token_urlsafe(32)
            ApiToken.objects.create(
                user=user,
                name="made before",
                key_hash=hashlib.sha256(value.encode()).hexdigest(),
                hint=value[:12],
            )
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
            return client, None
        return api_for(user), user

    return make


def attempt(api, method, path, body=None):
    """One request whose effects are rolled back, so that every act meets the same
    notices."""
    with transaction.atomic():
        response = getattr(api, method)(path, body, format="json")
        transaction.set_rollback(True)
    return response.status_code


def act_expectation(user, notice, *, allowed_status: str, done: int) -> int:
    """An act of the author state's officers and admins on a notice in one status; in
    another, where the notice stands refuses it (409)."""
    if not may_see(user, notice):
        return 404
    if not may_edit(user, notice):
        return 403
    return done if notice.status == allowed_status else 409


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_answers_exactly_as_the_rule_says(api_as, notices, persona):  # noqa: F811
    api, user = api_as(persona)
    listing = api.get("/api/v1/notices/?page_size=200")
    if user is None:
        assert listing.status_code == 401
        some = next(iter(notices.values()))
        assert api.get(f"/api/v1/notices/{some.pk}/").status_code == 401
        return

    listed = {item["id"] for item in listing.json()["results"]}
    assert listed == {str(n.pk) for n in notices.values() if may_see(user, n)}

    for key, notice in notices.items():
        base = f"/api/v1/notices/{notice.pk}/"
        seen = may_see(user, notice)
        file = notice.attachments.get()
        found = {
            "read": api.get(base).status_code,
            "download": api.get(f"/api/v1/attachments/{file.pk}/").status_code,
            "files": api.get(f"{base}attachments/").status_code,
            "acknowledge": attempt(api, "post", f"{base}acknowledge/", {}),
            "comment": attempt(api, "post", f"{base}comments/", {"body": "Noted."}),
            "patch": attempt(api, "patch", base, {"title": "Changed"}),
            "publish": attempt(api, "post", f"{base}publish/"),
            "amend": attempt(api, "post", f"{base}amend/", {"title": "v2", "change_note": "x"}),
            "withdraw": attempt(api, "post", f"{base}withdraw/", {"reason": "Old"}),
            "delete": attempt(api, "delete", base),
        }
        wanted = {
            "read": 200 if seen else 404,
            "download": 200 if seen else 404,
            "files": 200 if seen else 404,
            "acknowledge": 404 if not seen else 201 if may_acknowledge(user, notice) else 403,
            "comment": 404 if not seen else 201 if may_comment(user, notice) else 403,
            "patch": act_expectation(user, notice, allowed_status="draft", done=200),
            "publish": act_expectation(user, notice, allowed_status="draft", done=200),
            "amend": act_expectation(user, notice, allowed_status="published", done=200),
            "withdraw": act_expectation(user, notice, allowed_status="published", done=200),
            "delete": act_expectation(user, notice, allowed_status="draft", done=204),
        }
        assert found == wanted, (persona, key)
