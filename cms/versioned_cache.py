"""One version number that makes a whole family of cache entries unreachable at once (the page cache, the site
shell cache): every key carries the version, and bumping it forgets them all without deleting anything.

The version starts at a random number, never at 1. A cache can evict the version key while entries written
under it live on (a full Redis with an LRU policy, a restart with persistence, a local-memory cache culling);
a version that restarted at 1 would come back to numbers that old entries were written under and serve them
as fresh. A random start among 2**62 numbers never does in practice, and a bump on an evicted key starts
afresh the same way instead of setting a small number.
"""

import secrets

from django.core.cache import caches
from django.db import transaction

START_RANGE = 2**62


class VersionedCache:
    def __init__(self, version_key, alias="default"):
        self.version_key = version_key
        self.alias = alias

    @property
    def cache(self):
        return caches[self.alias]

    def _fresh(self):
        return secrets.randbelow(START_RANGE) + 1

    def version(self):
        """The current version; a missing one (never set, cleared or evicted) starts at a random number."""
        value = self.cache.get(self.version_key)
        if value is None:
            self.cache.add(self.version_key, self._fresh(), None)
            value = self.cache.get(self.version_key)
            if value is None:  # a cache that keeps nothing (dummy, or an outage): no entry is reachable anyway
                value = self._fresh()
        return value

    def _bump(self):
        try:
            self.cache.incr(self.version_key)
        except ValueError:  # the key is gone: any new random start leaves the old entries behind
            self.cache.add(self.version_key, self._fresh(), None)

    def bump(self, **kwargs):
        """Forget every entry. Now, and again after commit: a request that read the old rows in between must not
        keep them. Takes a signal's keyword arguments, so it can be connected as a receiver."""
        self._bump()
        transaction.on_commit(self._bump)
