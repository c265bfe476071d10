"""The site shell rendered once and reused (`{% shell_fragment %}` in base.html, cms.shell_cache), and the header's
own links from the reader's entry in cms.personal_cache (`{% personal_header %}`) on pages that are never cached:
each fragment is kept per name, language and the values it varies on, and made again after anything it shows
changes; the header follows the reader's cart and name at once."""

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from cms import personal_cache, shell_cache
from cms.models import FooterLink
from marketplace.checkout.cart import Cart
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_caches():
    cache.clear()
    shell_cache._local.clear()
    shell_cache._fragments.clear()
    yield
    cache.clear()
    shell_cache._local.clear()
    shell_cache._fragments.clear()


class Renders:
    """A value whose every render is counted."""

    def __init__(self):
        self.count = 0

    def __str__(self):
        self.count += 1
        return f"render {self.count}"


FRAGMENT = Template('{% load cms_tags %}{% shell_fragment "test" place %}<p>{{ renders }}</p>{% endshell_fragment %}')


def test_a_fragment_is_rendered_once_per_language_and_value_and_again_after_a_bump():
    renders = Renders()

    def render(place, language="zh-hans"):
        with translation.override(language):
            return FRAGMENT.render(Context({"renders": renders, "place": place}))

    assert render("a") == "<p>render 1</p>"
    assert render("a") == "<p>render 1</p>"  # kept
    assert render("b") == "<p>render 2</p>"  # another value it varies on
    assert render("a", "en") == "<p>render 3</p>"  # another language
    shell_cache.bump()  # a page published, the site settings or a footer link saved
    assert render("a") == "<p>render 4</p>"
    assert renders.count == 4
    assert not any(key for key in cache._cache if "fragment" in key)  # per process only: never outlives a deploy


def test_a_fragment_is_rendered_every_time_under_debug(settings):
    settings.DEBUG = True  # templates edited live show at once
    renders = Renders()
    for _ in range(2):
        FRAGMENT.render(Context({"renders": renders, "place": "a"}))
    assert renders.count == 2


def test_the_footer_follows_its_links_and_the_menu_follows_the_reader(site_settings, news_index):
    client = Client()

    def html(path):
        response = client.get(path)
        assert response.status_code == 200, path
        return response.content.decode()

    footer = html("/login/").split('<footer class="site-footer">')[1]
    assert "关于我们" in footer and "常见问题" not in footer
    FooterLink.objects.create(settings=site_settings, label="常见问题", url="https://x.example/faq/", sort_order=1)
    footer = html("/login/").split('<footer class="site-footer">')[1]
    assert "关于我们" in footer and "常见问题" in footer
    # The same menu markup on two pages outside the news section; the news item marked on its own page.
    outside = html("/login/")
    assert '<a href="/news/">' in outside and 'aria-current="page"' not in outside.split("main-menu")[1][:400]
    inside = html("/news/")
    assert '<a href="/news/" aria-current="page" class="is-active">' in inside
    english = html("/en/login/")
    assert '<html lang="en">' in english and "Log in" in english.split('<nav class="header-links"')[1]


@pytest.fixture
def goods(make_vendor, make_product, changshan):
    vendor = make_vendor("常山胡柚合作社", changshan)
    return make_product(vendor, "常山胡柚", "58.00"), make_product(vendor, "胡柚膏", "36.00")


def header(response):
    assert response.status_code == 200
    return response.content.decode().split('<nav class="header-links"')[1].split("</nav>")[0]


def test_a_personal_page_takes_the_readers_header_from_their_entry_and_follows_their_cart(goods):
    alice = make_user("alice", email="")
    client = Client()
    client.force_login(alice)
    Cart(user=alice).add(goods[0], 1)
    assert "alice" in header(client.get("/account/")) and "data-cart-count>(1)" in header(client.get("/cart/"))
    assert cache.get(personal_cache.KEY.format(alice.pk))["html"]["zh-hans"]  # the entry a cached page uses too
    Cart(user=alice).add(goods[1], 2)
    assert "data-cart-count>(2)" in header(client.get("/account/"))
    Cart(user=alice).remove(goods[0].pk)
    assert "data-cart-count>(1)" in header(client.get("/cart/"))
    alice.first_name, alice.last_name = "爱丽", "王"
    alice.save()
    assert "爱丽 王" in header(client.get("/account/"))


def test_staff_get_their_header_rendered(goods, django_user_model):
    staff = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    client = Client()
    client.force_login(staff)
    Cart(user=staff).add(goods[0], 1)
    assert "data-cart-count>(1)" in header(client.get("/cart/"))
    assert cache.get(personal_cache.KEY.format(staff.pk))["audience"] is None  # never from a cached copy
    Cart(user=staff).add(goods[1], 1)
    assert "data-cart-count>(2)" in header(client.get("/cart/"))
