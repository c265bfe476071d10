"""Strict readers for settings that come from the environment.

A missing or malformed variable stops start-up with an ImproperlyConfigured error
that names it, instead of silently falling back to a default nobody chose.
"""

import json
import os
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_MISSING = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name, default):
    value = os.environ.get(name)
    if value is None:
        if default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} is required but not set.")
        return default
    return value.strip()


def env_str(name, default=_MISSING):
    return _raw(name, default)


def env_bool(name, default=_MISSING):
    value = _raw(name, default)
    if isinstance(value, bool):
        return value
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_int(name, default=_MISSING):
    value = _raw(name, default)
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name, default=_MISSING):
    value = _raw(name, default)
    if isinstance(value, list):
        return value
    return [item.strip() for item in value.split(",") if item.strip()]


def env_json_object(name, default=_MISSING):
    value = _raw(name, default)
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f"{name} is not a JSON object.")
    return parsed


def env_url(name, schemes, default=_MISSING):
    value = _raw(name, default)
    if not value:
        return value
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        raise ImproperlyConfigured(f"{name}={value!r} is not a URL with a scheme among {', '.join(sorted(schemes))}.")
    return value


def env_database(name, default=_MISSING):
    value = _raw(name, default)
    try:
        config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for bad input
        raise ImproperlyConfigured(f"{name}={value!r} is not a valid database URL: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name}={value!r} names no database engine we support.")
    if config["ENGINE"].endswith("sqlite3") and config.get("NAME") not in ("", ":memory:"):
        config["OPTIONS"] = {**SQLITE_FILE_OPTIONS, **config.get("OPTIONS", {})}
    return config


# A SQLite file (make run) serves several requests at once: a transaction that will write takes the write lock
# when it begins (IMMEDIATE), so it can wait for another instead of failing halfway with "database is locked",
# and it waits up to 20 s for the lock; WAL lets readers go on while one request writes.
SQLITE_FILE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
