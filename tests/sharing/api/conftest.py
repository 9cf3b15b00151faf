"""Clients of the REST API, each holding a real token of a persona (tests/conftest.py)."""

import pytest
from rest_framework.test import APIClient

from accounts import services as accounts


@pytest.fixture
def token_for():
    """token_for(user, **kwargs) -> (ApiToken, value), made through the service."""

    def make(user, **kwargs):
        kwargs.setdefault("name", "tests")
        return accounts.create_api_token(user, by=user, **kwargs)

    return make


@pytest.fixture
def api_for(token_for):
    """api_for(user) -> an APIClient that sends a fresh token of ``user``."""

    def make(user, **kwargs):
        _token, value = token_for(user, **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
        client.token_value = value
        return client

    return make


@pytest.fixture
def anonymous_api():
    return APIClient()
