"""Cached pages for signed-in readers and visitors with a cart (cms/personal_cache.py, cms/page_cache.py):
a copy per audience where the page differs (canteen members, vendors), the reader's own header filled in per
request, invalidation as strict as for visitors, messages never cached, and the early answer (FastPath)
with its security headers, CSP nonce and language."""

import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.test import Client
from wagtail.models import PageViewRestriction, Site

from cms import page_cache, personal_cache
from cms.models import SiteSettings
from events.models import StallBooking
from marketplace.canteen.models import UnitMember
from marketplace.checkout.cart import Cart
from marketplace.models import ProductStock
from tests.factories import make_user
from tests.support.cache_reads import record_cache_reads

pytestmark = pytest.mark.django_db

NONCE = re.compile(r'nonce="([^"]+)"')
TOKEN = re.compile(r'(?<=name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}')


@pytest.fixture(autouse=True)
def page_cache_on(settings, home_page):
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
def goods(make_vendor, make_product, changshan):
    vendor = make_vendor("常山胡柚合作社", changshan)
    return {
        "huyou": make_product(vendor, "常山胡柚", "58.00", stock=100),
        "canteen_only": make_product(vendor, "胡柚整箱", "41.50", audience="canteens"),
        "gao": make_product(vendor, "胡柚膏", "36.00"),
    }


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), response.get("X-Cache")


def header(html):
    return html.split('<nav class="header-links"')[1].split("</nav>")[0]


def test_canteen_members_and_public_buyers_each_get_their_own_prices_from_the_cache(goods, unit_a, market):
    member = signed_in(unit_a.users["buyer"])
    public = signed_in(make_user("public-buyer", email=""))
    listing = "/market/products/"
    html, state = get(member, listing)
    assert state == "miss" and "胡柚整箱" in html and "41.50" in html
    html, state = get(public, listing)
    assert state == "miss" and "胡柚整箱" not in html and "41.50" not in html  # not the member's copy
    for _ in range(2):
        html, state = get(member, listing)
        assert state == "hit" and "41.50" in html
        html, state = get(public, listing)
        assert state == "hit" and "41.50" not in html
    html, state = get(Client(), listing)
    assert "41.50" not in html
    # The canteen-only product's page: members can buy it, public buyers are told it is not for them.
    product = goods["canteen_only"].url
    for _ in range(2):
        member_html, _state = get(member, product)
        public_html, state = get(public, product)
        assert state in ("miss", "hit")
        assert 'class="button button--secondary buy-box__add"' in member_html
        assert "buy-box__blocked" in public_html and "buy-box__blocked" not in member_html
    assert get(public, product)[1] == "hit" and get(member, product)[1] == "hit"


def test_membership_changes_reach_the_cached_pages_at_once(goods, unit_a, market):
    buyer = make_user("joins-later", email="")
    client = signed_in(buyer)
    assert "41.50" not in get(client, "/market/products/")[0]
    assert "41.50" not in get(client, "/market/products/")[0]
    UnitMember.objects.create(unit=unit_a, user=buyer, role=UnitMember.Role.BUYER)
    html, _state = get(client, "/market/products/")
    assert "41.50" in html and 'class="header-links__canteen"' in header(html)
    UnitMember.objects.filter(user=buyer).delete()
    html, state = get(client, "/market/products/")
    assert state == "hit" and "41.50" not in html  # back to the public buyers' copy


def test_a_vendor_never_sees_another_vendors_stall_marks(make_fair, vendor_user):  # noqa: F811
    fair = make_fair()
    vendor_a, user_a = vendor_user("常山胡柚合作社", "vendor-a")
    vendor_b, user_b = vendor_user("开化龙顶茶场", "vendor-b")
    stall = fair.stalls.order_by("code").first()
    StallBooking.objects.create(
        fair=fair, stall=stall, vendor=vendor_a, status=StallBooking.Status.CONFIRMED, booked_by=user_a
    )
    client_a, client_b = signed_in(user_a), signed_in(user_b)
    for _ in range(2):
        html_a, state_a = get(client_a, fair.url)
        html_b, state_b = get(client_b, fair.url)
        html_anon, _state = get(Client(), fair.url)
        assert f'data-stall="{stall.code}" data-state="booked" data-mine' in html_a
        assert "data-mine" not in html_b and "data-mine" not in html_anon
    assert state_a == "hit" and state_b == "hit"


