"""Page-cache hits answered before Django's handler (cms/page_cache_wsgi.py, config/wsgi.py): the same answer as
Django's hit path (status, headers, body) for visitors, buyers and canteen members, gzip or not, and 304s; and
everything unusual handed to Django, which answers as before."""

import gzip
import re
from http.cookies import SimpleCookie
from urllib.parse import unquote_to_bytes

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import timezone
from wagtail.models import Site

from cms import page_cache, page_cache_wsgi
from cms.models import SiteSettings
from config.urls import urlpatterns as site_urlpatterns
from marketplace.checkout.cart import Cart
from tests.factories import make_user
from tests.support.cache_reads import record_cache_reads
from tests.support.redis import CountingHandler

pytestmark = pytest.mark.django_db

GZIP = "gzip, deflate, br"
TOKEN = re.compile(rb'(?<=name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}')
NONCE = re.compile(r"'nonce-[^']+'")
BODY_NONCE = re.compile(rb'nonce="[^"]+"')
EXPIRES = re.compile(r"expires=[^;]+;")
CSRF_SECRET = "A" * 32


@pytest.fixture(autouse=True)
def page_cache_on(settings, home_page):
    SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_LOCAL_ENTRIES = 50
    # Sessions read from the cache, as in production (cached_db on Redis): the WSGI path reads them there.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    page_cache.recent.clear()
    caches[settings.PAGE_CACHE_ALIAS].clear()
    yield
    caches[settings.PAGE_CACHE_ALIAS].clear()
    page_cache.recent.clear()


@pytest.fixture
def apps():
    django = CountingHandler()
    return django, page_cache_wsgi.PageCacheApplication(django)


def call(app, url, *, cookies=None, method="GET", **headers):
    """(status line, headers, body) of one request to a WSGI app."""
    path_info, _, query = url.partition("?")
    path_info = unquote_to_bytes(path_info).decode("iso-8859-1")  # as a WSGI server hands it over (PEP 3333)
    cookie = "; ".join(f"{name}={value}" for name, value in (cookies or {}).items())
    environ = RequestFactory()._base_environ(
        PATH_INFO=path_info, QUERY_STRING=query, REQUEST_METHOD=method, HTTP_COOKIE=cookie, **headers
    )
    answered = {}

    def start_response(status, response_headers):
        answered["status"], answered["headers"] = status, list(response_headers)

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answered["status"], answered["headers"], body


def value(headers, name):
    found = [v for n, v in headers if n.lower() == name.lower()]
    return found[0] if found else None


def comparable(answer):
    """The answer with what differs per response by design put aside: the CSP nonce, the CSRF token in the forms,
    the cookie's expiry date (a second apart at most); the body decompressed."""
    status, headers, body = answer
    if value(headers, "Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    body = BODY_NONCE.sub(b'nonce="(nonce)"', TOKEN.sub(b"(token)", body))
    headers = [(name, EXPIRES.sub("expires=…;", NONCE.sub("'nonce-…'", v.strip()))) for name, v in headers]
    return status, headers, body


def signed_in_cookies(user):
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value}


def assert_same_hit(apps, url, cookies, **headers):
    """Django's hit and the WSGI one answer alike, and the WSGI one never reaches Django."""
    django, wsgi = apps
    call(django, url, cookies=cookies, **headers)  # a miss stores the page (or a hit: already stored)
    expected = call(django, url, cookies=cookies, **headers)
    assert value(expected[1], "X-Cache") == "hit", expected[:2]
    reached = django.calls
    answered = call(wsgi, url, cookies=cookies, **headers)
    assert django.calls == reached, "the WSGI path handed the hit to Django"
    (status, headers, body), (expected_status, expected_headers, expected_body) = map(comparable, (answered, expected))
    assert status == expected_status
    assert headers == expected_headers, [(a, b) for a, b in zip(headers, expected_headers, strict=False) if a != b]
    assert body == expected_body
    return answered


@pytest.fixture
def goods(make_vendor, make_product, changshan):
    vendor = make_vendor("常山胡柚合作社", changshan)
    return {
        "huyou": make_product(vendor, "常山胡柚", "58.00", stock=100),
        "canteen_only": make_product(vendor, "胡柚整箱", "41.50", audience="canteens"),
    }


