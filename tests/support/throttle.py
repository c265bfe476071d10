"""Throttle tests without a window edge in the middle: django-ratelimit counts in fixed windows (each key's
offset within the period its own), so a test whose attempts straddle a window's end sees the count start again."""

import time
from types import SimpleNamespace


def hold_throttle_windows(monkeypatch):
    """Stop django-ratelimit's clock at now for the rest of the test: every attempt falls in one window."""
    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))