def test_the_header_shows_the_readers_own_name_and_cart_count_on_a_cached_page(goods, django_assert_num_queries):
    alice, bob = make_user("alice", email=""), make_user("bob", email="")
    Cart(user=alice).add(goods["huyou"], 1)
    client_a, client_b = signed_in(alice), signed_in(bob)
    html, state = get(client_a, "/")
    assert state == "miss" and "alice" in header(html) and "data-cart-count>(1)" in header(html)
    html, state = get(client_b, "/")
    assert state == "hit"  # alice's copy of the page …
    assert "bob" in header(html) and "alice" not in html and "data-cart-count" not in header(html)  # … bob's header
    with django_assert_num_queries(1) as queries:  # the session row only (from Redis with cached_db: none)
        html, state = get(client_a, "/")
    assert "django_session" in queries.captured_queries[0]["sql"]
    assert state == "hit" and "alice" in header(html) and "bob" not in html
    Cart(user=alice).add(goods["gao"], 1)
    html, state = get(client_a, "/")
    assert state == "hit" and "data-cart-count>(2)" in header(html)
    Cart(user=alice).remove(goods["huyou"].pk)
    html, state = get(client_a, "/")
    assert state == "hit" and "data-cart-count>(1)" in header(html)


def test_a_visitor_with_a_cart_gets_the_shared_copy_with_their_count(goods):
    visitor = Client()
    session = visitor.session
    session["cart"] = {str(goods["huyou"].pk): [2, "58.00"]}
    session.save()
    visitor.cookies["sessionid"] = session.session_key
    get(Client(), "/")
    html, state = get(visitor, "/")
    assert state == "hit" and "data-cart-count>(1)" in header(html)
    assert "data-cart-count" not in header(get(Client(), "/")[0])


def test_masked_names_for_phone_and_email_usernames():
    from cms.templatetags.cms_tags import account_name

    assert account_name(make_user("13800138000", email="")) == "138****8000"
    assert account_name(make_user("zhang@example.cn", email="")) == "z***"
    assert account_name(make_user("li", email="", first_name="雷", last_name="李")) == "雷 李"


def test_price_and_stock_state_changes_reach_signed_in_readers_at_once(goods, django_capture_on_commit_callbacks):
    client = signed_in(make_user("buyer", email=""))
    product = goods["huyou"]
    get(client, product.url)
    assert get(client, product.url)[1] == "hit"
    product.unit_price = Decimal("66.00")
    with django_capture_on_commit_callbacks(execute=True):
        product.save_revision().publish()
    html, state = get(client, product.url)
    assert state == "miss" and "66.00" in html
    with django_capture_on_commit_callbacks(execute=True):
        ProductStock.objects.move(product.pk, -100)
    html, state = get(client, product.url)
    assert state == "miss" and "stock--sold_out" in html


def test_messages_still_show_and_are_never_cached(goods):
    client = signed_in(make_user("buyer", email=""))
    product = goods["huyou"]
    get(client, product.url)
    added = client.post("/cart/add/", {"product": product.pk, "quantity": 1, "next": product.url})
    assert added.status_code == 302
    html, state = get(client, product.url)
    assert state is None  # a message waits: rendered, not looked up, not stored
    cart = client.get("/cart/").content.decode()
    assert 'class="message message--success"' in cart  # shown where it always was
    session = client.session
    session["_messages"] = '[["__json_message",0,20,"Saved."]]'
    session.save()
    assert get(client, "/")[1] is None
    assert get(client, product.url)[1] is None


def test_a_password_change_ends_the_other_sessions_header(goods):
    user = make_user("alice", email="")
    client = signed_in(user)
    assert "alice" in header(get(client, "/")[0])
    user.set_password("a-new-password-123")
    user.save()
    html, _state = get(client, "/")
    assert "alice" not in html and "/login/" in header(html)


def test_staff_and_login_restricted_pages_are_never_cached_for_signed_in_readers(goods, django_user_model):
    staff = signed_in(django_user_model.objects.create_user("editor", "e@example.cn", "pw", is_staff=True))
    assert get(staff, "/")[1] is None and get(staff, "/")[1] is None
    product = goods["huyou"]
    PageViewRestriction.objects.create(page=product, restriction_type=PageViewRestriction.LOGIN)
    client = signed_in(make_user("buyer", email=""))
    assert get(client, product.url)[1] == "off"  # served, never stored
    assert get(client, product.url)[1] == "off"  # served, never stored


