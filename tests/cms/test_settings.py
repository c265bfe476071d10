"""Settings come from the environment; bad values stop start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("reader", "value", "args"),
    [
        (env.env_bool, "maybe", ()),
        (env.env_int, "ten", ()),
        (env.env_database, "nosuchdb://x", ()),
        (env.env_url, "http//broken", ({"redis"},)),
    ],
)
def test_malformed_values_name_the_variable(monkeypatch, reader, value, args):
    monkeypatch.setenv("SHANHAI_PROBE", value)
    with pytest.raises(ImproperlyConfigured, match="SHANHAI_PROBE"):
        reader("SHANHAI_PROBE", *args)


def test_missing_required_variable_names_it(monkeypatch):
    monkeypatch.delenv("SHANHAI_PROBE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SHANHAI_PROBE is required"):
        env.env_str("SHANHAI_PROBE")


def test_readers_parse_good_values(monkeypatch):
    monkeypatch.setenv("SHANHAI_PROBE", " Yes ")
    assert env.env_bool("SHANHAI_PROBE") is True
    monkeypatch.setenv("SHANHAI_PROBE", "a.example, b.example,")
    assert env.env_list("SHANHAI_PROBE") == ["a.example", "b.example"]
    monkeypatch.setenv("SHANHAI_PROBE", "postgres://u:p@127.0.0.1:5433/shop")
    config = env.env_database("SHANHAI_PROBE")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("127.0.0.1", 5433, "shop")


def manage(*args, **environ):
    """Run manage.py in a clean environment holding only what the test passes."""
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **environ},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_malformed_database_url_fails_at_start_up():
    result = manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY="x" * 60, DATABASE_URL="mysql//nohost"
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_passes_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="k3y-" + "z8Yq1vT0pLm4Ns7Rb2Wc9Xd6Fh5Jg3K" * 2,
        ALLOWED_HOSTS="shanhai.example",
        DATABASE_URL="sqlite:////tmp/shanhai-deploy-check.sqlite3",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_base_settings_are_production_safe():
    from config.settings import base

    source = Path(base.__file__).read_text()
    assert 'DEBUG = env_bool("DEBUG", False)' in source
    assert 'env_str("SECRET_KEY")' in source  # required, no default


def test_locale_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ


S3_PROBE = """
from django.conf import settings
from django.core.files.storage import default_storage
print(settings.STORAGES["default"]["BACKEND"], settings.WAGTAILDOCS_SERVE_METHOD)
print(default_storage.url("documents/invoice.pdf"))
print(default_storage.url("private/invoices/2026/03/abc.pdf"))
"""


def test_media_on_s3_compatible_storage_when_a_bucket_is_named():
    # Signing a URL needs no network: the URL names the endpoint and bucket and carries a signature.
    result = manage(
        "shell",
        "-c",
        S3_PROBE,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="shanhai.example",
        DATABASE_URL="sqlite:////tmp/shanhai-s3-check.sqlite3",
        AWS_STORAGE_BUCKET_NAME="shanhai-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_ACCESS_KEY_ID="probe",
        AWS_SECRET_ACCESS_KEY="probe-secret",
    )
    assert result.returncode == 0, result.stderr
    backend_line, url, private_url = result.stdout.strip().splitlines()[-3:]
    assert backend_line == "cms.storage_s3.S3MediaStorage serve_view"
    assert url.startswith("http://127.0.0.1:9000/shanhai-media/documents/invoice.pdf?")
    assert "Signature=" in url
    # Private files are only reached through the permission-checked view, which redirects to a signed URL.
    assert private_url == "/private-media/invoices/2026/03/abc.pdf"


def test_local_media_storage_without_a_bucket(settings):
    assert settings.STORAGES["default"]["BACKEND"] == "cms.storage.MediaStorage"
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
