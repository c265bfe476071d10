"""A throwaway redis-server for tests of the cache on a real Redis, and Django's WSGI handler counting what reaches
it (for the page-cache hits answered before it)."""

import contextlib
import shutil
import subprocess
import time

from django.core.handlers.wsgi import WSGIHandler

from bench.stack import HOST, VAR_DIR, free_port, redis_command, redis_ping
from tests.support.plugin import skip_or_fail


@contextlib.contextmanager
def redis_server():
    """(process, URL) of a redis-server on a free port, killed on the way out; a missing binary skips (fails in CI)."""
    binary = shutil.which("redis-server")
    if binary is None:
        skip_or_fail("redis-server is not installed (Debian: redis-server)")
    port = free_port()
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # redis-server's --dir (it writes nothing there)
    proc = subprocess.Popen(redis_command(port, binary), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not redis_ping(port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield proc, f"redis://{HOST}:{port}/0"
    finally:
        proc.kill()
        proc.wait()


class CountingHandler:
    """Django's WSGI handler, counting the requests that reach it."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)
