"""Listing, product, vendor and county pages through the Django test client."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import ProductPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_data(make_vendor, make_product, changshan, kecheng, marks):
    coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng, kind="brand")
    return {
        "coop": coop,
        "shao": shao,
        "tangelo": make_product(
            coop, "常山胡柚", "58.00", marks=[marks["gi"], marks["sanquwei"]], tiers=[(10, "52.00"), (50, "48.00")]
        ),
        "paste": make_product(coop, "胡柚膏", "39.00", category="processed", stock=0),
        "cake": make_product(shao, "邵永丰麻饼", "30.00", category="snacks", marks=[marks["gi"]]),
        "canteen_rice": make_product(coop, "食堂大米", "120.00", category="processed", audience="canteens"),
    }


def listing(client, **params):
    response = client.get("/market/products/", params)
    assert response.status_code == 200
    return response, [p.title for p in response.context["products"]]


def test_listing_shows_public_products_newest_first(client, catalogue_data):
    _, titles = listing(client)
    assert titles == ["邵永丰麻饼", "胡柚膏", "常山胡柚"]  # canteen-only rice is not for the public


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"county": "changshan"}, {"常山胡柚", "胡柚膏"}),
        ({"city": "330800"}, {"常山胡柚", "胡柚膏", "邵永丰麻饼"}),
        ({"category": "fruit"}, {"常山胡柚"}),
        ({"category": "specialties"}, {"常山胡柚", "胡柚膏", "邵永丰麻饼"}),
        ({"mark": "gi"}, {"常山胡柚", "邵永丰麻饼"}),
        ({"mark": "sanquwei"}, {"常山胡柚"}),
        ({"price_min": "35", "price_max": "60"}, {"常山胡柚", "胡柚膏"}),
        ({"in_stock": "on"}, {"常山胡柚", "邵永丰麻饼"}),
        ({"canteen": "on"}, {"常山胡柚", "胡柚膏", "邵永丰麻饼"}),
    ],
)
def test_listing_filters(client, catalogue_data, params, expected):
    _, titles = listing(client, **params)
    assert set(titles) == expected
    assert len(titles) == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("price", ["邵永丰麻饼", "胡柚膏", "常山胡柚"]), ("-price", ["常山胡柚", "胡柚膏", "邵永丰麻饼"])],
)
def test_listing_sorts(client, catalogue_data, sort, expected):
    assert listing(client, sort=sort)[1] == expected


def test_a_bad_price_range_gets_a_field_message(client, catalogue_data):
    response, titles = listing(client, price_min="50", price_max="10")
    assert "price_max" in response.context["form"].errors
    assert "must not be below" in response.content.decode() or "不能低于" in response.content.decode()
    assert len(titles) == 3  # an invalid filter shows everything rather than nothing


def test_listing_paginates_by_24(client, make_vendor, make_product, changshan):
    vendor = make_vendor("大户", changshan)
    for i in range(26):
        make_product(vendor, f"产品{i:02d}", "10.00", image=False)
    first, titles = listing(client)
    assert len(titles) == 24
    second, titles_2 = listing(client, page=2)
    assert len(titles_2) == 2
    assert 'rel="next"' in first.content.decode()


def listing_queries(client, url):
    client.get(url)  # warm twice: renditions and the site-shell cache are filled on first views
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_listing_query_count_does_not_grow_with_products(client, make_vendor, make_product, changshan, kecheng, marks):
    vendor = make_vendor("常山胡柚合作社", changshan)
    make_product(vendor, "常山胡柚", "58.00", marks=[marks["gi"]])
    few = listing_queries(client, "/market/products/")
    other = make_vendor("邵永丰食品", kecheng)
    for i in range(12):
        make_product(other if i % 2 else vendor, f"产品{i}", "10.00", marks=list(marks.values()), tiers=[(10, "9.00")])
    many = listing_queries(client, "/market/products/")
    assert many == few
    assert many <= 12, many


def test_product_page(client, catalogue_data):
    product = catalogue_data["tangelo"]
    response = client.get(product.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "常山胡柚" in html
    assert "¥58.00" in html and "¥52.00" in html and "¥48.00" in html  # tier price table
    assert "常山胡柚合作社" in html  # vendor card
    assert "地理标志" in html
    assert response.context["page"].stock_state == "in_stock"


def test_product_page_query_count_is_fixed(client, catalogue_data, marks):
    product = catalogue_data["tangelo"]
    base = listing_queries(client, product.url)
    for i in range(4):
        product.tier_prices.create(min_quantity=100 + i, unit_price=Decimal("40.00") - i)
    assert listing_queries(client, product.url) == base
    assert base <= 14, base


def test_sold_out_product_says_so(client, catalogue_data):
    response = client.get(catalogue_data["paste"].url)
    assert response.context["page"].stock_state == "sold_out"


def test_vendor_page_lists_its_products(client, catalogue_data):
    response = client.get(catalogue_data["coop"].url)
    assert response.status_code == 200
    assert [p.title for p in response.context["products"]] == ["常山胡柚", "胡柚膏"]


def test_unapproved_vendor_and_its_products_are_hidden(client, make_vendor, make_product, changshan):
    vendor = make_vendor("待审核合作社", changshan, approved=False)
    product = make_product(vendor, "神秘胡柚", "10.00")
    assert client.get(vendor.url).status_code in (302, 404)
    assert client.get(product.url).status_code in (302, 404)
    assert "神秘胡柚" not in listing(client)[1]
    vendor.approval_status = vendor.Approval.APPROVED
    vendor.save_revision().publish()
    assert client.get(product.url).status_code == 200


def test_county_page_names_its_partner(client, catalogue_data, changshan):
    from cms.models import City, County, MountainSeaPair

    hangzhou = City.objects.create(code="330100", name="杭州市", name_en="Hangzhou", coastal=True)
    gongshu = County.objects.create(city=hangzhou, name="拱墅区", name_en="Gongshu", slug="gongshu")
    MountainSeaPair.objects.create(mountain_county=changshan, coastal_county=gongshu)
    response = client.get("/market/county/changshan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "拱墅区" in html and "/market/county/gongshu/" in html
    assert {p.title for p in response.context["products"]} == {"常山胡柚", "胡柚膏"}
    assert [v.title for v in response.context["vendors"]] == ["常山胡柚合作社"]
    assert client.get("/market/county/nowhere/").status_code == 404


def test_english_listing(client, catalogue_data):
    ProductPage.objects.filter(pk=catalogue_data["cake"].pk).update(name_en="Sesame cake")
    response = client.get("/en/market/products/")
    assert response.status_code == 200
    assert "Sesame cake" in response.content.decode()


def test_home_page_featured_cards_cost_a_fixed_number_of_queries(
    client, home_page, make_vendor, make_product, changshan
):
    vendor = make_vendor("常山胡柚合作社", changshan)
    products = [make_product(vendor, f"胡柚{i}", "10.00") for i in range(6)]

    def feature(pages):
        home_page.sections = [
            ("featured", {"heading": "精选", "pages": list(pages), "more_link": None}),
            ("featured", {"heading": "商家", "pages": [vendor], "more_link": None}),
        ]
        home_page.save_revision().publish()

    feature(products[:1])
    one = listing_queries(client, "/")
    feature(products)
    six = listing_queries(client, "/")
    html = client.get("/").content.decode()
    assert all(p.title in html for p in products)
    assert six == one, (one, six)


def test_cached_cards_follow_stock_edits_and_language(client, catalogue_data):
    from marketplace.models import ProductStock

    def page():
        return client.get("/market/products/").content.decode()

    assert page().count("stock--sold_out") == 1  # 胡柚膏; cards are now cached
    ProductStock.objects.filter(product=catalogue_data["tangelo"]).update(quantity=0)  # no signal, no publish
    assert page().count("stock--sold_out") == 2

    cake = catalogue_data["cake"]
    cake.title = "邵永丰麻饼礼盒"
    cake.name_en = "Sesame cake gift box"
    cake.save_revision().publish()
    assert "邵永丰麻饼礼盒" in page()
    assert "Sesame cake gift box" in client.get("/en/market/products/").content.decode()
    assert "邵永丰麻饼礼盒" in page()  # the English card did not replace the Chinese one


def test_cached_cards_keep_each_search_highlight(client, catalogue_data):
    first = client.get("/search/", {"q": "胡柚"}).content.decode()
    second = client.get("/search/", {"q": "常山"}).content.decode()
    assert "常山<mark>胡柚</mark>" in first
    assert "<mark>常山</mark>胡柚" in second
    assert "常山胡柚" in client.get("/market/products/").content.decode()  # no marks outside search
