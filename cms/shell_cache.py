"""Cache for what every page shows around its content: the site, its settings, menu and footer links.

They cost four or five queries per page and change only when an editor publishes, moves or deletes a
page, or saves the site settings. All keys carry one version number; any of those events bumps it,
so nothing in the shell is ever stale for longer than the commit that changed it.

Two things keep a request from paying a Redis round trip per entry (the site, its settings, the menu, the footer
links, a product card's key: half a dozen reads on every page that is rendered):

- the version is read once per request (between Django's request_started and request_finished) and that
  snapshot serves every shell key of the request, as the page cache reads its versions once; a bump in this
  process (an editor's save) forgets the snapshot at once. Outside a request every call reads it, as before;
- each process keeps its own copy of the entries it read (pickled, so that every reader gets an object of its
  own, as from Redis), under the same versioned key: a new version is a new key everywhere at once, so a copy
  is never served after a bump that the request's version has seen.
"""

import hashlib
import pickle
import threading
import time

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.versioned_cache import VersionedCache

VERSION_KEY = "cms:shell:version"
TIMEOUT = 60 * 60 * 24


_versions = VersionedCache(VERSION_KEY)

# The version a request has read (None: not read yet), set only while a request runs (`active`).
_request = threading.local()

# versioned key -> (pickled value, monotonic expiry): this process's copy of the entries it read or wrote.
_local = {}
LOCAL_MAX_ENTRIES = 1024


def _request_started(**kwargs):
    _request.active, _request.version = True, None


def _request_finished(**kwargs):
    _request.active, _request.version = False, None


request_started.connect(_request_started, dispatch_uid="shell-cache-request-started")
request_finished.connect(_request_finished, dispatch_uid="shell-cache-request-finished")


def version():
    if not getattr(_request, "active", False):
        return _versions.version()
    if _request.version is None:
        _request.version = _versions.version()
    return _request.version


def use_version(value):
    """The shell version as the caller read it with other keys in one round trip (the page cache's look-up reads
    it with the session): this request's snapshot, so the first shell key asks Redis nothing more. Ignored outside
    a request, when the request has read it already, or when the cache had none (version() then starts one)."""
    if value is not None and getattr(_request, "active", False) and _request.version is None:
        _request.version = value


def key(*parts):
    return ":".join(["cms:shell", str(version()), *map(str, parts)])


def _keep_locally(cache_key, value):
    if len(_local) >= LOCAL_MAX_ENTRIES:
        _local.clear()  # old versions' keys pile up here; start again rather than track their age
    _local[cache_key] = (pickle.dumps(value, pickle.HIGHEST_PROTOCOL), time.monotonic() + TIMEOUT)


def get_or_set(parts, compute):
    cache_key = key(*parts)
    kept = _local.get(cache_key)
    if kept is not None and kept[1] > time.monotonic():
        return pickle.loads(kept[0])
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, TIMEOUT)
    _keep_locally(cache_key, value)
    return value


# versioned key -> markup of the shell ({% shell_fragment %} in cms_tags): per process only, never in Redis. The
# markup follows from this release's templates, static file names and translations as much as from the database,
# and a Redis entry would outlive a deploy by up to TIMEOUT; new processes start with none.
_fragments = {}


def fragment(parts, render):
    """The markup `render()` makes, kept in this process under the shell version (made again after a bump)."""
    cache_key = key("fragment", *parts)
    markup = _fragments.get(cache_key)
    if markup is None:
        if len(_fragments) >= LOCAL_MAX_ENTRIES:
            _fragments.clear()  # old versions' keys pile up here; start again rather than track their age
        markup = _fragments[cache_key] = render()
    return markup


COUNT_SECONDS = 60


def count(queryset, timeout=COUNT_SECONDS):
    """`queryset.count()`, remembered under the query's SQL for at most `timeout` seconds and only until the next
    publish, unpublish, move or delete of a page (the shell version), so that a count of live pages is exact and
    a count that depends on other rows (stock, say) lags by `timeout` at most. For counts that scan a whole
    table on every request: API totals, the sitemap index."""
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (an id no row can have): nothing to count
        return 0
    digest = hashlib.blake2b(repr((queryset.db, sql, params)).encode(), digest_size=16).hexdigest()
    cache_key = key("count", digest)
    value = cache.get(cache_key)
    if value is None:
        value = queryset.count()
        cache.set(cache_key, value, timeout)
    return value


def _forget_request_version():
    _request.version = None


def bump(**kwargs):
    # Now, and again after commit: a request that read the old rows in between must not keep them.
    _forget_request_version()
    _versions.bump()
    transaction.on_commit(_forget_request_version)


def connect(*senders):
    """Bump the version whenever a row of these models is saved or deleted."""
    for sender in senders:
        post_save.connect(bump, sender=sender, dispatch_uid=f"shell-cache-save-{sender._meta.label}")
        post_delete.connect(bump, sender=sender, dispatch_uid=f"shell-cache-delete-{sender._meta.label}")


page_published.connect(bump, dispatch_uid="shell-cache-published")
page_unpublished.connect(bump, dispatch_uid="shell-cache-unpublished")
post_page_move.connect(bump, dispatch_uid="shell-cache-moved")
