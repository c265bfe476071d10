"""Fixtures shared by every test package."""

import pytest
from wagtail.models import Site

from cms.models import HomePage
from tests.support import selection
from tests.support.wagtail_rows import ensure_wagtail_base_rows


@pytest.fixture(autouse=True)
def default_language():
    """A request to an /en/ page leaves English active in this thread; each test starts in Chinese."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def clear_cache():
    """Wagtail caches site root paths and renditions, and we cache taxonomy choices; each test has a new database."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def empty_outboxes():
    """Every test starts with empty SMS and mail outboxes (cms.sms.MemoryBackend, Django's locmem)."""
    from django.core import mail

    from cms import sms

    sms.outbox.clear()
    mail.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def outbox(monkeypatch):
    """cms.sms.outbox, with messages sent at once: the test's transaction never commits, so SMS that would go
    out after commit go out straight away (tests/cms/test_sms.py checks the after-commit part)."""
    from types import SimpleNamespace

    from cms import locking, sms

    def at_once(callback, **kwargs):
        # As after the commit: the service's row locks (cms.locking) are released by then.
        with monkeypatch.context() as released:
            released.setattr(locking, "held_labels", lambda using=None: [])
            callback()

    monkeypatch.setattr(sms, "transaction", SimpleNamespace(on_commit=at_once))
    return sms.outbox


# make test runs pytest twice (Makefile): on SQLite, and on a throwaway PostgreSQL with `-m "database_sensitive and
# not browser"`. The tests that need PostgreSQL (`postgres`: the multi-process races, the live outage;
# `postgresql_database`: search at scale) are marked database_sensitive automatically, and so are the modules and
# folders of the two lists below. The README ("Tests") says which tests run where and why; a new test of locking,
# constraint, search, API or bad-input code goes into a listed module or gets its module added to a list.
#
# ON_BOTH_DATABASES: the code under test has a branch per backend, or the test's point is each backend's own
# behaviour: make test runs these on SQLite and again on PostgreSQL.
ON_BOTH_DATABASES = (
    # reserve_stock makes one conditional UPDATE per backend (marketplace/services/stock.py).
    "tests/marketplace/test_stock_reserve.py",
    # Placing an order reads products with their tier prices as JSON built per backend (checkout/services.py
    # _order_products), and reserves stock per backend.
    "tests/checkout/test_place_order.py",
    # The shipping regions' provinces come in that per-backend JSON too (SQLite nests JSON columns as text).
    "tests/checkout/test_shipping.py",
    # The migration path from before checkout and canteen were apps (issue #15), on each database's DDL.
    "tests/test_subapp_migration.py",
    # Search: PostgreSQL full-text search and its index versus SQLite's fallback (cms/search.py); RUM candidates,
    # kept rankings and the search page's query budget per backend.
    "tests/marketplace/test_search.py",
    "tests/marketplace/test_search_rum.py",
    # Query budgets: a page's or endpoint's query count can differ by backend (kept per backend where it does:
    # test_query_budgets, test_order_queries), and both must hold.
    "tests/marketplace/test_query_budgets.py",
    "tests/marketplace/test_personal_query_budgets.py",
    "tests/events/test_query_budgets.py",
    "tests/events/test_personal_query_budgets.py",
    "tests/api/test_order_queries.py",
    # The order's prepared queries: one statement for the API token on PostgreSQL, two elsewhere (cms.prepared_query).
    "tests/api/test_prepared_query.py",
    # Bad input: out-of-range numbers and odd text that SQLite stores (or raises OverflowError on) and PostgreSQL
    # refuses with DataError (cms/middleware.py); on PostgreSQL the sweep sends only those values.
    "tests/hardening/",
)
# ON_POSTGRESQL: the production database's behaviour is the point (row locks, conditional UPDATEs, constraints,
# idempotency keys, webhooks applied once) and the code has no branch per backend: make test runs these in its
# PostgreSQL run only (marker `postgresql_run`; its SQLite run deselects them). A bare `pytest` runs them on SQLite.
ON_POSTGRESQL = (
    # Services that take row locks (cms.locking) or make conditional UPDATEs, backed by constraints:
    # orders and their state table, expiry, payments and webhooks applied once, refunds, stock, canteen orders.
    "tests/checkout/test_double_submit.py",
    "tests/checkout/test_expiry.py",
    "tests/checkout/test_state_machines.py",
    "tests/checkout/test_webhooks.py",
    "tests/checkout/test_after_sale.py",
    "tests/checkout/test_after_sale_race.py",
    "tests/marketplace/test_stock_admin.py",
    "tests/canteen/test_services.py",
    # Stalls, registrations, capacity, check-in, stall sales (the same locks and constraints on events' side).
    "tests/events/test_services.py",
    "tests/events/test_state_machines.py",
    "tests/events/test_registration.py",
    "tests/events/test_registration_idempotency.py",
    "tests/events/test_capacity_changes.py",
    "tests/events/test_registration_admin.py",
    "tests/events/test_guest_tickets.py",
    "tests/events/test_checkin_codes.py",
    "tests/events/test_stall_sales.py",
    "tests/events/test_agreements.py",
    # Reviews: the services that keep the product counters, and the review API's writes.
    "tests/reviews/test_review_services.py",
    "tests/reviews/test_review_api.py",
    # Database constraints seen directly (IntegrityError) and data migrations run by hand.
    "tests/cms/test_taxonomy.py",
    "tests/checkout/test_carriers.py",
    # API writes (orders, idempotency keys, tokens); canteen and stall-booking APIs.
    "tests/api/",
    "tests/canteen/test_api.py",
    "tests/canteen/test_api_idempotency.py",
    "tests/events/test_api.py",
)
DATABASE_SENSITIVE = ON_BOTH_DATABASES + ON_POSTGRESQL


