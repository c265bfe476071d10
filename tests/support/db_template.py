"""One migrated PostgreSQL database per server and migration set, copied for every test database that needs one.

Migrating this project takes far longer than copying a migrated database (CREATE DATABASE … TEMPLATE), so a
PostgreSQL test run migrates once: `migrated_template(server_url)` makes the template the first time any process
asks for it (pytest-xdist workers, the session fixtures in stripe_plugin) and returns its name afterwards. A
PostgreSQL advisory lock makes the other processes wait while one migrates; the name carries a hash of the
migration files and the settings module, so a changed migration never reuses an old template.

The pytest-django test database of a PostgreSQL run (`django_db_setup` in tests/support/plugin.py) and the race
tests' per-test databases (`checkout_pg_database`) are copies of it, and the live-outage test, which needs a cluster
of its own, gets a pg_dump of it (`copy_to_server`). The migrations themselves still run in every PostgreSQL run
(here, once), and tests/support/test_postgres.py checks what they made.
"""

from __future__ import annotations

import hashlib
import os
import subprocess

from tests.support import postgres

PROJECT_DIR = postgres.PROJECT_DIR
SETTINGS = "config.settings.test"
# Any constant: the advisory lock that one process holds while it migrates the template.
_LOCK_KEY = 0x5348_4154_504C  # "SHATPL"


def migrations_fingerprint(settings: str = SETTINGS) -> str:
    """A short hash of the project's migration files, the pinned requirements and the settings module."""
    digest = hashlib.sha256(settings.encode())
    digest.update((PROJECT_DIR / "requirements.txt").read_bytes())  # third-party apps' migrations
    for path in sorted(PROJECT_DIR.glob("*/migrations/*.py")) + sorted(PROJECT_DIR.glob("*/*/migrations/*.py")):
        if ".venv" in path.parts:
            continue
        digest.update(str(path.relative_to(PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_name(settings: str = SETTINGS) -> str:
    return f"shanhai_tpl_{migrations_fingerprint(settings)}"


def _database_exists(conn, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def migrated_template(server_url: str, *, settings: str = SETTINGS) -> str:
    """The name of a migrated database on server_url's server, made (migrate in a subprocess) if missing.

    It is made under another name and renamed when complete, so a template that exists is always whole (an
    interrupted run leaves only a `…_partial` database, dropped by the next one)."""
    from psycopg import sql

    name = template_name(settings)
    partial = f"{name}_partial"
    admin_url = postgres.with_database(server_url, "postgres")
    with postgres._connect(admin_url) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [_LOCK_KEY])
        try:
            if _database_exists(conn, name):
                return name
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(partial)))
            postgres.create_database(admin_url, partial)
            postgres.run_django(
                ["migrate", "--noinput"], postgres.with_database(server_url, partial), settings=settings, timeout=600
            )
            conn.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(partial), sql.Identifier(name))
            )
            return name
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])


def copy_database(server_url: str, template: str, name: str) -> str:
    """CREATE DATABASE name TEMPLATE template (dropping an old `name` first); returns its URL."""
    from psycopg import sql

    with postgres._connect(postgres.with_database(server_url, "postgres")) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    return postgres.with_database(server_url, name)


def copy_to_server(server_url: str, template: str, target_url: str) -> None:
    """Copy database `template` on server_url's server into the empty database at target_url on ANOTHER server,
    for a test that needs a cluster of its own (one it stops) but not a migration of its own. CREATE DATABASE …
    TEMPLATE works within one server only, so pg_dump into psql, from a copy: a connection to the template itself
    would make other processes' CREATE DATABASE … TEMPLATE fail while it lasts."""
    bin_dir = postgres.find_bin_dir()
    assert bin_dir is not None
    scratch = f"{template}_dump_{os.getpid()}"
    source = copy_database(server_url, template, scratch)
    try:
        dump = subprocess.Popen(
            [str(bin_dir / "pg_dump"), "--no-owner", "--no-privileges", "--dbname", source],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        restore = subprocess.run(
            [str(bin_dir / "psql"), "--quiet", "--no-psqlrc", "--set", "ON_ERROR_STOP=1", "--dbname", target_url],
            stdin=dump.stdout,
            capture_output=True,
            text=True,
        )
        dump.stdout.close()
        dump_error = dump.stderr.read().decode(errors="replace")
        dump.wait()
    finally:
        postgres.drop_database(postgres.with_database(server_url, "postgres"), scratch)
    if dump.returncode or restore.returncode:
        raise RuntimeError(
            f"copying {template} failed: pg_dump {dump.returncode}: {dump_error}\npsql {restore.returncode}: "
            f"{restore.stderr}"
        )
