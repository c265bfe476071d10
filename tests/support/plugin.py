"""Pytest plugin (registered from tests/conftest.py): the `postgres_url` fixture, the CI rules, and the test
database copied from one migrated database (`django_db_setup`, see db_template.py): on PostgreSQL a template
database, on in-memory SQLite a file in .pytest_cache/.

Tests that need PostgreSQL or Chromium start it themselves. Where the binaries are missing they are
skipped with the reason, except under CI (the CI environment variable set to anything but 0/false/no),
where a missing binary is a failure and any skipped test fails the run: CI runs every test.
"""

import os

import pytest

from tests.support import db_template, postgres


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


def skip_or_fail(reason: str) -> None:
    """Skip the test with reason; under CI fail it instead, so nothing is quietly left out."""
    if running_in_ci():
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server URL (superuser, database `postgres`) that tests may create databases on.

    Reuses DATABASE_URL when this run already targets PostgreSQL (`make test`'s second run), otherwise
    starts a throwaway cluster for the session.
    """
    current = os.environ.get("DATABASE_URL")
    if postgres.is_postgres_url(current):
        yield postgres.with_database(current, "postgres")
        return
    reason = postgres.unavailable_reason()
    if reason:
        skip_or_fail(reason)
    with postgres.throwaway_cluster() as url:
        yield url


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's test database, but a copy of one migrated database instead of a migration per
    pytest-xdist worker (tests/support/db_template.py): on PostgreSQL a copy of the run's migrated template, on
    in-memory SQLite a copy of the migrated file. Runs with --nomigrations, --reuse-db, several databases or
    SQLite in a file go the usual way."""
    from django.conf import settings
    from django.db import connections
    from pytest_django.fixtures import django_db_setup as usual

    database = settings.DATABASES["default"]
    server_url = os.environ.get("DATABASE_URL")
    usual_way = not django_db_use_migrations or django_db_keepdb or set(settings.DATABASES) != {"default"}
    if not usual_way and db_template.in_memory_sqlite(connections["default"]):
        yield from _sqlite_test_database(request, django_db_blocker)
        return
    if usual_way or "postgresql" not in database["ENGINE"] or not postgres.is_postgres_url(server_url):
        yield from usual.__wrapped__(
            request,
            django_test_environment,
            django_db_blocker,
            django_db_use_migrations,
            django_db_keepdb,
            django_db_createdb,
            django_db_modify_db_settings,
        )
        return
    connection = connections["default"]
    old_name = database["NAME"]
    test_name = connection.creation._get_test_db_name()  # test_…, with the worker's suffix (_gw0 …)
    with django_db_blocker.unblock():
        connection.close()
        template = db_template.migrated_template(
            server_url, settings=os.environ.get("DJANGO_SETTINGS_MODULE", db_template.SETTINGS)
        )
        db_template.copy_database(server_url, template, test_name)
        database["NAME"] = connection.settings_dict["NAME"] = test_name
        connection.ensure_connection()
    _postgres_copy.update(server_url=server_url, template=template, name=test_name, flushed=False)
    yield
    _postgres_copy.clear()
    with django_db_blocker.unblock():
        connection.close()
        database["NAME"] = connection.settings_dict["NAME"] = old_name
        postgres.drop_database(postgres.with_database(server_url, "postgres"), test_name)


# This PostgreSQL worker's test database: where it was copied from, and whether a transactional test has emptied
# its tables since (Django flushes them after one; post_migrate makes content types and grants again, but not what
# the migrations wrote: Wagtail's root page, site and collection, groups' data).
_postgres_copy = {}


def copy_postgres_test_database_again(connection):
    """On PostgreSQL, after a transactional test flushed this worker's test database: copy it from the run's
    migrated template again, so a module-scoped fixture that builds on it (a demo load) starts from what a worker's
    first test sees, whatever ran before it on the worker. A no-op when nothing was flushed, and on SQLite (its
    database is restored after each transactional test, pytest_runtest_teardown below)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Site

    if not _postgres_copy.get("flushed"):
        return
    connection.close()
    db_template.copy_database(_postgres_copy["server_url"], _postgres_copy["template"], _postgres_copy["name"])
    connection.ensure_connection()
    _postgres_copy["flushed"] = False
    ContentType.objects.clear_cache()  # the flush's post_migrate made them again under other ids
    Site.clear_site_root_paths_cache()


def _sqlite_test_database(request, django_db_blocker):
    from django.db import connections
    from pytest_django.fixtures import _get_databases_for_setup

    connection = connections["default"]
    with django_db_blocker.unblock():
        old_name = db_template.sqlite_test_database(
            connection, settings=os.environ.get("DJANGO_SETTINGS_MODULE", db_template.SETTINGS)
        )
        # What create_test_db(serialize=True) would keep, for tests with serialized_rollback (none today).
        if "default" in _get_databases_for_setup(request.session.items)[1]:
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test (flushed: every table emptied, post_migrate's rows made again), the in-memory
    SQLite test database becomes the saved migrated copy again, with what the migrations wrote (Wagtail's root
    page and site, groups and their grants, data migrations): the tests after it see what a worker's first test
    sees, whichever order pytest-xdist hands them out in."""
    result = yield
    if _is_transactional(item):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        connection = connections["default"]
        with item.config.stash[blocking_manager_key].unblock():
            if db_template.can_restore(connection):
                db_template.restore_migrated(connection)
            elif _postgres_copy:
                _postgres_copy["flushed"] = True
    return result


_skipped = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if running_in_ci() and _skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if running_in_ci() and _skipped:
        terminalreporter.section("CI: skipped tests are failures", sep="=", red=True, bold=True)
        for nodeid in _skipped:
            terminalreporter.write_line(f"SKIPPED under CI: {nodeid}")