def listed(item, entries) -> bool:
    path = item.nodeid.split("::", 1)[0]
    return any(path == entry or (entry.endswith("/") and path.startswith(entry)) for entry in entries)


def is_database_sensitive(item) -> bool:
    if item.get_closest_marker("postgres") or item.get_closest_marker("postgresql_database"):
        return True
    if "postgres_url" in item.fixturenames:
        return True
    return listed(item, DATABASE_SENSITIVE)


def runs_on_postgresql_only(item) -> bool:
    """In make test, only its PostgreSQL run runs the test (ON_POSTGRESQL; a module named in ON_BOTH_DATABASES
    inside a listed folder runs on both)."""
    return listed(item, ON_POSTGRESQL) and not listed(item, ON_BOTH_DATABASES)


def pytest_collection_modifyitems(config, items):
    """The `database_sensitive` marker that selects the PostgreSQL run
    and the `postgresql_run` marker that leaves a test out of make test's SQLite run (the lists above); and the
    check that make test's two runs together run every collected test."""
    missing = [entry for entry in DATABASE_SENSITIVE if not (config.rootpath / entry).exists()]
    if missing:
        raise pytest.UsageError(f"tests/conftest.py DATABASE_SENSITIVE names what does not exist: {missing}")
    twice = set(ON_BOTH_DATABASES) & set(ON_POSTGRESQL)
    if twice:
        raise pytest.UsageError(f"tests/conftest.py: in both ON_BOTH_DATABASES and ON_POSTGRESQL: {sorted(twice)}")
    from django.conf import settings

    on_postgresql = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    for item in items:
        if is_database_sensitive(item):
            item.add_marker(pytest.mark.database_sensitive)
        if runs_on_postgresql_only(item):
            item.add_marker(pytest.mark.postgresql_run)
    left_out = selection.left_out_of_make_test(items, selection.make_test_expressions())
    if left_out:
        raise pytest.UsageError(
            "make test would run none of these tests (Makefile SQLITE_TESTS / POSTGRES_TESTS, tests/conftest.py "
            f"lists): {left_out[:20]}"
        )
    # Tests of what only the PostgreSQL database does run in the PostgreSQL run; the SQLite run leaves them out
    # (deselected, not skipped: under CI a skip fails the run).
    if not on_postgresql:
        deselected = [item for item in items if item.get_closest_marker("postgresql_database")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if not item.get_closest_marker("postgresql_database")]


@pytest.fixture
def home_page(db):
    """A published HomePage as the root of the default site, replacing Wagtail's welcome page."""
    root = ensure_wagtail_base_rows()
    home = root.add_child(instance=HomePage(title="山海集市", hero_title="山海协作，百县千碗", slug="shanhai"))
    site = Site.objects.get(is_default_site=True)
    old_root = site.root_page
    site.root_page = home
    site.save()
    if old_root.depth > 1 and old_root.pk != home.pk and not isinstance(old_root.specific, HomePage):
        old_root.delete()
    return home


# postgres_url fixture and the CI rule "skipped means failed" (see tests/support/plugin.py); fixtures for
# every package, browser tests included: catalogue (market, make_vendor, make_product, shop, buyer …),
# canteen units, fairs (fair_index, make_fair, vendor_user, organiser) and the demo loader's media_root.
# Plain helpers live in tests/factories/ and tests/support/ and are imported from there, never from a
# conftest or another test module.
pytest_plugins = [
    "tests.support.plugin",
    "tests.support.stripe_plugin",
    "tests.fixtures.catalogue",
    "tests.fixtures.canteen",
    "tests.fixtures.events",
    "tests.fixtures.demo",
]