@pytest.mark.parametrize("encoding", ["", GZIP])
def test_the_wsgi_hit_answers_what_the_django_hit_answers_to_each_reader(apps, goods, unit_a, market, encoding):
    buyer = make_user("buyer", email="")
    Cart(user=buyer).add(goods["huyou"], 1)
    readers = {
        "visitor": {"csrftoken": CSRF_SECRET},
        "buyer": {**signed_in_cookies(buyer), "csrftoken": CSRF_SECRET},
        "canteen": {**signed_in_cookies(unit_a.users["buyer"]), "csrftoken": CSRF_SECRET},
    }
    extra = {"HTTP_ACCEPT_ENCODING": encoding} if encoding else {}
    for url in (goods["huyou"].url, "/market/products/", "/en/market/products/", "/"):
        for name, cookies in readers.items():
            status, headers, body = assert_same_hit(apps, url, cookies, **extra)
            assert status == "200 OK" and (value(headers, "Content-Encoding") == "gzip") == bool(encoding)
            html = (gzip.decompress(body) if encoding else body).decode()
            assert ("41.50" in html) == (name == "canteen" and url != "/" and "market/products" in url), (name, url)
            if name == "buyer":
                assert "data-cart-count>(1)" in html
    # The form's token is one of this visitor's cookie secret, sent again with the cookie, as Django does.
    status, headers, body = call(apps[1], goods["huyou"].url, cookies=readers["visitor"])
    assert SimpleCookie(value(headers, "Set-Cookie"))["csrftoken"].value == CSRF_SECRET


def test_a_visitor_without_a_csrf_cookie_gets_a_new_one_from_the_wsgi_hit(apps, goods):
    from django.middleware.csrf import _unmask_cipher_token

    django, wsgi = apps
    url = goods["huyou"].url
    call(django, url)
    expected = call(django, url)
    status, headers, body = call(wsgi, url)
    assert django.calls == 2
    assert [name for name, _v in headers] == [name for name, _v in expected[1]]
    secret = SimpleCookie(value(headers, "Set-Cookie"))["csrftoken"].value
    assert _unmask_cipher_token(TOKEN.search(body).group().decode()) == secret
    # The token works for a form post, through Django.
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = secret
    posted = client.post(
        "/cart/add/",
        {
            "product": goods["huyou"].pk,
            "quantity": 1,
            "next": url,
            "csrfmiddlewaretoken": TOKEN.search(body).group().decode(),
        },
    )
    assert posted.status_code == 302


@pytest.mark.parametrize("encoding", ["", GZIP])
def test_304s_are_the_same_from_both_paths(apps, goods, encoding):
    buyer = make_user("buyer", email="")
    extra = {"HTTP_ACCEPT_ENCODING": encoding} if encoding else {}
    for cookies in ({"csrftoken": CSRF_SECRET}, {**signed_in_cookies(buyer), "csrftoken": CSRF_SECRET}):
        for url in (goods["huyou"].url, "/en/"):
            first = assert_same_hit(apps, url, cookies, **extra)
            etag = value(first[1], "ETag")
            status, headers, body = assert_same_hit(apps, url, cookies, HTTP_IF_NONE_MATCH=etag, **extra)
            assert status == "304 Not Modified" and body == b"" and value(headers, "Set-Cookie") is None


