"""The saved migrated database that test databases are copied from (tests/support/db_template.py): keyed by the
migrations, built once however many processes ask, and the copy is a whole migrated database."""

import sqlite3
import threading
import time

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from wagtail.models import Collection, Locale, Page

from tests.support import db_template


@pytest.fixture
def project(tmp_path):
    """A small project tree: the files the fingerprint reads."""
    (tmp_path / "requirements.txt").write_text("Django==5.2\n")
    (tmp_path / "config" / "settings").mkdir(parents=True)
    (tmp_path / "config" / "settings" / "base.py").write_text("INSTALLED_APPS = ['shop']\n")
    (tmp_path / "shop" / "migrations").mkdir(parents=True)
    (tmp_path / "shop" / "migrations" / "0001_initial.py").write_text("operations = []\n")
    (tmp_path / "shop" / "orders" / "migrations").mkdir(parents=True)
    (tmp_path / "shop" / "orders" / "migrations" / "0001_initial.py").write_text("operations = []\n")
    return tmp_path


def test_a_changed_or_new_migration_or_setting_gives_another_saved_database(project):
    def path():
        return db_template.sqlite_cache_path("migrated", project_dir=project)

    first = path()
    assert first.parent == project / ".pytest_cache" / "shanhai-db"
    assert path() == first
    changes = [
        lambda: (project / "shop" / "migrations" / "0001_initial.py").write_text("operations = [1]\n"),
        lambda: (project / "shop" / "orders" / "migrations" / "0001_initial.py").write_text("operations = [1]\n"),
        lambda: (project / "shop" / "migrations" / "0002_more.py").write_text("operations = []\n"),
        lambda: (project / "requirements.txt").write_text("Django==5.2.1\n"),
        lambda: (project / "config" / "settings" / "base.py").write_text("INSTALLED_APPS = ['shop', 'more']\n"),
    ]
    seen = {first}
    for change in changes:
        change()
        assert path() not in seen
        seen.add(path())
    assert db_template.sqlite_cache_path("migrated", "config.settings.other", project_dir=project) not in seen
    assert db_template.sqlite_cache_path("demo", project_dir=project).name.startswith("demo-")


def test_built_once_by_one_of_several_processes_and_whole_when_seen(tmp_path):
    path = tmp_path / "cache" / "migrated-abc.sqlite3"
    builds = []

    def build(partial):
        builds.append(partial)
        partial.write_text("half")
        time.sleep(0.2)  # the others arrive while this one builds
        assert not path.exists()
        partial.write_text("whole")

    results = []
    threads = [threading.Thread(target=lambda: results.append(db_template.build_once(path, build))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and sorted(results) == [False, False, False, True]
    assert path.read_text() == "whole"
    assert not list(path.parent.glob("*.partial-*"))
    assert db_template.build_once(path, build) is False and len(builds) == 1


def test_a_failed_build_leaves_nothing_and_a_new_one_replaces_the_old_kind(tmp_path):
    old = tmp_path / "migrated-old.sqlite3"
    old.write_text("old")
    other_kind = tmp_path / "demo-old.sqlite3"
    other_kind.write_text("demo")
    path = tmp_path / "migrated-new.sqlite3"

    def failing(partial):
        partial.write_text("half")
        raise RuntimeError("migration failed")

    with pytest.raises(RuntimeError):
        db_template.build_once(path, failing)
    assert not path.exists() and not list(tmp_path.glob("*.partial-*")) and old.exists()

    assert db_template.build_once(path, lambda partial: partial.write_text("new")) is True
    assert path.read_text() == "new" and not old.exists() and other_kind.read_text() == "demo"


class SqliteConnection:
    """What save_sqlite/load_sqlite use of a Django connection."""

    def __init__(self, database):
        self.connection = sqlite3.connect(database)

    def ensure_connection(self):
        pass


def test_save_and_load_copy_a_whole_database(tmp_path):
    source = SqliteConnection(":memory:")
    source.connection.execute("CREATE TABLE t (x)")
    source.connection.execute("INSERT INTO t VALUES (42)")
    source.connection.commit()
    db_template.save_sqlite(source, tmp_path / "saved.sqlite3")

    target = SqliteConnection(":memory:")
    target.connection.execute("CREATE TABLE other (y)")
    db_template.load_sqlite(tmp_path / "saved.sqlite3", target)
    tables = target.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == [("t",)]
    assert target.connection.execute("SELECT x FROM t").fetchall() == [(42,)]


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_runs_on_the_copy_too(django_user_model):
    django_user_model.objects.create_user("someone")
    assert django_user_model.objects.filter(username="someone").exists()
    assert ContentType.objects.filter(app_label="canteen").exists()


@pytest.mark.django_db
def test_the_test_database_is_migrated_with_what_post_migrate_and_migrations_made():
    """Whether copied or migrated, the test database is at the latest migrations with content types, permissions
    and Wagtail's root rows in it."""
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    applied = executor.recorder.applied_migrations()
    assert set(executor.loader.graph.nodes) <= set(applied)
    assert ContentType.objects.get(app_label="checkout", model="order")
    assert Permission.objects.get(content_type__app_label="checkout", codename="view_order")
    assert Permission.objects.filter(codename="verify_buyerunit", content_type__app_label="canteen").exists()
    assert Page.get_first_root_node() is not None
    assert Collection.get_first_root_node() is not None
    assert Locale.objects.exists()
