"""The PostgreSQL run's test database after a transactional test (tests/support/plugin.py): Django flushes every
table, so a module-scoped fixture that loads the demo afterwards would find no Wagtail root page or collection;
copy_postgres_test_database_again copies the worker's database from the migrated template first."""

import pytest
from django.core.management import call_command
from django.db import connection
from wagtail.models import Collection, Page, Site

from tests.support import plugin

pytestmark = pytest.mark.postgresql_database


@pytest.fixture
def flushed(django_db_setup, django_db_blocker):
    """The worker's test database emptied the way Django empties it after a transactional test."""
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        assert Collection.get_first_root_node() is None and Page.get_first_root_node() is None
        yield
        plugin.copy_postgres_test_database_again(connection)  # whatever the test left, for the tests after it


def test_a_flushed_database_is_copied_from_the_migrated_template_again(flushed, django_db_blocker):
    assert plugin._postgres_copy, "the PostgreSQL run's test database is a copy of the migrated template"
    plugin._postgres_copy["flushed"] = True  # what the teardown of a transactional test records

    with django_db_blocker.unblock():
        plugin.copy_postgres_test_database_again(connection)

        assert Collection.get_first_root_node() is not None
        assert Page.get_first_root_node() is not None
        assert Site.objects.filter(is_default_site=True).exists()
    assert plugin._postgres_copy["flushed"] is False


def test_nothing_is_copied_when_nothing_was_flushed(flushed, django_db_blocker):
    plugin._postgres_copy["flushed"] = False

    with django_db_blocker.unblock():
        plugin.copy_postgres_test_database_again(connection)

        assert Collection.get_first_root_node() is None  # still the flushed database: not copied again
    plugin._postgres_copy["flushed"] = True  # the fixture's teardown copies it back
