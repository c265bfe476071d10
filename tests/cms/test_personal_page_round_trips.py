"""A rendered personal page asks the shared cache once for what the page cache's look-up already read: the shell
version and the reader's header entry come with the session in its one round trip (cms.page_cache), and the
language links are worked out once per URL in the process (cms_tags._translated_url)."""

from importlib import import_module

import pytest
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.test import Client, RequestFactory
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Site

from cms import personal_cache, shell_cache
from cms.models import SiteSettings
from cms.templatetags import cms_tags
from tests.factories import make_user
from tests.support.cache_reads import record_cache_reads

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached_sessions(settings, home_page):
    SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.PAGE_CACHE_SECONDS = 60  # the page cache on, as in production: its look-up reads the session
    caches["default"].clear()
    yield
    request_finished.send(sender=None)
    caches["default"].clear()


@pytest.fixture
def default_cache_reads(monkeypatch):
    """(method, key or keys) of every read of the default cache, in order (one per round trip with Redis)."""
    return record_cache_reads(monkeypatch)


def test_a_signed_in_personal_page_reads_session_shell_version_and_header_in_one_round_trip(default_cache_reads):
    buyer = make_user("buyer", email="")
    client = Client()
    client.force_login(buyer)
    for _ in range(2):
        assert client.get("/cart/").status_code == 200
    default_cache_reads.clear()
    response = client.get("/cart/")
    assert response.status_code == 200 and "buyer" in response.content.decode()
    assert [name for name, _keys in default_cache_reads] == ["get_many"], default_cache_reads
    assert shell_cache.VERSION_KEY in default_cache_reads[0][1]


def test_the_shell_version_read_with_the_session_is_the_requests_snapshot():
    request_started.send(sender=None)
    shell_cache.use_version(12345)
    assert shell_cache.key("menu") == "cms:shell:12345:menu"
    shell_cache.use_version(999)  # the request has its snapshot: a later reading does not change it
    assert shell_cache.key("menu") == "cms:shell:12345:menu"
    shell_cache.bump()  # this process's own bump is seen at once, as before
    assert shell_cache.key("menu") != "cms:shell:12345:menu"
    request_finished.send(sender=None)
    request_started.send(sender=None)
    shell_cache.use_version(None)  # none in the cache: the request reads (and starts) one itself
    assert shell_cache.key("menu") == f"cms:shell:{shell_cache._versions.version()}:menu"


def test_the_readers_answer_is_kept_for_the_request_until_something_is_forgotten(default_cache_reads, settings):
    buyer = make_user("buyer", email="")
    client = Client()
    client.force_login(buyer)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    request = RequestFactory().get("/cart/")
    request.COOKIES = {settings.SESSION_COOKIE_NAME: session_key}
    request.session = session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    first = personal_cache.reader(request, session, "zh-hans")
    default_cache_reads.clear()
    assert personal_cache.reader(request, session, "zh-hans") == first
    assert default_cache_reads == []
    personal_cache.reader(request, session, "en")  # another language: asked afresh
    assert default_cache_reads
    default_cache_reads.clear()
    personal_cache.forget([buyer.pk])  # the cart changed: asked afresh
    personal_cache.reader(request, session, "en")
    assert default_cache_reads


@pytest.mark.parametrize("path", ["/cart/", "/en/cart/", "/market/?page=2", "/en/no/such/page/"])
def test_language_links_are_translate_urls_answer_worked_out_once(path, monkeypatch):
    cms_tags._TRANSLATED_URLS.clear()
    for code in ("zh-hans", "en"):
        for active in ("zh-hans", "en"):
            with translation.override(active):
                assert cms_tags._translated_url(None, path, code) == translate_url(path, code)
    calls = []
    monkeypatch.setattr(cms_tags, "translate_url", lambda url, code: calls.append(url) or url)
    with translation.override("en"):
        cms_tags._translated_url(None, path, "zh-hans")
    assert calls == []


def test_the_translated_urls_stay_bounded(monkeypatch):
    monkeypatch.setattr(cms_tags, "TRANSLATED_URLS_LIMIT", 3)
    cms_tags._TRANSLATED_URLS.clear()
    for i in range(10):
        cms_tags._translated_url(None, f"/fairs/registration/token{i}/", "en")
    assert len(cms_tags._TRANSLATED_URLS) <= 3
