"""Test settings: in-memory SQLite unless DATABASE_URL names another database, fast hashing, local mail."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("SMS_BACKEND", "cms.sms.backends.MemoryBackend")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
# Media folders of their own for each test process. A pytest-xdist worker inherits the controller's environment,
# folders included, so it makes its own; Django subprocesses that a test starts (tests.support.postgres) inherit
# and share the folders of the worker that started them.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if os.environ.get("SHANHAI_TEST_MEDIA_FOR", _worker) != _worker:
    os.environ.pop("MEDIA_ROOT", None)
    os.environ.pop("PRIVATE_MEDIA_ROOT", None)
os.environ["SHANHAI_TEST_MEDIA_FOR"] = _worker
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix=f"shanhai-test-media-{_worker}"))
os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix=f"shanhai-test-private-media-{_worker}"))

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Serve static files straight from the apps (no collectstatic in tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Off, so that tests that change rows and read pages again see the change; tests/cms/test_page_cache.py
# turns it on.
PAGE_CACHE_SECONDS = 0
# Tests clear the page cache between requests; the in-process copies are tested on their own
# (tests/cms/test_page_cache_local.py).
PAGE_CACHE_LOCAL_ENTRIES = 0
# A lock against cms.locking.LOCK_ORDER, or a network call under a lock, fails the test.
LOCKING_STRICT = True
