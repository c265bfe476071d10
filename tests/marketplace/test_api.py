"""Wagtail API v2 for the catalogue: type filters, Chinese search, product fields, fixed query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

PRODUCT_FIELDS = "unit_price,unit,stock_state,county_info,marks_info,vendor_info,cover_thumbnail,tier_price_list"


@pytest.fixture
def shelf(make_vendor, make_product, changshan, kecheng, marks):
    coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng)
    hidden = make_vendor("待审核商家", changshan, approved=False)
    return {
        "coop": coop,
        "tangelo": make_product(
            coop, "常山胡柚", "58.00", name_en="Changshan tangelo", marks=[marks["gi"]], tiers=[(10, "52.00")]
        ),
        "paste": make_product(coop, "胡柚膏", "39.00", name_en="Tangelo paste", category="processed", stock=0),
        "cake": make_product(shao, "邵永丰麻饼", "30.00", category="snacks"),
        "hidden": make_product(hidden, "胡柚干", "20.00"),
    }


def api(client, **params):
    response = client.get("/api/v2/pages/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_filter_by_product_type(client, shelf):
    data = api(client, type="marketplace.ProductPage")
    assert {item["title"] for item in data["items"]} == {"常山胡柚", "胡柚膏", "邵永丰麻饼"}
    assert data["meta"]["total_count"] == 3  # the unapproved vendor's product is not public


def test_filter_by_vendor_type(client, shelf):
    data = api(client, type="marketplace.VendorPage")
    assert {item["title"] for item in data["items"]} == {"常山胡柚合作社", "邵永丰食品"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("胡柚", {"常山胡柚", "胡柚膏"}),
        ("麻饼", {"邵永丰麻饼"}),
        ("huyou", {"常山胡柚", "胡柚膏"}),
        ("tangelo", {"常山胡柚", "胡柚膏"}),
    ],
)
def test_chinese_search(client, shelf, query, expected):
    data = api(client, type="marketplace.ProductPage", search=query)
    assert {item["title"] for item in data["items"]} == expected


def test_product_items_carry_what_a_client_needs(client, shelf):
    data = api(client, type="marketplace.ProductPage", fields=PRODUCT_FIELDS, search="常山胡柚")
    (item,) = data["items"]
    assert item["unit_price"] == "58.00"
    assert item["unit"] == "斤"
    assert item["stock_state"] == "in_stock"
    assert item["county_info"]["name"] == "常山县"
    assert item["county_info"]["slug"] == "changshan"
    assert [m["name"] for m in item["marks_info"]] == ["地理标志"]
    assert item["vendor_info"]["name"] == "常山胡柚合作社"
    assert item["vendor_info"]["url"].endswith("/")
    assert item["tier_price_list"] == [{"min_quantity": 10, "unit_price": "52.00"}]
    assert item["cover_thumbnail"]["url"].endswith(".webp")
    assert item["cover_thumbnail"]["width"] == item["cover_thumbnail"]["height"]  # a square crop


def test_sold_out_state(client, shelf):
    detail = client.get(f"/api/v2/pages/{shelf['paste'].pk}/").json()
    assert detail["stock_state"] == "sold_out"
    assert detail["unit_price"] == "39.00"


def test_unapproved_product_detail_is_not_found(client, shelf):
    assert client.get(f"/api/v2/pages/{shelf['hidden'].pk}/").status_code == 404


def count(client, params):
    client.get("/api/v2/pages/", params)
    client.get("/api/v2/pages/", params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v2/pages/", params)
    assert response.status_code == 200
    return len(queries)


def test_product_list_query_count_is_fixed(client, shelf, make_product, marks):
    params = {"type": "marketplace.ProductPage", "fields": PRODUCT_FIELDS}
    few = count(client, params)
    for i in range(8):
        make_product(shelf["coop"], f"胡柚礼盒{i}", "88.00", marks=list(marks.values()), tiers=[(5, "80.00")])
    assert count(client, params) == few
