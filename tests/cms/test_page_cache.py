"""The page cache (cms/page_cache.py): what is cached, CSRF tokens per visitor, invalidation on
publish/unpublish, stock state and stall changes, conditional GET, and checkout/registration on live rows."""

import re
import time as clock
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site

from cms import page_cache
from cms.errors import DomainError
from cms.models import SiteSettings
from events.models import Registration, StallBooking, TicketType
from events.registration import services as ticketing
from marketplace.models import ProductStock
from tests.factories import place_order

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture(autouse=True)
def page_cache_on(settings, home_page):
    # The first page view creates the site's settings row, which (rightly) refreshes every page; do it now.
    SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.PAGE_CACHE_SECONDS = 60
    # With the in-process copies on, as in production: every invalidation below must reach them too.
    settings.PAGE_CACHE_LOCAL_ENTRIES = 50
    page_cache.recent.clear()
    caches[settings.PAGE_CACHE_ALIAS].clear()
    yield
    caches[settings.PAGE_CACHE_ALIAS].clear()
    page_cache.recent.clear()


@pytest.fixture
def product(make_vendor, make_product, changshan):
    vendor = make_vendor("常山胡柚合作社", changshan)
    return make_product(vendor, "常山胡柚", "58.00", stock=100)


def get(client, url, **extra):
    response = client.get(url, **extra)
    return response, response.get("X-Cache")


def test_second_anonymous_get_is_a_hit_without_queries(client, home_page, django_assert_num_queries):
    first, state = get(client, "/")
    assert first.status_code == 200 and state == "miss"
    with django_assert_num_queries(0):
        second, state = get(client, "/")
    assert state == "hit"
    assert second.content == first.content
    assert "private" in second["Cache-Control"] and "max-age=0" in second["Cache-Control"]
    assert "Cookie" in second["Vary"]
    assert get(client, "/en/")[1] == "miss"  # each language has its own copy


def test_product_listing_and_county_routes_are_cached_but_not_other_routes(client, product, market, changshan):
    assert get(client, "/market/products/")[1] == "miss"
    assert get(client, "/market/products/")[1] == "hit"
    assert get(client, "/market/products/?sort=price")[1] == "miss"  # the query string is part of the key
    assert get(client, "/market/county/changshan/")[1] == "miss"
    assert get(client, "/market/county/changshan/")[1] == "hit"
    assert get(client, product.url)[1] == "miss"
    assert get(client, "/market/products/?" + "&".join(f"f{i}=1" for i in range(20)))[1] is None
    assert get(client, "/market/products/?q=" + "x" * 300)[1] is None
    assert get(client, "/cart/")[1] == "off"  # not a page
    assert get(client, "/search/?q=胡柚")[1] == "miss"  # search and sitemaps opt in (cacheable_view)
    assert get(client, "/search/?q=胡柚")[1] == "hit"
    assert get(client, "/search/?q=胡柚膏")[1] == "miss"


def test_search_and_sitemaps_are_cached_and_refreshed_on_publish(client, product, django_assert_num_queries):
    for url in ("/search/?q=胡柚", "/sitemap.xml", "/sitemap-products.xml"):
        first, state = get(client, url)
        assert first.status_code == 200 and state == "miss", url
        with django_assert_num_queries(0):
            second, state = get(client, url)
        assert state == "hit" and second.content == first.content, url
    assert first["Content-Type"].startswith("application/xml") and second["X-Robots-Tag"] == first["X-Robots-Tag"]

    product.title = "常山胡柚（新）"
    product.save_revision().publish()
    assert get(client, "/search/?q=胡柚")[1] == "miss"
    assert get(client, "/sitemap-products.xml")[1] == "miss"


def test_personal_routes_of_a_fair_are_never_cached(client, make_fair):  # noqa: F811
    fair = make_fair()
    TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0.00"), capacity=10)
    assert get(client, fair.url)[1] == "miss"
    assert get(client, fair.url)[1] == "hit"
    assert get(client, fair.url + "register/")[1] == "off"
    assert get(client, fair.url + "register/")[1] == "off"


def test_signed_in_readers_get_their_own_copy_and_api_clients_bypass_the_cache(client, home_page, django_user_model):
    assert get(client, "/")[1] == "miss"
    user = django_user_model.objects.create_user("buyer", "b@example.cn", "pw")
    client.force_login(user)
    response, state = get(client, "/")
    assert state == "miss" and response.status_code == 200  # the audience is part of the key
    assert get(client, "/")[1] == "hit"
    other = Client(HTTP_AUTHORIZATION="Token abc")
    assert get(other, "/")[1] is None


