"""The page cache and the site-shell cache share one version helper (cms.versioned_cache); an evicted version
key must never bring back entries written under an earlier version."""

import pytest
from django.core.cache import cache

from cms import page_cache, shell_cache
from cms.versioned_cache import VersionedCache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_shell_cache_serves_no_stale_entry_after_its_version_key_is_evicted():
    assert shell_cache.get_or_set(("menu",), lambda: "before the edit") == "before the edit"
    shell_cache.bump()  # an editor publishes: what was cached is stale from now on
    assert shell_cache.get_or_set(("menu",), lambda: "after the edit") == "after the edit"

    cache.delete(shell_cache.VERSION_KEY)  # the cache evicts the version key; the entries stay

    # The shell version used to restart at 1, the number "before the edit" was stored under.
    assert shell_cache.get_or_set(("menu",), lambda: "fresh") == "fresh"


@pytest.mark.parametrize("module", [shell_cache, page_cache], ids=["shell", "page"])
def test_version_starts_random_and_a_bump_after_eviction_starts_afresh(module):
    first = module.version()
    assert first == module.version()  # stable until bumped
    module.bump()
    bumped = module.version()
    assert bumped == first + 1

    cache.delete(module.VERSION_KEY)
    module.bump()  # incr fails on the evicted key: a new random start, not a small fixed number
    assert module.version() not in (1, 2, first, bumped)


def test_helper_never_restarts_at_a_number_used_before():
    versions = VersionedCache("test:versioned")
    seen = set()
    for _ in range(20):
        seen.add(versions.version())
        cache.delete("test:versioned")
    assert len(seen) == 20 and 1 not in seen
