"""The environment the benchmark runs Django under: production settings, a bench database, loopback only."""

import os
import secrets
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var" / "bench"
DEFAULT_SQLITE = VAR_DIR / "bench.sqlite3"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
PYTHON = sys.executable


def default_database_url():
    return f"sqlite:///{DEFAULT_SQLITE}"


def bench_environ(database_url, secret_key=None):
    """Variables for production settings (bench.settings: config.settings.production and one bench switch) pointed
    at the bench database.

    DEBUG is off as in production; the TLS redirect is off because the benchmark talks plain HTTP on
    loopback; mail goes nowhere and media lands in var/bench/media so demo uploads stay out of the way.
    """
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECRET_KEY": secret_key or "bench-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(VAR_DIR / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SMS_BACKEND": "cms.sms.backends.MemoryBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # Every simulated visitor of the rushes comes from 127.0.0.1: the per-address registration limit would
        # turn the rush away after 20 calls (real visitors come from many addresses).
        "EVENTS_REGISTER_API_RATE": "1000000/10m",
    }


def child_environ(overrides):
    """os.environ with the bench variables on top, for subprocesses (manage.py, gunicorn)."""
    env = dict(os.environ)
    # A REDIS_URL left in the shell would make the bench depend on a server it did not start.
    env.pop("REDIS_URL", None)
    env.update(overrides)
    return env
