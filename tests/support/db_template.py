"""One migrated database per migration set, copied for every test database that needs one.

Migrating this project takes far longer than copying a migrated database, so a test run migrates once per
migration set, not once per pytest-xdist worker:

- PostgreSQL: `migrated_template(server_url)` makes a template database the first time any process asks for it
  (pytest-xdist workers, the session fixtures in stripe_plugin) and returns its name afterwards; a PostgreSQL
  advisory lock makes the other processes wait while one migrates. Test databases are `CREATE DATABASE … TEMPLATE`
  copies (`copy_database`); the live-outage test, which needs a cluster of its own, gets a pg_dump of it
  (`copy_to_server`).
- SQLite (in memory, the first run of `make test`): `sqlite_test_database(connection)` fills a worker's in-memory
  test database from a migrated file kept in .pytest_cache/shanhai-db/ with sqlite3's backup API. The first worker
  to need it migrates its own test database the usual way (Django's create_test_db: migrate, then post_migrate's
  content types and permissions) and saves a copy under a temporary name, renamed when complete; a file lock makes
  the other workers wait for it. Later runs copy the file until a migration changes.

Both are keyed by `migrations_fingerprint`: a hash of the migration files, the pinned requirements (third-party
apps' migrations) and the settings (installed apps), so a changed migration never reuses an old copy
(tests/support/test_db_template.py). The pytest-django test database (`django_db_setup` in tests/support/plugin.py)
and the race tests' per-test PostgreSQL databases (`checkout_pg_database`) are copies. The migrations themselves
still run in every run where no copy exists, and tests/support/test_postgres.py checks what they made.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.support import postgres

PROJECT_DIR = postgres.PROJECT_DIR
# Saved SQLite databases (migrated, demo loaded …), one file per kind and fingerprint; `make clean` removes them.
SQLITE_CACHE = ".pytest_cache/shanhai-db"
SETTINGS = "config.settings.test"
# Any constant: the advisory lock that one process holds while it migrates the template.
_LOCK_KEY = 0x5348_4154_504C  # "SHATPL"


def migrations_fingerprint(settings: str = SETTINGS, *, project_dir: Path = PROJECT_DIR) -> str:
    """A short hash of the project's migration files, the pinned requirements and the settings (module name and
    files: INSTALLED_APPS decides which migrations run)."""
    digest = hashlib.sha256(settings.encode())
    digest.update((project_dir / "requirements.txt").read_bytes())  # third-party apps' migrations
    files = [
        *sorted(project_dir.glob("config/settings/*.py")),
        *sorted(project_dir.glob("*/migrations/*.py")),
        *sorted(project_dir.glob("*/*/migrations/*.py")),
    ]
    for path in files:
        if ".venv" in path.parts:
            continue
        digest.update(str(path.relative_to(project_dir)).encode())
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


# SQLite ------------------------------------------------------------------------------------------------------------


def sqlite_cache_path(kind: str, settings: str = SETTINGS, *, extra: str = "", project_dir: Path = PROJECT_DIR) -> Path:
    """Where the saved SQLite database of `kind` ("migrated", "pre-split", "demo" …) for today's migration set
    lives; `extra` is anything else its content depends on (a hash of the code that makes it, its parameters)."""
    key = migrations_fingerprint(settings, project_dir=project_dir)
    if extra:
        key = hashlib.sha256(f"{key}:{extra}".encode()).hexdigest()[:12]
    return project_dir / SQLITE_CACHE / f"{kind}-{key}.sqlite3"


@contextlib.contextmanager
def _file_lock(path: Path):
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_once(path: Path, build: Callable[[Path], None]) -> bool:
    """Make `path` with build(partial) unless it exists; True if this call made it.

    Safe when several processes ask at once: one builds (into a temporary name, renamed when complete, so an
    existing file is always whole) while the others wait on a file lock, then find it made. Older files of the same
    kind (another fingerprint) are removed."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(path.with_name(path.name + ".lock")):
        if path.exists():
            return False
        partial = path.with_name(f"{path.name}.partial-{os.getpid()}")
        try:
            build(partial)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    kind = path.name.rsplit("-", 1)[0]
    for old in path.parent.glob(f"{kind}-*.sqlite3"):
        if old != path and old.name.rsplit("-", 1)[0] == kind:
            for leftover in path.parent.glob(old.name + "*"):  # the file, its lock and what was saved beside it
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)
    return True


def save_sqlite(connection, path: Path) -> None:
    """Copy the database behind a Django SQLite connection into the file `path` (sqlite3's backup API)."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def load_sqlite(path: Path, connection) -> None:
    """Replace the database behind a Django SQLite connection with a copy of the file `path`."""
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def sqlite_test_database(connection, *, settings: str = SETTINGS) -> str:
    """Set up the in-memory SQLite test database of `connection` as Django's create_test_db would (same name,
    migrated, post_migrate's rows), but copied from the saved migrated database; the first process to need that
    file migrates its own test database and saves it. Returns the connection's old NAME (for destroy_test_db)."""
    from django.conf import settings as django_settings

    old_name = connection.settings_dict["NAME"]

    def migrate_and_save(partial: Path) -> None:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        save_sqlite(connection, partial)

    if not build_once(sqlite_cache_path("migrated", settings), migrate_and_save):
        test_name = connection.creation._get_test_db_name()
        connection.close()
        django_settings.DATABASES[connection.alias]["NAME"] = connection.settings_dict["NAME"] = test_name
        load_sqlite(sqlite_cache_path("migrated", settings), connection)
    return old_name


def in_memory_sqlite(connection) -> bool:
    """Whether `connection` is an in-memory SQLite test database (the ones copied from saved files)."""
    return connection.vendor == "sqlite" and connection.creation.is_in_memory_db(
        connection.creation._get_test_db_name()
    )


def can_restore(connection) -> bool:
    """Whether restore_or_build works here: an in-memory SQLite test database copied from the saved migrated one
    (not under --reuse-db or --nomigrations, which make the test database the usual way)."""
    settings = os.environ.get("DJANGO_SETTINGS_MODULE", SETTINGS)
    return (
        in_memory_sqlite(connection)
        and connection.settings_dict["NAME"] == connection.creation._get_test_db_name()
        and sqlite_cache_path("migrated", settings).exists()
    )


def restore_or_build(connection, kind: str, make: Callable[[Path], None], *, extra: str = "") -> Path:
    """Bring the in-memory SQLite test database of `connection` to the saved state `kind`; the first time (per
    fingerprint and `extra`) make it with make(path) on a fresh copy of the migrated database, and save it. make may
    keep files beside the database under names that start with `path` (its pictures, output). Returns the path.

    Call it outside any transaction (a module- or class-scoped fixture, or a transactional test); put the
    database back with `restore_migrated` afterwards."""
    settings = os.environ.get("DJANGO_SETTINGS_MODULE", SETTINGS)
    path = sqlite_cache_path(kind, settings, extra=extra)

    def build(partial: Path) -> None:
        load_sqlite(sqlite_cache_path("migrated", settings), connection)
        make(path)
        save_sqlite(connection, partial)

    if not build_once(path, build):
        load_sqlite(path, connection)
    return path


def restore_migrated(connection) -> None:
    """Put the in-memory SQLite test database back to the saved migrated state (as a worker's first test sees it)."""
    load_sqlite(sqlite_cache_path("migrated", os.environ.get("DJANGO_SETTINGS_MODULE", SETTINGS)), connection)
