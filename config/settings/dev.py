"""Local development: DEBUG on, a throwaway secret, e-mails on the console, jobs run inline."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-not-secret-4f8a1c2e9b7d6a5f3e2d1c0b9a8f7e6d")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
os.environ.setdefault("SMS_BACKEND", "cms.sms.backends.ConsoleBackend")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from .base import *  # noqa: E402,F403

# runserver serves static files itself; no manifest to build first.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
