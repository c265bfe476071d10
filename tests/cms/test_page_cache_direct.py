"""Page-cache hits before Django's handler with the cache on a real Redis, as in production: the hit's one read
goes through cms.cache.DirectReader (an MGET without redis-py's client), and gives the answer Django's hit path
gives; a session revoked in Redis and the database is not served; a dropped connection is made again; a stalled
Redis costs one timeout; with Redis down every request goes to Django, which answers as in an outage."""

import time

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client, RequestFactory, override_settings
from wagtail.models import Site

from cms import cache as degrading
from cms import page_cache, page_cache_wsgi
from cms.models import SiteSettings
from tests.factories import make_user
from tests.support.redis import CountingHandler, redis_server

pytestmark = pytest.mark.django_db

CSRF_SECRET = "A" * 32


@pytest.fixture
def redis_url():
    with redis_server() as (proc, url):
        yield url, proc


@pytest.fixture
def on_redis(redis_url, home_page):
    url, proc = redis_url
    backend = {
        "BACKEND": "cms.cache.DegradingRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
    degrading._Outage.until = 0.0
    with override_settings(
        CACHES={"default": {**backend, "KEY_PREFIX": "t"}, "pages": {**backend, "KEY_PREFIX": "tp"}},
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
        PAGE_CACHE_SECONDS=60,
        PAGE_CACHE_LOCAL_ENTRIES=50,
    ):
        page_cache.recent.clear()
        page_cache.signed_in_people.clear()
        SiteSettings.for_site(Site.objects.get(is_default_site=True))
        yield url, proc
        page_cache.recent.clear()
    degrading._Outage.until = 0.0


def call(app, url, cookies=None, **headers):
    cookie = "; ".join(f"{name}={value}" for name, value in (cookies or {}).items())
    environ = RequestFactory()._base_environ(PATH_INFO=url, REQUEST_METHOD="GET", HTTP_COOKIE=cookie, **headers)
    answered = {}

    def start_response(status, response_headers):
        answered["status"], answered["headers"] = status, dict(response_headers)

    body = b"".join(app(environ, start_response))
    return answered["status"], answered["headers"], body


def signed_in(user):
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_SECRET}


def test_a_hit_reads_redis_directly_and_answers_like_django(on_redis):
    django = CountingHandler()
    wsgi = page_cache_wsgi.PageCacheApplication(django)
    alice = make_user("alice", email="")
    readers = {"visitor": {"csrftoken": CSRF_SECRET}, "alice": signed_in(alice)}
    for name, cookies in readers.items():
        call(django, "/", cookies)  # the miss stores the page
        expected = call(django, "/", cookies)
        assert expected[1]["X-Cache"] == "hit"
        before = django.calls
        status, headers, body = call(wsgi, "/", cookies)
        assert django.calls == before, name  # answered before Django's handler
        assert page_cache_wsgi.setup().direct is not None
        assert status == expected[0] and headers.keys() == expected[1].keys()
        assert headers["ETag"] == expected[1]["ETag"] and (b"alice" in body) == (name == "alice")


def test_a_session_revoked_in_redis_is_not_served(on_redis):
    django = CountingHandler()
    wsgi = page_cache_wsgi.PageCacheApplication(django)
    cookies = signed_in(make_user("alice", email=""))
    call(wsgi, "/", cookies)
    status, _headers, body = call(wsgi, "/", cookies)
    assert b"alice" in body
    # Signed out elsewhere (or flushed by staff): gone from Redis and from the database.
    caches["default"].delete(page_cache.session_cache_key(page_cache_wsgi.setup().session_store, cookies["sessionid"]))
    Session.objects.filter(session_key=cookies["sessionid"]).delete()
    before = django.calls
    status, _headers, body = call(wsgi, "/", cookies)
    assert django.calls == before + 1 and status == "200 OK" and b"alice" not in body


def test_a_dropped_connection_is_made_again_without_an_outage(on_redis):
    url, _proc = on_redis
    django = CountingHandler()
    wsgi = page_cache_wsgi.PageCacheApplication(django)
    cookies = {"csrftoken": CSRF_SECRET}
    call(wsgi, "/", cookies)
    call(wsgi, "/", cookies)
    before = django.calls
    redis.Redis.from_url(url).client_kill_filter(_type="normal", skipme=True)  # as a Redis restart does
    status, headers, _body = call(wsgi, "/", cookies)
    assert status == "200 OK" and headers["X-Cache"] == "hit" and django.calls == before
    assert not degrading.redis_is_down()


def test_with_redis_down_django_answers_as_in_an_outage(on_redis):
    _url, proc = on_redis
    django = CountingHandler()
    wsgi = page_cache_wsgi.PageCacheApplication(django)
    cookies = signed_in(make_user("alice", email=""))
    call(wsgi, "/", cookies)
    call(wsgi, "/", cookies)
    proc.kill()
    proc.wait()
    for _ in range(3):
        before = django.calls
        status, headers, body = call(wsgi, "/", cookies)
        # Django renders the page, the session from the database: still signed in.
        assert django.calls == before + 1 and status == "200 OK" and b"alice" in body
    assert degrading.redis_is_down()


def test_the_direct_read_decodes_what_the_cache_stored(on_redis):
    default = caches["default"]
    default.set_many({"n": 42, "d": {"a": [1, "二"]}, "s": "text"})
    reader = degrading.DirectReader(default)
    try:
        assert reader.get_many(["n", "d", "missing", "s"]) == default.get_many(["n", "d", "missing", "s"])
    finally:
        reader.close()


def test_the_hits_random_bytes_are_handed_out_once_and_never_shared_with_a_forked_child():
    import os

    page_cache._random_bytes.take(1)  # the parent's buffer is filled before the fork
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: what it draws must not be what the parent draws next
        os.write(write_end, page_cache._random_bytes.take(32))
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read_end, 32)
    os.close(read_end)
    os.close(write_end)
    assert len(child) == 32 and child != page_cache._random_bytes.take(32)
    drawn = [page_cache._random_bytes.take(24) for _ in range(1000)]  # several refills of the buffer
    assert len(set(drawn)) == 1000


def test_a_stalled_redis_costs_one_timeout_then_django_answers(on_redis):
    import signal

    _url, proc = on_redis
    django = CountingHandler()
    wsgi = page_cache_wsgi.PageCacheApplication(django)
    cookies = {"csrftoken": CSRF_SECRET}
    call(wsgi, "/", cookies)
    call(wsgi, "/", cookies)
    proc.send_signal(signal.SIGSTOP)  # connected, but never answers
    try:
        before, started = django.calls, time.monotonic()
        status, _headers, _body = call(wsgi, "/", cookies)
        elapsed = time.monotonic() - started
    finally:
        proc.send_signal(signal.SIGCONT)
    # One socket timeout (1 s), not one per attempt: the outage is then known, so Django's cache skips Redis too.
    assert status == "200 OK" and django.calls == before + 1 and elapsed < 1.9
    assert degrading.redis_is_down()
