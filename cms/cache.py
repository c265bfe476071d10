"""A Redis cache that degrades instead of failing: with Redis unreachable, reads are misses and writes are
skipped, so pages render uncached and cached_db sessions fall back to the database.

After a failure the client stops trying for `RETRY_SECONDS`, so an outage costs one failed connection per
process every few seconds instead of a connection timeout on every cache call. Each outage is logged once.
"""

import functools
import logging
import os
import pickle
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


def _packed_mget(keys):
    """MGET of these keys in the Redis protocol (RESP): what redis-py's packer sends, made in one go."""
    parts = [b"*%d\r\n$4\r\nMGET\r\n" % (len(keys) + 1)]
    for key in keys:
        encoded = key.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(encoded), encoded))
    return b"".join(parts)


class DirectReader:
    """A DegradingRedisCache's get_many for the page-cache hits answered before Django's handler
    (cms.page_cache_wsgi): one MGET on a connection of its own per thread and process, without redis-py's client,
    pool, retries and observability hooks (a third of such a hit's CPU). The connection is redis-py's own class
    with the cache's options (timeouts, password, database, TLS), so connecting and reading are redis-py's.

    `get_many` answers None instead of misses when Redis is down or fails (the caller then hands the request to
    Django, whose degrading cache answers as in an outage); a connection that broke since its last use (Redis
    restarted) is made again once before that counts as an outage; a timeout (a stalled Redis) is not tried again."""

    def __init__(self, cache):
        client = cache._cache
        pool = client._get_connection_pool(False)
        self._connection_class = pool.connection_class
        self._connection_kwargs = dict(pool.connection_kwargs)
        self._errors = (client._lib.ConnectionError, client._lib.TimeoutError)
        self._timeout = client._lib.TimeoutError
        self._make_key = cache.make_key
        self._local = threading.local()
        self._unpickled = {}

    # Sessions and people's header entries of a process's recent readers, a few KB each.
    UNPICKLED_LIMIT = 1024

    def _connection(self):
        local = self._local
        connection = getattr(local, "connection", None)
        if connection is None or local.pid != os.getpid():  # never a connection inherited over fork
            connection = local.connection = self._connection_class(**self._connection_kwargs)
            local.pid = os.getpid()
        return connection

    def close(self):
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.disconnect()

    def get_many(self, keys, shared=False):
        """{key: value} for the keys found (values as the cache stores them: ints as such, the rest pickled), or
        None when Redis is down or failed. `shared`: the caller only reads the values, so one unpickled lately
        from the very same bytes may be handed out again (keyed by the stored bytes, so a value changed or deleted
        in Redis is never answered from memory)."""
        if _Outage.active():
            return None
        command = _packed_mget([self._make_key(key) for key in keys])
        connection = self._connection()
        for attempt in (1, 2):
            was_connected = connection._sock is not None
            try:
                connection.send_packed_command((command,), check_health=False)
                values = connection.read_response()
                break
            except self._errors as error:
                connection.disconnect()
                if attempt == 1 and was_connected and not isinstance(error, self._timeout):
                    continue  # a connection that broke while idle: once more on a new one (not a slow Redis)
                _Outage.begin(error)
                return None
            except BaseException:
                connection.disconnect()  # a reply half read must not be read by the next request
                raise
        _Outage.end()
        found = {}
        unpickled = self._unpickled
        for key, value in zip(keys, values, strict=True):
            if value is None:
                continue
            try:  # RedisSerializer.loads: integers are stored as they are, everything else pickled
                found[key] = int(value)
            except ValueError:
                if not shared:
                    found[key] = pickle.loads(value)
                    continue
                loaded = unpickled.get(value)
                if loaded is None:
                    loaded = pickle.loads(value)
                    if len(unpickled) >= self.UNPICKLED_LIMIT:
                        unpickled.clear()
                    unpickled[value] = loaded
                found[key] = loaded
        return found


def redis_is_down():
    return _Outage.active()
