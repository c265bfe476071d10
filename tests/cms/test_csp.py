"""Content-Security-Policy (#18 point 6, django-csp + cms/csp.py): every public page type sends the strict
policy, Stripe's hosts only when Stripe is configured, the admins' relaxations, and nonces that the whole-page
cache never hands from one visitor to the next."""

import re

import pytest
from django.http import HttpResponse
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import path
from wagtail.models import Site

from cms import page_cache
from cms.csp import SiteCSPMiddleware
from cms.models import SiteSettings
from cms.views import server_error
from config.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db

STRICT = [
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
]


def policy(response):
    return {d.strip().split(" ")[0]: d.strip() for d in response["Content-Security-Policy"].split(";") if d.strip()}


def assert_strict(response):
    header = response["Content-Security-Policy"]
    for directive in STRICT:
        assert directive in header, (directive, header)
    script = policy(response)["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "stripe" not in header


@pytest.fixture
def pages(
    home_page,
    news_index,
    add_articles,
    standard_page,
    campaign,
    make_vendor,
    make_product,
    changshan,
    make_fair,  # noqa: F811
):
    vendor = make_vendor("常山胡柚合作社", changshan)
    product = make_product(vendor, "常山胡柚", "58.00", stock=100)
    fair = make_fair()
    from events.models import TicketType

    TicketType.objects.create(fair=fair, name="普通票", price=0, capacity=10)
    market = vendor.get_parent().specific
    article = add_articles(1)[0]
    return {
        "home": "/",
        "home (English)": "/en/",
        "news index": news_index.url,
        "news article": article.url,
        "standard page": standard_page.url,
        "campaign": campaign.url,
        "vendor index": market.url,
        "product listing": market.url + "products/",
        "county": market.url + f"county/{changshan.slug}/",
        "vendor": vendor.url,
        "product": product.url,
        "search": "/search/?q=胡柚",
        "fair index": fair.get_parent().url,
        "fair": fair.url,
        "fair registration": fair.url + "register/",
        "login": "/login/",
        "signup": "/signup/",
        "cart": "/cart/",
        "vendor application": "/vendors/apply/",
        "sitemap": "/sitemap.xml",
        "not found": "/no-such-page/",
    }


def test_every_public_page_type_sends_the_strict_policy(client, pages):
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404), (name, url, response.status_code)
        assert_strict(response)
        html = response.content.decode()
        # No inline script or handler that the policy would block.
        for script in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in script or "nonce=" in script or 'type="application/json"' in script, (name, script)
        assert not re.search(r"\son[a-z]+=", html), name
        assert not re.search(r"\sstyle=", html), name


def test_stripe_hosts_only_when_stripe_is_configured(client, home_page, settings):
    assert "stripe" not in client.get("/")["Content-Security-Policy"]
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    parts = policy(client.get("/"))
    assert "https://js.stripe.com" in parts["script-src"] and "'self'" in parts["script-src"]
    assert "https://hooks.stripe.com" in parts["frame-src"]
    assert "https://api.stripe.com" in parts["connect-src"]
    settings.STRIPE_JS_URL = "http://127.0.0.1:9999/v3/"  # the test fake
    assert "http://127.0.0.1:9999" in policy(client.get("/"))["script-src"]


def test_admins_get_their_documented_relaxations(client, home_page, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "", "pw"))
    for url in ("/admin/", "/django-admin/"):
        response = client.get(url)
        assert response.status_code == 200
        parts = policy(response)
        assert "'unsafe-inline'" in parts["script-src"] and parts["frame-ancestors"] == "frame-ancestors 'self'"
        assert parts["object-src"] == "object-src 'none'" and parts["default-src"] == "default-src 'self'"


def test_server_error_page_styles_carry_the_nonce(home_page):
    request = RequestFactory().get("/")
    middleware = SiteCSPMiddleware(lambda req: server_error(req))
    response = middleware(request)
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in policy(response)["style-src"]


# -- the page cache and nonces ------------------------------------------------------------------------------

TEMPLATE = '<html><body><p>缓存页</p><script nonce="{{ request.csp_nonce }}">var x = 1;</script></body></html>'


def inline_script_view(request):
    return HttpResponse(engines["django"].from_string(TEMPLATE).render({}, request))


urlpatterns = [path("inline/", page_cache.cacheable_view(inline_script_view)), *site_urlpatterns]


def test_a_cached_page_gets_a_fresh_nonce_for_every_response(settings, home_page):
    SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.ROOT_URLCONF = __name__
    settings.PAGE_CACHE_SECONDS = 60
    nonces = []
    for _ in range(3):
        response = Client().get("/inline/")
        assert response.status_code == 200
        body_nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert f"'nonce-{body_nonce}'" in policy(response)["script-src"]
        assert page_cache.NONCE_PLACEHOLDER.decode() not in response.content.decode()
        nonces.append((response["X-Cache"], body_nonce))
    assert [state for state, _n in nonces] == ["miss", "hit", "hit"]
    assert len({n for _s, n in nonces}) == 3  # never the same nonce twice
    # No 304 for a page with a nonce: the browser's old copy has an old nonce.
    again = Client().get("/inline/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 200 and again["X-Cache"] == "hit"
