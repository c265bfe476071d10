"""Running `manage.py load_demo` in tests: capture its output, draw its pictures small."""

import contextlib
import io
import os
import shutil
from pathlib import Path
from typing import NamedTuple
from unittest import mock

from django.core.management import call_command

from tests.support.plugin import copy_postgres_test_database_again


def run_load_demo(*args):
    """Run load_demo with `args` in this process; return what it printed."""
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def small_pictures():
    """Patches (not started) that draw the demo pictures small: the tests check what is stored, not how it looks."""
    import cms.demo.images
    import marketplace.demo.images

    return [
        mock.patch.object(cms.demo.images, "SIZE", (320, 180)),
        mock.patch.object(marketplace.demo.images, "PRODUCT_SIZE", (240, 240)),
        mock.patch.object(marketplace.demo.images, "LOGO_SIZE", (96, 96)),
    ]


@contextlib.contextmanager
def demo_in_rolled_back_transaction(django_db_blocker, media_dir, *patches, args=()):
    """Load the demo (pictures drawn small, images in `media_dir`) inside a transaction that is rolled back on
    the way out; yields what load_demo printed. For a module- or class-scoped fixture: each test still runs
    in its own savepoint (the `db` fixture), so tests may change the data."""
    from django.db import connection, transaction
    from django.test import override_settings
    from wagtail.models import Site

    with contextlib.ExitStack() as stack:
        stack.enter_context(django_db_blocker.unblock())
        stack.enter_context(override_settings(MEDIA_ROOT=str(media_dir)))
        for patch in [*small_pictures(), *patches]:
            stack.enter_context(patch)
        # A transactional test earlier on this worker (the PostgreSQL races) may have emptied the test database.
        copy_postgres_test_database_again(connection)
        stack.enter_context(transaction.atomic())
        yield run_load_demo(*args)
        transaction.set_rollback(True)
    # The rollback bypassed the signals that clear Wagtail's cached site roots.
    Site.clear_site_root_paths_cache()


# What every demo-reading test loads the demo with: pictures drawn small, floor plans at 4 px a metre, and the
# demo logins' default passwords (whatever the developer's environment says).
DEMO_PASSWORDS = ("ADMIN", "VENDOR", "CHECKIN", "CANTEEN", "BUYER")


def demo_settings():
    """Patches (not started) for a demo load in tests besides small_pictures: see DEMO_PASSWORDS above."""
    import os

    import events.demo

    return [
        mock.patch.object(events.demo, "PLAN_SCALE", 4),
        mock.patch.dict(os.environ, {f"DEMO_{name}_PASSWORD": "" for name in DEMO_PASSWORDS}),
    ]


class LoadedDemo(NamedTuple):
    output: str  # what the first load_demo printed
    pictures: Path  # the demo's media folder as loaded (copy it before writing to it)


@contextlib.contextmanager
def demo_database(django_db_blocker, media_dir):
    """The test database with the demo loaded (small_pictures, demo_settings), for a module- or class-scoped
    fixture whose tests read it (each test still runs in its own savepoint, the `db` fixture, so tests may change
    rows). Yields a LoadedDemo; MEDIA_ROOT is `media_dir` meanwhile, with the demo's pictures in it.

    On in-memory SQLite the demo is loaded once per test run: the first fixture to ask loads it into a fresh copy
    of the migrated database and saves the database, the pictures and the output (tests/support/db_template.py);
    every other one, on any pytest-xdist worker, copies them, and puts the database back to the migrated state
    afterwards. Elsewhere (the PostgreSQL run, --reuse-db) each fixture loads the demo in a transaction that is
    rolled back."""
    from django.db import connection, transaction
    from django.test import override_settings
    from wagtail.models import Site

    from tests.support import db_template

    with django_db_blocker.unblock():
        restorable = db_template.can_restore(connection)
    if not restorable:
        pictures = Path(f"{media_dir}.as-loaded")
        with demo_in_rolled_back_transaction(django_db_blocker, media_dir, *demo_settings()) as output:
            shutil.copytree(media_dir, pictures, dirs_exist_ok=True)
            yield LoadedDemo(output, pictures)
        return

    def load_and_keep(path: Path) -> None:
        media = Path(f"{path}.media")
        shutil.rmtree(media, ignore_errors=True)
        Site.clear_site_root_paths_cache()
        with override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
            output = run_load_demo()
        Path(f"{path}.out").write_text(output)

    with contextlib.ExitStack() as stack:
        stack.enter_context(django_db_blocker.unblock())
        for patch in [*small_pictures(), *demo_settings()]:
            stack.enter_context(patch)
        # Once per test run (pytest-xdist's run id, else this process): the demo's dates and holds are relative to
        # the time it is loaded.
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"process-{os.getpid()}"
        saved = db_template.restore_or_build(connection, "demo", load_and_keep, extra=run)
        stack.callback(Site.clear_site_root_paths_cache)
        stack.callback(db_template.restore_migrated, connection)
        shutil.copytree(f"{saved}.media", media_dir, dirs_exist_ok=True)
        stack.enter_context(override_settings(MEDIA_ROOT=str(media_dir)))
        Site.clear_site_root_paths_cache()
        yield LoadedDemo(Path(f"{saved}.out").read_text(), Path(f"{saved}.media"))
