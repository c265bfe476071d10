"""Cache for what every page shows around its content: the site, its settings, menu and footer links.

They cost four or five queries per page and change only when an editor publishes, moves or deletes a
page, or saves the site settings. All keys carry one version number; any of those events bumps it,
so nothing in the shell is ever stale for longer than the commit that changed it.
"""

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.versioned_cache import VersionedCache

VERSION_KEY = "cms:shell:version"
TIMEOUT = 60 * 60 * 24


_versions = VersionedCache(VERSION_KEY)


def version():
    return _versions.version()


def key(*parts):
    return ":".join(["cms:shell", str(version()), *map(str, parts)])


def get_or_set(parts, compute):
    cache_key = key(*parts)
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, TIMEOUT)
    return value


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


def bump(**kwargs):
    # Now, and again after commit: a request that read the old rows in between must not keep them.
    _versions.bump()


def connect(*senders):
    """Bump the version whenever a row of these models is saved or deleted."""
    for sender in senders:
        post_save.connect(bump, sender=sender, dispatch_uid=f"shell-cache-save-{sender._meta.label}")
        post_delete.connect(bump, sender=sender, dispatch_uid=f"shell-cache-delete-{sender._meta.label}")


page_published.connect(bump, dispatch_uid="shell-cache-published")
page_unpublished.connect(bump, dispatch_uid="shell-cache-unpublished")
post_page_move.connect(bump, dispatch_uid="shell-cache-moved")
