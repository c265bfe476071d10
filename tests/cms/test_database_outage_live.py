"""PostgreSQL stopped under a live server (#18 point 9): gunicorn on a throwaway cluster with the demo, then the
cluster is stopped mid-test. Cached public pages still serve (200 from the page cache), an uncached page answers
the friendly 503 page with Retry-After, the APIs answer JSON 503, /healthz/ready 503 (/healthz, the liveness
check, 200); once the database is back, everything answers 200 again. The Redis-down counterpart is
tests/cms/test_degrade.py."""

import http.client
import json

import pytest

from bench.env import bench_environ
from bench.server import HOST, free_port_in, gunicorn
from tests.support import db_template, postgres
from tests.support.plugin import skip_or_fail

pytestmark = pytest.mark.postgres

# The port range agreed for servers this branch's tests and soak start.
PORTS = (8120, 8139)

# What bench.prepare does for a server, in one Django process (one start-up instead of three) and without its
# `migrate`, which has nothing to apply on a copy of the migrated template: the demo (pictures drawn small, as in
# every other test that loads it), then the static files production settings serve.
DEMO_AND_STATIC = """
import contextlib
from django.core.management import call_command
from tests.support.demo import demo_settings, small_pictures
with contextlib.ExitStack() as patches:
    for patch in [*small_pictures(), *demo_settings()]:
        patches.enter_context(patch)
    call_command("load_demo", "--scale", "0", verbosity=0)
call_command("collectstatic", "--noinput", verbosity=0)
"""


def get(port, path, headers=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=90)
    try:
        conn.request("GET", path, headers={"Host": f"{HOST}:{port}", **(headers or {})})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def live(postgres_url, checkout_pg_template):
    reason = postgres.unavailable_reason()
    if reason:
        skip_or_fail(reason)
    # A cluster of its own, since the test stops it; its database a dump of the run's migrated template rather
    # than a migration of its own.
    with postgres.throwaway_cluster() as server_url:
        url = postgres.create_database(server_url, "outage")
        db_template.copy_to_server(postgres_url, checkout_pg_template, url)
        # Production settings without Redis: the page cache is in the worker's memory, so one worker (two threads).
        environ = {**bench_environ(url), "REDIS_URL": ""}
        postgres.run_django(DEMO_AND_STATIC, url, settings=environ["DJANGO_SETTINGS_MODULE"], env=environ)
        with gunicorn(environ, workers=1, threads=2, port=free_port_in(*PORTS), name="outage-host", log=print) as (
            _host,
            port,
            _info,
        ):
            yield server_url, port


def test_postgres_down_under_a_live_server(live):
    server_url, port = live
    # Warm the page cache: the second anonymous visit is a hit.
    for _ in range(2):
        status, headers, _body = get(port, "/")
    assert status == 200 and headers.get("x-cache") == "hit"
    assert get(port, "/healthz/ready")[0] == 200

    start_again = postgres.stop_server(server_url)
    try:
        status, headers, body = get(port, "/")
        assert status == 200 and headers.get("x-cache") == "hit"  # from the page cache, no database needed
        assert "山海" in body.decode()

        status, headers, body = get(port, "/market/")  # never visited: not in the page cache
        assert status == 503 and headers["retry-after"] == "30"
        page = body.decode()
        assert "请稍候" in page and "briefly unavailable" in page and "Traceback" not in page
        # A visitor with a session cookie is served from the page cache too (the session lives in Redis; an
        # unknown one reads as a visitor), and an uncached page gives them the same friendly 503.
        status, headers, _body = get(port, "/", {"Cookie": "sessionid=abc"})
        assert status == 200 and headers.get("x-cache") == "hit"
        status, _headers, body = get(port, "/news/", {"Cookie": "sessionid=abc"})
        assert status == 503 and "请稍候" in body.decode()

        for path in ("/api/v2/pages/", "/api/registrations/no-such-secret/", "/api/fairs/1/stalls/"):
            status, headers, body = get(port, path)
            assert status == 503, path
            assert headers["content-type"].startswith("application/json") and headers["retry-after"] == "30"
            assert json.loads(body)["code"] == "unavailable"

        status, _headers, body = get(port, "/healthz/ready")
        assert status == 503 and json.loads(body)["database"] == "down"
        assert get(port, "/healthz")[0] == 200  # alive: the process is fine, only the database is not
    finally:
        start_again()

    # Back: the same worker reconnects.
    assert get(port, "/market/")[0] == 200
    assert get(port, "/healthz/ready")[0] == 200