def test_early_hits_keep_security_headers_a_fresh_nonce_and_the_language(goods, settings):
    client = signed_in(make_user("buyer", email=""))
    for path, language in (("/", "zh-hans"), ("/en/", "en")):
        get(client, path)
        response = client.get(path)
        assert response["X-Cache"] == "hit"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Language"] == language
        html = response.content.decode()
        assert f'<html lang="{"zh-Hans" if language == "zh-hans" else "en"}"' in html or f'lang="{language}' in html
        policy = response["Content-Security-Policy"]
        nonces = set(NONCE.findall(html))
        assert "default-src 'self'" in policy
        assert all(f"'nonce-{nonce}'" in policy for nonce in nonces)
        assert personal_cache.PLACEHOLDER.decode() not in html
    health = Client().get("/healthz")
    assert health.status_code == 200 and health.content == b"ok" and health["X-Content-Type-Options"] == "nosniff"


def test_gzipped_hits_carry_each_readers_own_header_and_prices(goods, unit_a, market):
    import gzip

    alice = make_user("alice", email="")
    Cart(user=alice).add(goods["huyou"], 1)
    readers = {"alice": signed_in(alice), "member": signed_in(unit_a.users["buyer"])}
    listing = "/market/products/"
    for client in readers.values():
        get(client, listing)
    for name, client in readers.items():
        response = client.get(listing, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert response["X-Cache"] == "hit" and response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        html = gzip.decompress(response.content).decode()
        plain = get(client, listing)[0]
        assert TOKEN.sub("", html) == TOKEN.sub("", plain)  # the same page, but for its fresh CSRF token
        assert personal_cache.PLACEHOLDER.decode() not in html
        if name == "alice":
            assert "alice" in header(html) and "data-cart-count>(1)" in header(html) and "41.50" not in html
        else:
            assert "alice" not in html and "41.50" in html  # the canteen copy, with the member's own header


@pytest.fixture
def cache_calls(monkeypatch):
    """The default cache's reads as the page cache makes them, (method, keys) in order (a get_many that the
    local-memory cache answers with its own gets counts once: one round trip with Redis)."""
    return record_cache_reads(monkeypatch)


def test_a_signed_in_hit_reads_the_session_versions_and_header_in_one_round_trip(goods, settings, cache_calls):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    alice, bob = make_user("alice", email=""), make_user("bob", email="")
    client = signed_in(alice)
    for _ in range(2):
        get(client, "/")
    cache_calls.clear()
    html, state = get(client, "/")
    assert state == "hit" and "alice" in header(html)
    assert [name for name, _keys in cache_calls] == ["get_many"], cache_calls
    session_key = client.cookies["sessionid"].value
    # A wrong guess of the person (another session under this key) costs a read, never another's header.
    page_cache.signed_in_people.remember(session_key, personal_cache.entry_key({"_auth_user_id": bob.pk}))
    cache_calls.clear()
    html, state = get(client, "/")
    assert state == "hit" and "alice" in header(html) and "bob" not in html
    assert [name for name, _keys in cache_calls] == ["get_many", "get"]
    # Signed out (the session is gone): the visitors' copy, with no name.
    client.logout()
    client.cookies["sessionid"] = session_key
    html, state = get(client, "/")
    assert "alice" not in header(html)


def test_early_hits_answer_the_language_headers_the_whole_stack_gives(goods):
    for client in (Client(), signed_in(make_user("buyer", email=""))):
        for path, language in (("/", "zh-hans"), ("/en/", "en")):
            client.get(path, HTTP_ACCEPT_LANGUAGE="en" if language == "zh-hans" else "zh-hans")
            rendered = client.get(path + "?again=1", HTTP_ACCEPT_LANGUAGE="en")  # a miss: the whole stack
            hit = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
            assert rendered["X-Cache"] == "miss" and hit["X-Cache"] == "hit"
            assert hit["Content-Language"] == rendered["Content-Language"] == language
            vary = {part.strip() for part in hit["Vary"].split(",")}
            assert vary == {part.strip() for part in rendered["Vary"].split(",")}
            assert ("Accept-Language" in vary) == (language == "zh-hans")  # only unprefixed URLs depend on it
