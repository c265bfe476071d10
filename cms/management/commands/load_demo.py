"""`manage.py load_demo [--scale N]`: load every project app's demo data, safe to re-run.

Each project app (a package in the project folder) may have a `demo` module with
`load(*, scale, stdout)`; see cms/demo/__init__.py for the protocol. They run in
INSTALLED_APPS order, all inside one transaction (a cms.locking batch: services lock in order call by call).
"""

import importlib
import importlib.util
import logging
import time
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cms import locking


def discover_demo_loaders():
    """[(app label, load function)] for the project apps that have a `demo` module, in INSTALLED_APPS order."""
    project_dir = Path(settings.BASE_DIR).resolve()
    loaders = []
    for app_config in apps.get_app_configs():
        # Only the project's own apps: third-party ones live in site-packages.
        if Path(app_config.path).resolve().parent != project_dir:
            continue
        module_name = f"{app_config.name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        loaders.append((app_config.label, importlib.import_module(module_name).load))
    return loaders


# Per-page and per-task INFO lines would bury the summary; shown again with --verbosity 2.
CHATTY_LOGGERS = ["wagtail", "django_tasks"]


@contextmanager
def quiet_loggers(names, level=logging.WARNING):
    loggers = [logging.getLogger(name) for name in names]
    saved = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(level, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        for logger, old_level in zip(loggers, saved, strict=True):
            logger.setLevel(old_level)


class Command(BaseCommand):
    help = (
        "Load the demo data of every project app that has some (cms, then marketplace, then events): "
        "taxonomy, pages, images, site settings and an admin account. Safe to re-run; nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Also generate N extra records for benchmarks, such as N products in marketplace. "
            "Passed to each app's loader; cms ignores it. Default 0.",
        )

    def handle(self, *args, scale, verbosity, **options):
        if scale < 0:
            raise CommandError("--scale must be 0 or more.")
        started = time.perf_counter()
        loaders = discover_demo_loaders()
        with quiet_loggers(CHATTY_LOGGERS if verbosity < 2 else []), locking.batch():
            for app_label, load in loaders:
                self.stdout.write(f"Loading {app_label} demo data …")
                load(scale=scale, stdout=self.stdout)
        # Fresh statistics after a bulk load: without them SQLite joins the full-text index the slow way
        # round (half a second per search at 10,000 products instead of under a millisecond).
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and connection.in_atomic_block:
                # Inside a caller's transaction (a test's) the services' row-lock timeout (cms.locking, SET LOCAL)
                # is still set; it is meant for row locks, not for ANALYZE waiting its turn on a table.
                cursor.execute("SET LOCAL lock_timeout = 0")
            cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded for {', '.join(label for label, _ in loaders)} in {elapsed:.1f} s.")
        )
