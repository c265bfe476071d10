"""The PostgreSQL harness: a throwaway cluster, migrations on it in a subprocess, the CLI wrapper."""

import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.support import db_template, postgres
from tests.support.plugin import skip_or_fail

pytestmark = pytest.mark.postgres


@pytest.fixture
def fresh_database(postgres_url):
    """A new, empty database on the session's server, dropped afterwards."""
    name = f"shanhai_{uuid.uuid4().hex[:12]}"
    url = postgres.create_database(postgres_url, name)
    yield url
    postgres.drop_database(postgres_url, name)


@pytest.fixture
def migrated_copy(postgres_url):
    """A copy of the run's template, which is `migrate` run in a subprocess on an empty database (made here if this
    run has none yet); dropped afterwards. A copy, because a connection to the template would stop other workers
    copying it."""
    name = f"shanhai_{uuid.uuid4().hex[:12]}"
    url = db_template.copy_database(postgres_url, db_template.migrated_template(postgres_url), name)
    yield url
    postgres.drop_database(postgres_url, name)


def test_migrate_creates_cms_tables_and_constraints(migrated_copy):
    # On the run's template rather than a migration of our own: the PostgreSQL run migrates once, not twice. A
    # migration that fails or leaves something out fails here all the same.
    with psycopg.connect(migrated_copy) as conn:
        applied = set(conn.execute("SELECT app, name FROM django_migrations").fetchall())
        assert ("cms", "0001_initial") in applied
        tables = {
            row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        }
        assert {"cms_county", "cms_mountaincountymembership", "cms_homepage", "wagtailcore_page"} <= tables

        constraint = conn.execute(
            """
            SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conname = 'membership_ends_after_it_starts'
              AND conrelid = 'cms_mountaincountymembership'::regclass
            """
        ).fetchone()
    assert constraint is not None, "CheckConstraint membership_ends_after_it_starts missing in pg_constraint"
    kind, definition = constraint
    assert kind == "c"
    assert "until" in definition and "since" in definition


def test_run_django_snippet_talks_to_postgres(fresh_database):
    result = postgres.run_django(
        """
        from django.db import connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            print(connection.vendor, cursor.fetchone()[0])
        """,
        fresh_database,
    )
    assert result.stdout.split() == ["postgresql", fresh_database.rsplit("/", 1)[1]]


def test_cli_runs_command_with_database_url_and_passes_exit_code():
    reason = postgres.unavailable_reason()
    if reason:
        skip_or_fail(reason)
    code = "import os, sys; print(os.environ['DATABASE_URL']); sys.exit(3)"
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.postgres", "run", "--", sys.executable, "-c", code],
        cwd=postgres.PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3, result.stderr
    url = result.stdout.strip()
    assert url.startswith("postgres://postgres@127.0.0.1:") and url.endswith("/postgres")
    # The cluster is gone afterwards: its directory was removed.
    workdir = result.stderr.split(" in ", 1)[1].split()[0]
    assert workdir and not Path(workdir).exists()