def test_the_static_headers_follow_the_settings(goods, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.X_FRAME_OPTIONS = "SAMEORIGIN"
    django = CountingHandler()  # its middleware read the settings now
    apps = django, page_cache_wsgi.PageCacheApplication(django)
    for scheme in ("https", "http"):
        status, headers, _body = assert_same_hit(
            apps, goods["huyou"].url, {"csrftoken": CSRF_SECRET}, **{"wsgi.url_scheme": scheme}
        )
        assert value(headers, "X-Frame-Options") == "SAMEORIGIN"
        assert (value(headers, "Strict-Transport-Security") is not None) == (scheme == "https")
        assert value(headers, "X-Content-Type-Options") == "nosniff"
        assert "Secure" not in value(headers, "Set-Cookie")


# -- a page with a CSP nonce -----------------------------------------------------------------------------------

NONCE_PAGE = (
    '<html><body><p>缓存页</p><script nonce="{{ request.csp_nonce }}">var x = 1;</script>{% csrf_token %}</body></html>'
)


def nonce_view(request):
    return HttpResponse(engines["django"].from_string(NONCE_PAGE).render({}, request))


urlpatterns = [path("inline/", page_cache.cacheable_view(nonce_view)), *site_urlpatterns]


def test_a_page_with_a_nonce_gets_a_fresh_one_in_body_and_header(apps, settings):
    settings.ROOT_URLCONF = __name__
    status, headers, body = assert_same_hit(apps, "/inline/", {"csrftoken": CSRF_SECRET})
    nonce = re.search(rb'nonce="([^"]+)"', body).group(1).decode()
    assert f"'nonce-{nonce}'" in value(headers, "Content-Security-Policy")
    again = call(apps[1], "/inline/", cookies={"csrftoken": CSRF_SECRET}, HTTP_IF_NONE_MATCH=value(headers, "ETag"))
    assert again[0] == "200 OK" and nonce.encode() not in again[2]  # never a 304, never the same nonce


# -- what goes to Django ------------------------------------------------------------------------------------------


def test_misses_and_everything_unusual_reach_django(apps, goods):
    django, wsgi = apps
    url = goods["huyou"].url
    status, headers, _body = call(wsgi, url)
    assert django.calls == 1 and value(headers, "X-Cache") == "miss"
    call(wsgi, url)
    assert django.calls == 1  # now a hit, answered before Django
    cases = [
        ({"method": "POST"}, None),
        ({"method": "GET", "HTTP_AUTHORIZATION": "Token abc"}, None),
        ({"cookies": {"messages": "x"}}, None),
        ({"cookies": {"csrftoken": "not-a-secret"}}, "hit"),  # Django answers it with a new cookie
        ({"cookies": {"csrftoken": "B" * 64}}, "hit"),  # an old masked cookie: Django unmasks it
        ({"cookies": {"sessionid": "not a session key"}}, "hit"),
        ({"QUERY_STRING": "x=" + "1" * 300}, None),
    ]
    for options, state in cases:
        before = django.calls
        options = dict(options)
        method = options.pop("method", "GET")
        cookies = options.pop("cookies", None)
        answered = call(
            wsgi,
            url + (("?" + options.pop("QUERY_STRING")) if "QUERY_STRING" in options else ""),
            cookies=cookies,
            method=method,
            **options,
        )
        assert django.calls == before + 1, options
        if state:
            assert value(answered[1], "X-Cache") == state
    for other in ("/healthz", "/cart/", "/admin/", "/static/cms/site.css"):
        before = django.calls
        call(wsgi, other)
        assert django.calls == before + 1, other


def test_a_host_not_allowed_is_still_refused_by_django(apps, goods):
    django, wsgi = apps
    url = goods["huyou"].url
    call(wsgi, url)
    call(wsgi, url)
    before = django.calls
    status, _headers, _body = call(wsgi, url, HTTP_HOST="evil.example")
    assert status.startswith("400") and django.calls == before + 1


def test_a_forged_or_expired_session_is_not_signed_in(apps, goods):
    django, wsgi = apps
    url = goods["huyou"].url
    alice = make_user("alice", email="")
    cookies = signed_in_cookies(alice)
    call(wsgi, url, cookies=cookies)
    _status, _headers, body = call(wsgi, url, cookies=cookies)
    assert b"alice" in body
    before = django.calls
    forged = {"sessionid": "a" * 32}
    _status, headers, body = call(wsgi, url, cookies=forged)
    assert django.calls == before + 1 and b"alice" not in body and b"/login/" in body
    assert any(v.strip().startswith('sessionid=""') for n, v in headers if n == "Set-Cookie")  # Django forgets it
    # Expired: gone from the cache, past its date in the database.
    Session.objects.filter(session_key=cookies["sessionid"]).update(
        expire_date=timezone.now() - timezone.timedelta(days=1)
    )
    cache.delete(page_cache.session_cache_key(page_cache_wsgi.setup().session_store, cookies["sessionid"]))
    before = django.calls
    _status, headers, body = call(wsgi, url, cookies=cookies)
    assert django.calls == before + 1 and b"alice" not in body


def test_a_changed_password_goes_to_django_which_signs_the_old_session_out(apps, goods):
    django, wsgi = apps
    url = "/"
    alice = make_user("alice", email="")
    cookies = signed_in_cookies(alice)
    call(wsgi, url, cookies=cookies)
    call(wsgi, url, cookies=cookies)
    alice.set_password("a-new-password-123")
    alice.save()  # drops alice's entry (cms.personal_cache), the session keeps the old hash
    before = django.calls
    _status, _headers, body = call(wsgi, url, cookies=cookies)
    assert django.calls == before + 1 and b"alice" not in body


def test_a_signed_in_wsgi_hit_costs_one_cache_round_trip_and_no_query(
    apps, goods, django_assert_num_queries, monkeypatch
):
    django, wsgi = apps
    cookies = signed_in_cookies(make_user("alice", email=""))
    for _ in range(2):
        call(wsgi, "/", cookies=cookies)
    reads = record_cache_reads(monkeypatch)
    before = django.calls
    with django_assert_num_queries(0):
        _status, headers, body = call(wsgi, "/", cookies=cookies)
    assert django.calls == before and b"alice" in body and [method for method, _keys in reads] == ["get_many"]


def test_the_site_application_answers_hits_before_djangos_handler():

    from config import wsgi

    assert isinstance(wsgi.application, page_cache_wsgi.PageCacheApplication)
    assert isinstance(wsgi.application.application, WSGIHandler)
