"""Fixtures for the JSON API tests: another buyer, the buyer's token, and a client that sends it.

`buyer` and `shop` come from tests/fixtures/catalogue.py; request helpers are in tests/support/api.py."""

import pytest

from cms.models import ApiToken
from tests.support.api import bearer_client


@pytest.fixture
def other_buyer(django_user_model):
    return django_user_model.objects.create_user("other", "other@example.cn", "pw")


@pytest.fixture
def token(buyer):
    _token, secret = ApiToken.issue(buyer, "phone")
    return secret


@pytest.fixture
def api(token):
    """A client authenticated with the buyer's token, asking for English messages."""
    return bearer_client(token)