def test_a_cached_page_gives_each_visitor_its_own_csrf_token_and_the_form_works(product):
    first = Client(enforce_csrf_checks=True)
    response, state = get(first, product.url)
    assert state == "miss"
    token_1 = TOKEN.search(response.content.decode()).group(1)

    second = Client(enforce_csrf_checks=True)
    response, state = get(second, product.url)
    assert state == "hit"
    html = response.content.decode()
    assert page_cache.PLACEHOLDER.decode() not in html
    token_2 = TOKEN.search(html).group(1)
    assert token_2 != token_1
    assert "csrftoken" in response.cookies  # the hit set this visitor's cookie

    added = second.post(
        "/cart/add/", {"product": product.pk, "quantity": 2, "next": product.url, "csrfmiddlewaretoken": token_2}
    )
    assert added.status_code == 302, added.content[:500]
    # Now it has a session (its cart) and a message waiting ("Added to your cart."): the page is rendered for it.
    response, state = get(second, product.url)
    assert state is None and response.status_code == 200


def test_conditional_get_answers_304_for_the_same_page_and_cookie(client, product):
    response, _ = get(client, "/")
    etag = response["ETag"]
    assert response["Last-Modified"]
    not_modified = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified["X-Cache"] == "hit"

    # A page with a form: its ETag stands for the page and the visitor's CSRF cookie.
    response, _ = get(client, product.url)
    etag = response["ETag"]
    assert client.get(product.url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert Client().get(product.url, HTTP_IF_NONE_MATCH=etag).status_code == 200  # no cookie: a new token
    other = Client()
    other.get(product.url)
    assert other.get(product.url, HTTP_IF_NONE_MATCH=etag).status_code == 200  # another cookie


def test_publishing_and_unpublishing_refresh_the_page_at_once(client, product, django_capture_on_commit_callbacks):
    assert get(client, product.url)[1] == "miss"
    assert get(client, product.url)[1] == "hit"
    product.title = "常山胡柚（新果）"
    with django_capture_on_commit_callbacks(execute=True):
        product.save_revision().publish()
    response, state = get(client, product.url)
    assert state == "miss" and "常山胡柚（新果）" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        product.unpublish()
    assert client.get(product.url).status_code == 404


def test_stock_state_changes_refresh_pages_but_other_stock_changes_do_not(
    client, product, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ProductStock.objects.move(product.pk, -1)  # 99 left; first sight of this state: refresh, to be safe
    assert get(client, product.url)[1] == "miss"
    assert get(client, product.url)[1] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        ProductStock.objects.move(product.pk, -49)  # 50 left: still in stock
    response, state = get(client, product.url)
    assert state == "hit" and "stock--in_stock" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        ProductStock.objects.move(product.pk, -50)  # sold out
    response, state = get(client, product.url)
    assert state == "miss" and "stock--sold_out" in response.content.decode()
    listing, state = get(client, "/market/products/")
    assert state == "miss"


def test_the_checkout_decides_on_live_stock_not_on_the_cached_page(client, product, django_user_model):
    ProductStock.objects.filter(product_id=product.pk).update(quantity=1)  # no commit hook runs in this test
    response, _ = get(client, product.url)
    response, state = get(client, product.url)
    assert state == "hit" and "stock--low" in response.content.decode()
    buyers = [django_user_model.objects.create_user(f"b{i}", f"b{i}@example.cn", "pw") for i in range(2)]

    def buy(buyer):
        return place_order(buyer, (product, 1))

    buy(buyers[0])
    response, state = get(client, product.url)
    assert state == "hit" and "stock--low" in response.content.decode()  # the page is behind …
    with pytest.raises(DomainError) as error:
        buy(buyers[1])  # … the checkout is not
    assert error.value.code == "out_of_stock"
    assert ProductStock.objects.get(product_id=product.pk).quantity == 0


def test_registration_decides_on_live_capacity(client, make_fair):  # noqa: F811
    today = timezone.localdate()
    fair = make_fair(start_date=today + timedelta(days=30), end_date=today + timedelta(days=30), stalls=0)
    ticket = TicketType.objects.create(fair=fair, name="普通票", price=Decimal("0.00"), capacity=1)
    (slot,) = ticketing.create_slots(fair=fair, days=[fair.start_date], times=[(time(9), time(11))], capacity=1)
    get(client, fair.url)
    assert get(client, fair.url)[1] == "hit"

    def register(phone):
        request = ticketing.RegistrationRequest(ticket_type=ticket, slot=slot, name="张三", phone=phone, people=1)
        return ticketing.register(fair=fair, request=request)

    assert register("13800138000").status == Registration.Status.CONFIRMED
    assert get(client, fair.url)[1] == "hit"  # registrations do not touch the fair page
    try:
        second = register("13900139000")
    except DomainError as error:
        assert error.code == "full"
    else:
        assert second.status == Registration.Status.WAITLISTED


def test_stall_bookings_refresh_the_fair_page(client, make_fair, vendor_user, django_capture_on_commit_callbacks):  # noqa: F811
    fair = make_fair()
    vendor, user = vendor_user()
    get(client, fair.url)
    assert get(client, fair.url)[1] == "hit"
    stall = fair.stalls.order_by("code").first()
    with django_capture_on_commit_callbacks(execute=True):
        StallBooking.objects.create(
            fair=fair, stall=stall, vendor=vendor, status=StallBooking.Status.CONFIRMED, booked_by=user
        )
    response, state = get(client, fair.url)
    assert state == "miss"
    assert f'data-stall="{stall.code}" data-state="booked"' in response.content.decode()


def test_taxonomy_and_view_restrictions_refresh_pages(client, product, changshan):
    assert get(client, product.url)[1] == "miss"
    changshan.name_en = "Changshan County"
    changshan.save()
    assert get(client, product.url)[1] == "miss"
    PageViewRestriction.objects.create(page=product, restriction_type=PageViewRestriction.PASSWORD, password="x")
    response, state = get(client, product.url)
    assert response.status_code == 200 and state == "skip"  # the password form, never cached
    assert get(client, product.url)[1] == "skip"


def test_off_when_page_cache_seconds_is_zero(client, home_page, settings):
    settings.PAGE_CACHE_SECONDS = 0
    assert get(client, "/")[1] is None
    assert get(client, "/")[1] is None


def test_the_version_survives_a_cache_clear_as_a_new_random_number(home_page, client):
    from django.core.cache import cache

    get(client, "/")
    before = page_cache.version()
    cache.clear()
    assert page_cache.version() != before
    assert get(client, "/")[1] == "miss"


def test_a_process_keeps_recent_pages_in_memory_until_they_expire(client, home_page, monkeypatch):
    assert get(client, "/")[1] == "miss"
    caches[settings.PAGE_CACHE_ALIAS].clear()  # evicted from the shared cache; the versions are unchanged
    assert get(client, "/")[1] == "hit"  # this process's copy, the same page under the same key
    later = clock.time() + settings.PAGE_CACHE_SECONDS + 1
    monkeypatch.setattr(page_cache.time, "time", lambda: later)
    assert get(client, "/")[1] == "miss"  # as old as PAGE_CACHE_SECONDS: gone here as in the shared cache


def test_the_copies_in_memory_are_bounded(settings):
    settings.PAGE_CACHE_LOCAL_ENTRIES = 2
    entry = {"stored": clock.time(), "body": b""}
    for key in ("a", "b", "c"):
        page_cache.recent.put(key, entry)
    assert page_cache.recent.get("a") is None  # the least recently used went first
    assert page_cache.recent.get("b") is entry and page_cache.recent.get("c") is entry
    settings.PAGE_CACHE_LOCAL_ENTRIES = 0
    page_cache.recent.put("d", entry)
    assert page_cache.recent.get("d") is None


# --- gzip (a hit's body compressed once, when the page is stored) --------------------------------------------


def _gunzip(response):
    import gzip

    assert response["Content-Encoding"] == "gzip"
    assert int(response["Content-Length"]) == len(response.content)
    return gzip.decompress(response.content)


def test_a_reader_accepting_gzip_gets_the_same_page_gzipped_and_others_get_it_as_is(client, product):
    plain, state = get(client, product.url)
    assert state == "miss" and not plain.has_header("Content-Encoding")
    assert "Accept-Encoding" in plain["Vary"] and "Cookie" in plain["Vary"]
    zipped, state = get(client, product.url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert state == "hit" and "Accept-Encoding" in zipped["Vary"]
    assert len(zipped.content) < len(plain.content) / 2
    html = _gunzip(zipped)
    # The same page, with this response's own CSRF token (and the same cookie: the client kept it).
    token = TOKEN.search(html.decode()).group(1)
    assert TOKEN.sub("", html.decode()) == TOKEN.sub("", plain.content.decode())
    assert page_cache.PLACEHOLDER not in html and b"__PAGE_CACHE_" not in html
    assert token != TOKEN.search(plain.content.decode()).group(1)
    # The token works for a form post, as on an uncompressed page.
    posted = client.post("/cart/add/", {"product": product.pk, "quantity": 1, "next": product.url})
    assert posted.status_code == 302
    for refused in ("identity", "gzip;q=0, br", "br", "*"):
        response, state = get(Client(), product.url, HTTP_ACCEPT_ENCODING=refused)
        assert state == "hit" and not response.has_header("Content-Encoding"), refused
        assert b"<html" in response.content
    response, _ = get(Client(), product.url, HTTP_ACCEPT_ENCODING="br;q=1.0, GZIP;q=0.5")
    assert b"<html" in _gunzip(response)


def test_a_gzipped_hit_is_valid_for_a_form_post_with_csrf_checks(product):
    visitor = Client(enforce_csrf_checks=True)
    get(visitor, product.url)
    response, state = get(visitor, product.url, HTTP_ACCEPT_ENCODING="gzip")
    assert state == "hit"
    token = TOKEN.search(_gunzip(response).decode()).group(1)
    assert "csrftoken" in response.cookies
    added = visitor.post(
        "/cart/add/", {"product": product.pk, "quantity": 1, "next": product.url, "csrfmiddlewaretoken": token}
    )
    assert added.status_code == 302, added.content[:300]


def test_gzip_and_identity_have_their_own_etags(client, home_page):
    plain, _ = get(client, "/")
    zipped, _ = get(client, "/", HTTP_ACCEPT_ENCODING="gzip")
    assert plain["ETag"] != zipped["ETag"]
    again = client.get("/", HTTP_IF_NONE_MATCH=zipped["ETag"], HTTP_ACCEPT_ENCODING="gzip")
    assert again.status_code == 304 and "Accept-Encoding" in again["Vary"]
    # A gzip tag does not stand for the identity body.
    assert client.get("/", HTTP_IF_NONE_MATCH=zipped["ETag"]).status_code == 200


def test_gzip_parts_with_every_kind_of_hole_decompress_to_the_filled_page():
    import gzip

    from cms import personal_cache

    fixed = b"<p>" + "山海协作".encode() * 300 + b"</p>"
    body = (
        fixed
        + personal_cache.PLACEHOLDER
        + fixed
        + page_cache.PLACEHOLDER
        + fixed
        + page_cache.NONCE_PLACEHOLDER
        + page_cache.PLACEHOLDER
        + personal_cache.PLACEHOLDER  # only the first header placeholder is filled in
        + fixed
    )
    entry = {"body": body, "gzip": page_cache.gzipped_parts(body)}
    filled = {
        page_cache.PLACEHOLDER: b"T" * 64,
        page_cache.NONCE_PLACEHOLDER: b"nonce",
        personal_cache.PLACEHOLDER: "<a>张三</a>".encode() * 30000,  # longer than one stored block
    }
    expected = (
        body.replace(page_cache.PLACEHOLDER, filled[page_cache.PLACEHOLDER])
        .replace(page_cache.NONCE_PLACEHOLDER, filled[page_cache.NONCE_PLACEHOLDER])
        .replace(personal_cache.PLACEHOLDER, filled[personal_cache.PLACEHOLDER], 1)
    )
    assert gzip.decompress(page_cache._gzip_body(entry, filled)) == expected
    # The fixed parts are deflated once; the CSRF token is never compressed (it goes in a stored block).
    assert sum(len(deflated) for deflated, *_ in entry["gzip"]) < len(fixed)
    assert page_cache.gzipped_parts(b"<p>short</p>") is None


def test_csrf_token_is_a_masked_token_of_the_cookie_secret_like_djangos(rf):
    from django.middleware.csrf import _check_token_format, _unmask_cipher_token

    request = rf.get("/")
    first = page_cache.csrf_token(request)
    _check_token_format(first)
    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] and len(secret) == 32
    assert _unmask_cipher_token(first) == secret
    second = page_cache.csrf_token(request)
    assert second != first and _unmask_cipher_token(second) == secret  # a fresh mask, the same secret
    tokens = {page_cache.csrf_token(rf.get("/")) for _ in range(200)}
    assert len(tokens) == 200 and set("".join(tokens)) == set(page_cache.CSRF_ALLOWED_CHARS)
