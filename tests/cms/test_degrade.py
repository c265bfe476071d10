"""With Redis down the site degrades instead of dying: pages render uncached, sessions come from the database,
and /healthz/ready says what is down (503 only when the database is)."""

import socket
import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from bench.stack import HOST
from cms import cache as degrading
from tests.support.redis import redis_server

pytestmark = pytest.mark.django_db


def redis_caches(url):
    backend = {
        "BACKEND": "cms.cache.DegradingRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
    return {"default": {**backend, "KEY_PREFIX": "t"}, "pages": {**backend, "KEY_PREFIX": "tp"}}


@pytest.fixture(autouse=True)
def no_outage():
    degrading._Outage.until = 0.0
    yield
    degrading._Outage.until = 0.0


def closed_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]  # nothing listens here once the socket is closed


def test_a_dead_redis_is_a_miss_not_an_error():
    with override_settings(CACHES=redis_caches(f"redis://{HOST}:{closed_port()}/0")):
        cache = caches["default"]
        assert cache.get("k", "fallback") == "fallback"
        cache.set("k", 1)  # dropped, no error
        assert cache.add("k", 1) is False and cache.get_many(["a", "b"]) == {}
        started = time.monotonic()
        for _ in range(100):
            cache.get("k")
        assert time.monotonic() - started < 1.0  # the outage is remembered: no reconnect per call
        assert degrading.redis_is_down()


@pytest.fixture
def redis_process():
    with redis_server() as server:
        yield server


def test_redis_stopped_mid_session_keeps_pages_and_login_working(client, redis_process, django_user_model, home_page):
    proc, url = redis_process
    user = django_user_model.objects.create_user("buyer", "buyer@example.com", "pw-123456")
    sessions = {"SESSION_ENGINE": "django.contrib.sessions.backends.cached_db"}
    with override_settings(CACHES=redis_caches(url), **sessions):
        assert client.post("/login/", {"identifier": "buyer", "password": "pw-123456"}).status_code == 302
        assert client.get("/healthz/ready").json() == {"status": "ok", "database": "ok", "cache": "ok"}
        assert client.get("/account/").status_code == 200

        proc.kill()
        proc.wait()

        home = client.get("/")
        assert home.status_code == 200
        account = client.get("/account/")  # the session is read from the database
        assert account.status_code == 200 and account.context["user"] == user
        ready = client.get("/healthz/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "degraded", "database": "ok", "cache": "down"}
        assert client.get("/healthz").status_code == 200


def test_database_down_is_a_503(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", refuse)
        response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "down", "cache": "ok"}


def test_database_down_is_a_503_page_and_json_503_under_the_api(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    client.raise_request_exception = False
    with monkeypatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", refuse)
        page = client.get("/market/")
        api = client.get("/api/v2/pages/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api.json()["code"] == "unavailable"


def test_one_redis_client_per_pool_is_reused_and_still_degrades(redis_process):
    proc, url = redis_process
    with override_settings(CACHES=redis_caches(url)):
        cache = caches["default"]
        cache.set("k", 1)
        assert cache.get("k") == 1
        client = cache._cache.get_client("k")
        assert cache._cache.get_client("other") is client  # not a new redis.Redis (and its tables) per call
        proc.kill()
        proc.wait()
        assert cache.get("k", "fallback") == "fallback"  # the kept client still turns a dead Redis into a miss
