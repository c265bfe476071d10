"""Pytest plugin (registered from tests/conftest.py): a fake Stripe (localstripe) and Stripe settings for tests.

- `localstripe` (session): the fake started on a free loopback port, stopped at the end of the session.
  Without the package the test is skipped with the reason (failed under CI, see plugin.skip_or_fail).
- `stripe_settings`: STRIPE_SECRET_KEY / STRIPE_PUBLISHABLE_KEY / STRIPE_WEBHOOK_SECRET set (so card, Alipay and
  WeChat Pay are available, see marketplace.checkout.payment_methods), STRIPE_API_BASE on a closed port (a test
  that only posts webhooks must never reach a network).
- `stripe_fake`: the same settings pointed at the session's localstripe.
- `checkout_pg_template` (session): the name of a database migrated once on `postgres_url`'s server
  (tests/support/db_template.py), for the concurrency tests and the rush tests to copy (CREATE DATABASE … TEMPLATE).
"""

import pytest

from tests.support import db_template
from tests.support import localstripe as harness
from tests.support.plugin import skip_or_fail


@pytest.fixture(scope="session")
def localstripe():
    reason = harness.unavailable_reason()
    if reason:
        skip_or_fail(reason)
    with harness.LocalStripe.start() as fake:
        yield fake


def _clear_client_cache():
    from marketplace.checkout import stripe_client

    stripe_client._client.cache_clear()


@pytest.fixture
def stripe_settings(settings):
    settings.STRIPE_SECRET_KEY = harness.SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = harness.PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = harness.WEBHOOK_SECRET
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # discard port: nothing listens
    _clear_client_cache()
    yield settings
    _clear_client_cache()


@pytest.fixture
def stripe_fake(stripe_settings, localstripe):
    stripe_settings.STRIPE_API_BASE = localstripe.url
    _clear_client_cache()
    return localstripe


@pytest.fixture(scope="session")
def checkout_pg_template(postgres_url):
    # The run's one migrated template (db_template.py): in a PostgreSQL run the same one the test databases are
    # copied from, so the run migrates once. It stays with the server, which is thrown away after the run.
    return db_template.migrated_template(postgres_url)


@pytest.fixture
def checkout_pg_database(postgres_url, checkout_pg_template):
    """A fresh, migrated PostgreSQL database for one test (its URL), dropped afterwards."""
    from bench import checkout_rush

    name, url = checkout_rush.template_copy(postgres_url, checkout_pg_template)
    yield url
    checkout_rush.drop_database(postgres_url, name)
