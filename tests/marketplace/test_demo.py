"""marketplace's demo loader: idempotent, believable data, a vendor login, and `--scale N` in bulk with a sound tree."""

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from bench.marketplace_pages import PAGES as BENCH_PAGES
from cms.demo import facts
from cms.models import HomePage
from cms.validators import validate_uscc
from marketplace import catalogue
from marketplace.demo.content import demo_price
from marketplace.demo.data import EXTRA_PRODUCTS, VENDORS
from marketplace.models import (
    Category,
    ProductImage,
    ProductPage,
    ProductStock,
    ProductTierPrice,
    VendorIndexPage,
    VendorMark,
    VendorMember,
    VendorPage,
)
from tests.support.demo import demo_database, run_load_demo

VENDOR_LINE = re.compile(r"Vendor login: /admin/\s+username: (?P<username>\S+)\s+password: (?P<password>\S+)")


def marketplace_lines(output):
    return [line for line in output.splitlines() if line.strip().startswith("marketplace")]


def snapshot(media_root):
    models = [
        Category,
        VendorPage,
        VendorMark,
        ProductPage,
        ProductStock,
        ProductImage,
        ProductTierPrice,
        ProductPage.marks.through,
        VendorMember,
        Page,
        Revision,
        get_image_model(),
        get_user_model(),
    ]
    counts = {model._meta.label: model.objects.count() for model in models}
    counts["image files"] = sum(1 for p in Path(media_root).rglob("*") if p.is_file())
    return counts


