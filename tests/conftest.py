"""Fixtures shared by every test package."""

import pytest
from wagtail.models import Page, Site

from cms.models import HomePage


@pytest.fixture(autouse=True)
def clear_cache():
    """Wagtail caches site root paths and renditions, and we cache taxonomy choices; each test has a new database."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home_page(db):
    """A published HomePage as the root of the default site, replacing Wagtail's welcome page."""
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="山海集市", hero_title="山海协作，百县千碗", slug="shanhai"))
    site = Site.objects.get(is_default_site=True)
    old_root = site.root_page
    site.root_page = home
    site.save()
    if old_root.pk != home.pk and not isinstance(old_root.specific, HomePage):
        old_root.delete()
    return home


# postgres_url fixture and the CI rule "skipped means failed" (see tests/support/plugin.py).
pytest_plugins = ["tests.support.plugin"]
