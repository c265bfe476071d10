"""A Redis cache that degrades instead of failing: with Redis unreachable, reads are misses and writes are
skipped, so pages render uncached and cached_db sessions fall back to the database.

After a failure the client stops trying for `RETRY_SECONDS`, so an outage costs one failed connection per
process every few seconds instead of a connection timeout on every cache call. Each outage is logged once.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("cms.cache")

RETRY_SECONDS = 5.0


class _Outage:
    """Whether Redis is taken to be down in this process, and until when."""

    lock = threading.Lock()
    until = 0.0
    logged = False

    @classmethod
    def active(cls):
        return time.monotonic() < cls.until

    @classmethod
    def begin(cls, error):
        with cls.lock:
            cls.until = time.monotonic() + RETRY_SECONDS
            if not cls.logged:
                cls.logged = True
                logger.warning("Redis is unreachable (%s): serving without the cache", error)

    @classmethod
    def end(cls):
        if cls.logged:
            with cls.lock:
                cls.logged = False
            logger.warning("Redis answers again: the cache is back")


def _call_degrading(self, method, default, *args, **kwargs):
    """method(self, …), or `default` during an outage or when Redis fails."""
    if _Outage.active():
        return default
    try:
        result = method(self, *args, **kwargs)
    except (self._lib.ConnectionError, self._lib.TimeoutError) as error:
        _Outage.begin(error)
        return default
    _Outage.end()
    return result


def _degrading(default):
    """Wrap a client method: during an outage, or when Redis fails, return `default` instead of raising."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            return _call_degrading(self, method, default, *args, **kwargs)

        return wrapper

    return decorate


class DegradingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients_by_pool = {}

    def get_client(self, key=None, *, write=False):
        # Django builds a new redis.Redis per call, and each one fills a table of ~170 response callbacks:
        # ≈ 0.13 ms of CPU per cache read, most of a page-cache hit. One client per connection pool is enough:
        # redis-py clients are thread-safe and take a connection from the pool per command.
        pool = self._get_connection_pool(write)
        client = self._clients_by_pool.get(id(pool))
        if client is None:
            client = self._clients_by_pool[id(pool)] = self._client(connection_pool=pool)
        return client

    # Reads miss, writes are dropped; incr answers 0 so rate limits fail open, as the door must keep moving.
    add = _degrading(False)(RedisCacheClient.add)
    set = _degrading(None)(RedisCacheClient.set)
    touch = _degrading(False)(RedisCacheClient.touch)
    delete = _degrading(False)(RedisCacheClient.delete)
    has_key = _degrading(False)(RedisCacheClient.has_key)
    incr = _degrading(0)(RedisCacheClient.incr)
    set_many = _degrading([])(RedisCacheClient.set_many)
    delete_many = _degrading(None)(RedisCacheClient.delete_many)
    clear = _degrading(False)(RedisCacheClient.clear)

    # Called directly, not through a wrapper made per call (functools.wraps: ≈ 5 µs, on every page-cache hit).
    def get(self, key, default):
        return _call_degrading(self, RedisCacheClient.get, default, key, default)

    def get_many(self, keys):
        return _call_degrading(self, RedisCacheClient.get_many, {}, keys)


class DegradingRedisCache(RedisCache):
    """Django's Redis cache backend with DegradingRedisCacheClient (see the module docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient

    def validate_key(self, key):
        """No check: Redis takes any key. Django's is memcached's (a Python loop over every character of every
        key, ≈ 7 µs for each key a page-cache hit reads); local-memory caches in development still warn."""


def redis_is_down():
    return _Outage.active()