@pytest.fixture(scope="module")
def demo_loaded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for this module (tests/support/demo.py: once per run on SQLite)."""
    with demo_database(django_db_blocker, tmp_path_factory.mktemp("marketplace-demo-media")) as demo:
        yield demo


@pytest.fixture
def loaded(demo_loaded_once, db):
    return demo_loaded_once.output


@pytest.fixture
def demo_media(demo_loaded_once, settings, tmp_path):
    """MEDIA_ROOT in this test's folder with the demo's pictures as loaded, for tests that count or add files."""
    media = tmp_path / "media"
    shutil.copytree(demo_loaded_once.pictures, media)
    settings.MEDIA_ROOT = str(media)
    return media


def test_second_run_creates_nothing(loaded, demo_media):
    first = loaded
    after_first = snapshot(demo_media)
    second = run_load_demo()

    assert snapshot(demo_media) == after_first
    assert after_first["marketplace.VendorPage"] == len(VENDORS) >= 30
    assert after_first["marketplace.ProductPage"] == len(facts()["products"]) + len(EXTRA_PRODUCTS)
    assert after_first["marketplace.VendorMember"] == 1
    assert after_first["wagtailimages.Image"] == after_first["image files"]
    assert any("created" in line for line in marketplace_lines(first))
    assert not any("created" in line or "updated" in line for line in marketplace_lines(second))


class TestLoadedDemo:
    def test_every_vendor_has_shipping_rules_and_the_buyer_has_received_orders(self, loaded):
        from marketplace.checkout.models import Order, ShippingRule, VendorOrder

        assert VendorPage.objects.count() == ShippingRule.objects.count()
        rule = ShippingRule.objects.filter(charge_by=ShippingRule.ChargeBy.COUNT).first()
        assert rule.regions.count() == 2 and rule.free_above and "香港特别行政区" in rule.excluded_provinces
        orders = Order.objects.filter(buyer__username="buyer")
        statuses = sorted(orders.values_list("status", flat=True))
        assert statuses == [Order.Status.COMPLETED, Order.Status.PAID, Order.Status.SHIPPED]
        completed = orders.get(status=Order.Status.COMPLETED)
        assert set(completed.vendor_orders.values_list("status", flat=True)) == {VendorOrder.Status.DELIVERED}
        assert completed.events.filter(action="delivery_confirmed").exists()
        shipped = [p.shipping_fee for o in orders for p in o.vendor_orders.all()]
        assert all(fee >= 0 for fee in shipped)
        assert sum(o.total for o in orders) == sum(
            p.subtotal + p.shipping_fee for o in orders for p in o.vendor_orders.all()
        )

    def test_the_buyer_has_an_after_sale_request_waiting_for_the_vendor(self, loaded):
        from marketplace.checkout.models import AfterSaleRequest, Order

        (request,) = AfterSaleRequest.objects.filter(order__buyer__username="buyer")
        assert request.status == AfterSaleRequest.Status.REQUESTED
        assert request.order.status == Order.Status.COMPLETED
        assert request.order.events.filter(action="after_sale_requested").exists()

    def test_categories_are_a_two_level_tree_with_ascii_slugs(self, loaded):
        top = Category.objects.filter(parent=None)
        assert set(top.values_list("name", flat=True)) == {"百县千碗·菜品", "土特产"}
        assert Category.objects.get(name="水果").slug == "fruit"
        assert Category.objects.get(name="畜禽水产").name_en == "Meat, poultry & fish"
        for category in Category.objects.all():
            assert re.fullmatch(r"[a-z][a-z-]*", category.slug)
            assert category.name_en
            assert category.parent is None or category.parent.parent_id is None

    def test_market_page(self, loaded):
        market = VendorIndexPage.objects.get()
        assert (market.title, market.slug, market.live, market.show_in_menus) == ("山海市集", "market", True, True)
        assert market.intro
        assert isinstance(market.get_parent().specific, HomePage)

    def test_vendors(self, loaded):
        vendors = VendorPage.objects.select_related("county__city")
        counties = {v.county.name for v in vendors}
        assert {"柯城区", "衢江区", "龙游县", "江山市", "常山县", "开化县"} <= counties
        assert {v.county.city.name for v in vendors} == {"衢州市", "丽水市"}
        kinds = {v.kind for v in vendors}
        assert {"cooperative", "farm", "brand", "restaurant", "county_pavilion"} <= kinds
        assert {v.store_tier for v in vendors if v.kind == "restaurant"} >= {"experience", "flagship"}
        assert len({v.uscc for v in vendors}) == len(vendors)
        for vendor in vendors:
            validate_uscc(vendor.uscc)
            assert vendor.live and vendor.is_approved and not vendor.has_unpublished_changes, vendor.title
            assert vendor.name_en and vendor.tagline and vendor.story and vendor.logo_id, vendor.title
            assert vendor.contact_phone and vendor.contact_email and vendor.address, vendor.title
            assert vendor.store_tier == "" or vendor.kind == "restaurant"
            held = list(vendor.held_marks.all())
            assert held and all(m.certificate_number and m.valid_from < m.valid_until for m in held), vendor.title

    def test_every_product_of_the_facts_is_under_a_vendor_of_its_county(self, loaded):
        for item in [*facts()["products"], *EXTRA_PRODUCTS]:
            product = ProductPage.objects.select_related("vendor__county__city", "category").get(title=item["name"])
            vendor = product.vendor
            assert item["county"] in (vendor.county.name, vendor.county.city.name), item["name"]
            assert product.get_parent().pk == vendor.pk
            assert product.origin_county_id == vendor.county_id
            low, high = (Decimal(str(x)) for x in item["price"])
            assert low <= product.unit_price <= high, item["name"]
            assert (product.unit, product.category.name, product.name_en) == (
                item["unit"],
                item["category"],
                item["name_en"],
            )
            assert set(item["marks"]) <= {m.name for m in product.marks.all()}
            assert product.summary and product.description and product.pack_size and product.shelf_life

    def test_products_are_valid_and_complete(self, loaded):
        products = ProductPage.objects.select_related("vendor", "stock")
        for product in products:
            assert product.live and not product.has_unpublished_changes, product.title
            assert 1 <= product.images.count() <= 3, product.title
            assert product.cover_image_id == product.images.first().image_id
            tiers = sorted(product.tier_prices.all(), key=lambda t: t.min_quantity)
            prices = [product.unit_price, *(t.unit_price for t in tiers)]
            assert prices == sorted(prices, reverse=True) and len(set(prices)) == len(prices), product.title
            assert all(t.min_quantity > product.min_order_quantity for t in tiers), product.title
            if product.track_stock:
                stock = product.stock.quantity
                assert stock == 0 or product.min_order_quantity <= stock, product.title
            else:
                assert not ProductStock.objects.filter(product=product).exists()
            if product.vendor.kind == "restaurant":
                assert not product.track_stock and product.audience == "public", product.title
            if product.traceability_code:
                assert re.fullmatch(r"ZSL-33\d\d-\d{8}", product.traceability_code)
            try:
                product.clean()
            except ValidationError as error:  # pragma: no cover - the message names the problem
                pytest.fail(f"{product.title}: {error}")

    def test_a_believable_mix(self, loaded):
        products = list(ProductPage.objects.select_related("stock"))
        states = [p.stock_state for p in products]
        assert 1 <= states.count("sold_out") <= 3
        assert states.count("low") >= 2
        assert states.count("untracked") >= 4
        assert sum(p.audience == "canteens" for p in products) >= 2
        assert sum(p.min_order_quantity > 1 for p in products) >= 2
        assert sum(bool(p.traceability_code) for p in products) >= 5
        assert ProductTierPrice.objects.values("product").distinct().count() >= 10
        # Images come from a shared pool, not one file per product.
        assert ProductImage.objects.values("image").distinct().count() <= 3 * Category.objects.count()

    def test_sensible_prices(self):
        assert demo_price(1.5, 2) == Decimal("2.00")
        assert demo_price(30, 80) == Decimal("55.00")
        assert demo_price(300, 1500) == Decimal("898.00")
        assert demo_price(120, 220) == Decimal("168.00")

    def test_vendor_user_is_a_member_of_the_tangelo_co_op(self, loaded, client):
        login = VENDOR_LINE.search(loaded)
        assert login and login["username"] == "vendor" and login["password"] == "shanhai-vendor"
        user = get_user_model().objects.get(username="vendor")
        assert user.check_password("shanhai-vendor")
        membership = VendorMember.objects.get(user=user)
        assert membership.vendor.title == "常山县胡柚专业合作社"
        assert membership.vendor.products.filter(title="常山胡柚").exists()
        assert client.login(request=HttpRequest(), username="vendor", password="shanhai-vendor")
        assert client.get("/admin/").status_code == 200

    def test_home_page_features_products_and_vendors(self, loaded):
        home = HomePage.objects.get()
        featured = [block.value for block in home.sections if block.block_type == "featured"]
        assert len(featured) == 2
        kinds = [{type(page.specific) for page in block["pages"]} for block in featured]
        assert kinds == [{ProductPage}, {VendorPage}]
        assert all(block["more_link"].specific_class is VendorIndexPage for block in featured)
        assert home.live and not home.has_unpublished_changes

    def test_chinese_search_finds_the_tangelo_products(self, loaded):
        found = [p.title for p in catalogue.search("胡柚")["products"]]
        assert {"常山胡柚", "胡柚膏"} <= set(found)

    def test_benchmark_pages_answer(self, loaded, client):
        for page in BENCH_PAGES:
            path = page.resolve()
            assert path, page.name
            assert client.get(path).status_code == 200, (page.name, path)


def test_scale_adds_products_in_bulk_once(loaded, demo_media, client):
    before = ProductPage.objects.count()
    listed_before = client.get("/market/products/").context["products"].paginator.count

    output = run_load_demo("--scale", "50")
    assert ProductPage.objects.count() == before + 50
    assert "generated products: 50 created" in output
    again = run_load_demo("--scale", "50")
    assert ProductPage.objects.count() == before + 50
    assert "generated products: 50 present" in again
    run_load_demo("--scale", "130")
    assert ProductPage.objects.count() == before + 130

    assert Page.find_problems() == ([], [], [], [], [])
    generated = ProductPage.objects.filter(slug__startswith="gen-").select_related("vendor", "stock")
    assert generated.count() == 130
    assert VendorPage.objects.filter(slug__startswith="gen-vendor-").count() == 2
    for product in generated:
        assert product.title.endswith(f"#{int(product.slug[4:])}")
        assert "特产" in product.title
        assert product.url_path == f"{product.vendor.url_path}{product.slug}/"
        assert product.cover_image_id and product.images.count() >= 1
        assert product.track_stock == ProductStock.objects.filter(product=product).exists()
        assert product.get_parent().pk == product.vendor_id
    # The tree works: a generated product is served at its URL.
    first = generated.get(slug="gen-000001")
    assert client.get(first.url).status_code == 200

    visible = catalogue.visible_products().filter(slug__startswith="gen-")
    found = {p.pk for p in catalogue.search("特产")["products"]}
    assert set(visible.values_list("pk", flat=True)) <= found
    assert client.get("/market/products/").context["products"].paginator.count == listed_before + visible.count()
