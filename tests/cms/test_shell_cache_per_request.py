"""The site-shell cache reads its version once per request and keeps its own copy of each entry per process
(cms.shell_cache): fewer Redis round trips, never an entry older than the version the request saw."""

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started

from cms import shell_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    shell_cache._local.clear()
    yield
    request_finished.send(sender=None)
    cache.clear()
    shell_cache._local.clear()


@pytest.fixture
def version_reads(monkeypatch):
    reads = []
    original = shell_cache._versions.version

    def counting():
        reads.append(1)
        return original()

    monkeypatch.setattr(shell_cache._versions, "version", counting)
    return reads


def test_a_request_reads_the_version_once(version_reads):
    request_started.send(sender=None)
    for parts in [("site",), ("settings",), ("menu",), ("footer",)]:
        shell_cache.get_or_set(parts, lambda: "value")
    assert len(version_reads) == 1
    request_finished.send(sender=None)

    shell_cache.get_or_set(("menu",), lambda: "value")  # outside a request: read every time, as before
    shell_cache.get_or_set(("menu",), lambda: "value")
    assert len(version_reads) == 3


def test_a_bump_during_the_request_is_seen_at_once():
    request_started.send(sender=None)
    assert shell_cache.get_or_set(("menu",), lambda: "before") == "before"
    shell_cache.bump()  # this request saved a page
    assert shell_cache.get_or_set(("menu",), lambda: "after") == "after"


def test_another_hosts_bump_is_seen_by_the_next_request():
    request_started.send(sender=None)
    assert shell_cache.get_or_set(("menu",), lambda: "before") == "before"
    cache.incr(shell_cache.VERSION_KEY)  # another process published
    # The request keeps the snapshot it started with, as the page cache does with its versions.
    assert shell_cache.get_or_set(("menu",), lambda: "after") == "before"
    request_finished.send(sender=None)
    request_started.send(sender=None)
    assert shell_cache.get_or_set(("menu",), lambda: "after") == "after"


def test_the_process_copy_answers_without_the_shared_cache_and_gives_each_reader_its_own_object():
    computed = []

    def compute():
        computed.append(1)
        return {"links": ["a"]}

    first = shell_cache.get_or_set(("footer",), compute)
    cache.delete(shell_cache.key("footer"))  # not asked again: the process has its copy
    second = shell_cache.get_or_set(("footer",), compute)
    assert first == second == {"links": ["a"]} and len(computed) == 1
    second["links"].append("changed by a reader")
    assert shell_cache.get_or_set(("footer",), compute) == {"links": ["a"]}


def test_the_process_copy_is_not_served_after_a_bump_or_an_evicted_version():
    assert shell_cache.get_or_set(("menu",), lambda: "before") == "before"
    shell_cache.bump()
    assert shell_cache.get_or_set(("menu",), lambda: "after the bump") == "after the bump"
    cache.delete(shell_cache.VERSION_KEY)
    assert shell_cache.get_or_set(("menu",), lambda: "after eviction") == "after eviction"


def test_the_process_copy_stays_bounded(monkeypatch):
    monkeypatch.setattr(shell_cache, "LOCAL_MAX_ENTRIES", 3)
    for i in range(10):
        shell_cache.get_or_set(("count", i), lambda i=i: i)
    assert len(shell_cache._local) <= 3
