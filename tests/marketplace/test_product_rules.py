"""Bad catalogue input is refused with a message on the field at fault."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cms.validators import validate_uscc
from marketplace.models import ProductPage, ProductStock, ProductTierPrice, VendorIndexPage, VendorPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendor(make_vendor, changshan):
    return make_vendor("常山胡柚合作社", changshan)


def new_product(vendor, categories, **fields):
    tiers = fields.pop("tiers", ())
    product = ProductPage(
        title="常山胡柚", unit_price=Decimal(fields.pop("price", "58.00")), category=categories["fruit"]
    )
    for name, value in fields.items():
        setattr(product, name, value)
    product.tier_prices = [ProductTierPrice(min_quantity=q, unit_price=Decimal(p)) for q, p in tiers]
    return product


def errors(product, vendor):
    with pytest.raises(ValidationError) as excinfo:
        vendor.add_child(instance=product)
    return excinfo.value.message_dict


@pytest.mark.parametrize("price", ["0.00", "-5.00"])
def test_zero_or_negative_price(vendor, categories, price):
    assert "unit_price" in errors(new_product(vendor, categories, price=price), vendor)
    assert not ProductPage.objects.exists()


def test_tier_prices_must_fall_with_quantity(vendor, categories):
    product = new_product(vendor, categories, tiers=[(10, "52.00"), (50, "55.00")])
    message = errors(product, vendor)["unit_price"][0]
    assert "fall" in message or "递减" in message or "降低" in message


def test_tier_price_above_the_base_price(vendor, categories):
    assert "unit_price" in errors(new_product(vendor, categories, tiers=[(10, "60.00")]), vendor)


def test_tier_must_start_above_the_minimum_order(vendor, categories):
    product = new_product(vendor, categories, min_order_quantity=10, tiers=[(10, "50.00")])
    assert "min_order_quantity" in errors(product, vendor)


def test_valid_tiers_and_price_for_quantity(vendor, categories):
    product = new_product(vendor, categories, tiers=[(50, "48.00"), (10, "52.00")])
    vendor.add_child(instance=product)
    assert product.price_for(1) == Decimal("58.00")
    assert product.price_for(10) == Decimal("52.00")
    assert product.price_for(49) == Decimal("52.00")
    assert product.price_for(500) == Decimal("48.00")
    assert product.tier_price_list == [
        {"min_quantity": 10, "unit_price": "52.00"},
        {"min_quantity": 50, "unit_price": "48.00"},
    ]


def test_minimum_order_above_stock(vendor, categories):
    product = new_product(vendor, categories)
    vendor.add_child(instance=product)
    ProductStock.objects.create(product=product, quantity=5)
    product = ProductPage.objects.get(pk=product.pk)
    product.min_order_quantity = 6
    with pytest.raises(ValidationError) as excinfo:
        product.full_clean()
    assert "min_order_quantity" in excinfo.value.message_dict
    product.min_order_quantity = 5
    product.full_clean()


def test_a_top_level_category_with_children_is_refused(vendor, categories):
    product = new_product(vendor, categories)
    product.category = categories["specialties"]
    assert "category" in errors(product, vendor)


def test_origin_county_defaults_to_the_vendors(vendor, categories, changshan):
    product = new_product(vendor, categories)
    vendor.add_child(instance=product)
    assert product.origin_county == changshan
    assert product.vendor_id == vendor.pk


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("91330100799655058A", "uscc_check"),  # last character wrong (should be B)
        ("91330100799655058", "uscc_length"),
        ("9133010079965505IB", "uscc_characters"),
    ],
)
def test_uscc_with_wrong_check_digit_or_shape(code, error_code):
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(code)
    assert excinfo.value.error_list[0].code == error_code


@pytest.mark.parametrize("code", ["91330100799655058B", "9144030071526726XG", "91350100M000100Y43"])
def test_real_uscc_pass(code):
    validate_uscc(code)


def test_vendor_page_refuses_a_wrong_uscc(market, changshan):
    vendor = VendorPage(title="假合作社", county=changshan, uscc="91330100799655058A")
    with pytest.raises(ValidationError) as excinfo:
        market.add_child(instance=vendor)
    assert "uscc" in excinfo.value.message_dict


def test_vendor_slug_may_not_shadow_market_routes(market, changshan):
    from tests.factories import make_uscc

    vendor = VendorPage(title="产品", slug="products", county=changshan, uscc=make_uscc())
    with pytest.raises(ValidationError) as excinfo:
        market.add_child(instance=vendor)
    assert "slug" in excinfo.value.message_dict
    assert "products" in VendorIndexPage.RESERVED_SLUGS
