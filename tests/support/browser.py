"""Browser-test helpers shared by tests/browser/ (the fixtures are in tests/browser/conftest.py)."""

import time
from pathlib import Path

from django.conf import settings
from django.test import Client

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def log_in(context, live_server, user):
    """Give a Playwright browser context the session cookie of `user` logged in on live_server."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def eventually(condition, seconds=15):
    """Poll `condition` until it holds. The live server writes to the same in-memory SQLite database from its
    own thread, and a read that meets its write transaction gets "database table is locked": that means "not yet",
    so it is retried like a false result."""
    from django.db import OperationalError

    deadline = time.monotonic() + seconds
    while True:
        try:
            if condition():
                return True
        except OperationalError as error:
            if "locked" not in str(error):
                raise
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
