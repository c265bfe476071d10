"""Taxonomy and catalogue: cities, counties, categories, images, vendor pages under the market, product pages
under their vendor (with tier prices, marks and a stock record)."""

import datetime
import io
import itertools
from decimal import Decimal

import factory
import wagtail_factories
from django.core.files.images import ImageFile
from factory.django import DjangoModelFactory
from PIL import Image as PILImage

from cms.models import City, County, MountainCountyMembership
from marketplace.models import Category, ProductImage, ProductPage, ProductStock, ProductTierPrice, VendorPage

_uscc_serial = itertools.count(1)


def make_uscc():
    """A valid, unique 统一社会信用代码 (unified social credit code)."""
    from cms.validators import uscc_check_character

    first_17 = f"9133080{next(_uscc_serial):010d}"
    return first_17 + uscc_check_character(first_17)


class CityFactory(DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("code",)

    code = "330800"
    name = "衢州市"
    name_en = "Quzhou"


class CountyFactory(DjangoModelFactory):
    class Meta:
        model = County

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"县{n}")
    name_en = factory.Sequence(lambda n: f"County {n}")
    slug = factory.Sequence(lambda n: f"county-{n}")


def make_county(city, name, name_en, slug, *, mountain_since=datetime.date(2021, 1, 1), mountain_until=None):
    """A county; a mountain county from `mountain_since` (until `mountain_until`) unless that is None."""
    county = CountyFactory(city=city, name=name, name_en=name_en, slug=slug)
    if mountain_since:
        MountainCountyMembership.objects.create(county=county, since=mountain_since, until=mountain_until)
    return county


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"分类{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


def _png(title, color, size=(64, 64)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "PNG")
    return ImageFile(buffer, name=f"{title}.png")


class ImageFactory(wagtail_factories.ImageFactory):
    """A small PNG in the root collection."""

    class Params:
        color = "orange"

    title = "product"
    file = factory.LazyAttribute(lambda image: _png(image.title, image.color))


def make_image(title="product", color="orange"):
    return ImageFactory(title=title, color=color)


class VendorPageFactory(wagtail_factories.PageFactory):
    """An approved vendor page; give `parent` (the market, a VendorIndexPage) and `county`."""

    class Meta:
        model = VendorPage

    title = factory.Sequence(lambda n: f"商家{n}")
    slug = ""  # Wagtail makes a unique one from the (Chinese) title
    uscc = factory.LazyFunction(make_uscc)
    approval_status = VendorPage.Approval.APPROVED


class ProductPageFactory(wagtail_factories.PageFactory):
    """A product page under `parent` (its vendor) with `category`; see make_product for images, tiers and stock."""

    class Meta:
        model = ProductPage

    title = factory.Sequence(lambda n: f"商品{n}")
    slug = ""
    unit_price = Decimal("10.00")


def make_vendor(market, title, county, approved=True, **fields):
    approval = VendorPage.Approval.APPROVED if approved else VendorPage.Approval.PENDING
    return VendorPageFactory(parent=market, title=title, county=county, approval_status=approval, **fields)


def make_product(vendor, title, price, *, category, stock=100, tiers=(), marks=(), image=True, **fields):
    """A product page under `vendor`: one image (unless image=False), tier prices as (min_quantity, price)
    pairs, marks, and — when it tracks stock — its first stock record with `stock` units."""
    product = ProductPageFactory.build(title=title, unit_price=Decimal(price), category=category, **fields)
    if image:
        product.images = [ProductImage(image=make_image(title))]
    product.tier_prices = [ProductTierPrice(min_quantity=q, unit_price=Decimal(p)) for q, p in tiers]
    vendor.add_child(instance=product)
    if marks:
        product.marks.set(marks)
        product.save()
    if product.track_stock:
        # A new product's first stock record (nothing can hold any of it yet); later changes go through
        # marketplace.services.stock.set_stock or the checkout service.
        ProductStock.objects.create(product=product, quantity=stock)
    return product
