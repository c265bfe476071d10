"""Running `manage.py load_demo` in tests: capture its output, draw its pictures small."""

import contextlib
import io
from unittest import mock

from django.core.management import call_command


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
    from django.db import transaction
    from django.test import override_settings
    from wagtail.models import Site

    with contextlib.ExitStack() as stack:
        stack.enter_context(django_db_blocker.unblock())
        stack.enter_context(override_settings(MEDIA_ROOT=str(media_dir)))
        for patch in [*small_pictures(), *patches]:
            stack.enter_context(patch)
        stack.enter_context(transaction.atomic())
        yield run_load_demo(*args)
        transaction.set_rollback(True)
    # The rollback bypassed the signals that clear Wagtail's cached site roots.
    Site.clear_site_root_paths_cache()
