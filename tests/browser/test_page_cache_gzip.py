"""A page-cache hit in a real browser: Chromium asks for gzip, gets the page gzipped once at store time (with
its own CSRF token put in per response), shows it, and its form posts."""

import pytest
from django.core.cache import caches
from wagtail.models import Site

from cms import page_cache
from cms.models import SiteSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_cache_on(settings, home_page):
    SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_LOCAL_ENTRIES = 50
    page_cache.recent.clear()
    caches[settings.PAGE_CACHE_ALIAS].clear()
    yield
    caches[settings.PAGE_CACHE_ALIAS].clear()
    page_cache.recent.clear()


def test_a_gzipped_hit_shows_the_page_and_its_form_posts(
    page_cache_on, live_server, phone_page, make_vendor, make_product, changshan, screenshot_dir
):
    product = make_product(make_vendor("常山胡柚合作社", changshan), "常山胡柚", "58.00", stock=100)
    page = phone_page
    first = page.goto(live_server.url + product.url)
    assert first.headers["x-cache"] == "miss"
    second = page.goto(live_server.url + product.url)
    assert second.headers["x-cache"] == "hit" and second.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in second.headers["vary"].lower()
    assert page.locator("h1").first.inner_text().strip() == "常山胡柚"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "page-cache-gzip-hit-phone.png"), full_page=True)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("form.buy-box button[type=submit]").first.click()
    assert posted.value.status == 302  # the CSRF token from the gzipped body was accepted
