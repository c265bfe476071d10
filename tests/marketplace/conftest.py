"""Factories for catalogue tests: a market page, counties, categories, vendors and products."""

import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from cms.models import City, County, Mark, MountainCountyMembership
from marketplace.models import (
    Category,
    ProductImage,
    ProductPage,
    ProductStock,
    ProductTierPrice,
    VendorIndexPage,
    VendorPage,
)

_uscc_serial = itertools.count(1)


def make_uscc():
    from cms.validators import uscc_check_character

    first_17 = f"9133080{next(_uscc_serial):010d}"
    return first_17 + uscc_check_character(first_17)


@pytest.fixture
def quzhou(db):
    return City.objects.create(code="330800", name="衢州市", name_en="Quzhou")


@pytest.fixture
def changshan(quzhou):
    county = County.objects.create(city=quzhou, name="常山县", name_en="Changshan", slug="changshan")
    MountainCountyMembership.objects.create(county=county, since=datetime.date(2021, 1, 1))
    return county


@pytest.fixture
def kecheng(quzhou):
    county = County.objects.create(city=quzhou, name="柯城区", name_en="Kecheng", slug="kecheng")
    MountainCountyMembership.objects.create(
        county=county, since=datetime.date(2021, 1, 1), until=datetime.date(2024, 8, 1)
    )
    return county


@pytest.fixture
def categories(db):
    specialties = Category.objects.create(name="土特产", name_en="Local specialties", slug="specialties")
    return {
        "specialties": specialties,
        "fruit": Category.objects.create(parent=specialties, name="水果", name_en="Fruit", slug="fruit"),
        "processed": Category.objects.create(
            parent=specialties, name="加工食品", name_en="Processed", slug="processed"
        ),
        "snacks": Category.objects.create(parent=specialties, name="糕点小吃", name_en="Snacks", slug="snacks"),
    }


@pytest.fixture
def marks(db):
    return {
        "gi": Mark.objects.create(name="地理标志", name_en="Geographical Indication", slug="gi", kind="certification"),
        "sanquwei": Mark.objects.create(
            name="三衢味", name_en="Sanquwei", slug="sanquwei", kind="regional_public_brand"
        ),
    }


@pytest.fixture
def market(home_page):
    return home_page.add_child(instance=VendorIndexPage(title="山海市集", slug="market"))


def make_image(title="product", color="orange"):
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 64), color).save(buffer, "PNG")
    return get_image_model().objects.create(title=title, file=ImageFile(buffer, name=f"{title}.png"))


@pytest.fixture
def make_vendor(market):
    def make(title, county, approved=True, **fields):
        vendor = VendorPage(
            title=title,
            county=county,
            uscc=make_uscc(),
            approval_status=VendorPage.Approval.APPROVED if approved else VendorPage.Approval.PENDING,
            **fields,
        )
        market.add_child(instance=vendor)
        return vendor

    return make


@pytest.fixture
def make_product(categories):
    def make(vendor, title, price, *, stock=100, category="fruit", tiers=(), marks=(), image=True, **fields):
        product = ProductPage(title=title, unit_price=Decimal(price), category=categories[category], **fields)
        if image:
            product.images = [ProductImage(image=make_image(title))]
        product.tier_prices = [ProductTierPrice(min_quantity=q, unit_price=Decimal(p)) for q, p in tiers]
        vendor.add_child(instance=product)
        if marks:
            product.marks.set(marks)
            product.save()
        if product.track_stock:
            ProductStock.objects.create(product=product, quantity=stock)
        return product

    return make
