"""Product and vendor cards written by marketplace.cards are the markup of the templates they replaced, byte for byte.

The templates as they were (marketplace/cards/product_card_body.html and vendor_card.html before the cards moved to
Python) are kept in tests/marketplace/data/ and rendered here with the full pages, as listings loaded them; the new
cards are written from those pages (`from_page`, the listings) and from the search's narrow values
(`catalogue.product_cards` / `vendor_cards`), in Chinese and English, with pictures, marks, reviews and sales, a
minimum order, canteen-only tier prices, sold-out, low and untracked stock, text to escape and a long tagline.
"""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import Context, Engine, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from marketplace import cards, catalogue
from marketplace.models import ProductPage, ProductStats, VendorPage
from marketplace.templatetags.market_tags import highlight
from tests.factories.catalogue import make_image

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def old_template(name):
    return Template((DATA / name).read_text(), engine=Engine.get_default())


@pytest.fixture
def shelf(make_vendor, make_product, changshan, kecheng, marks):
    coop = make_vendor(
        "常山胡柚合作社",
        changshan,
        name_en="Changshan Tangelo Co-op",
        tagline="山里的胡柚" * 20,
        tagline_en="Tangelos from the hills & <valleys>, picked by hand " * 3,
        logo=make_image("logo"),
        kind=VendorPage.Kind.RESTAURANT,
        store_tier=VendorPage.StoreTier.FLAGSHIP,
    )
    shao = make_vendor("邵永丰食品 & <Co>", kecheng)
    all_marks = list(marks.values())
    products = [
        make_product(coop, "常山胡柚", "58.00", name_en="Changshan tangelo", marks=all_marks[:2], stock=500),
        make_product(coop, "胡柚膏 <罐装> & 蜂蜜", "39.00", image=False, stock=0, min_order_quantity=2),
        make_product(shao, "胡柚麻饼", "1280.50", name_en="Tangelo sesame cake", track_stock=False, marks=all_marks),
        make_product(
            shao,
            "食堂胡柚",
            "20.00",
            audience=ProductPage.Audience.CANTEENS,
            tiers=[(20, "18.00"), (50, "16.50")],
            min_order_quantity=10,
            unit="箱",
            stock=25,
            origin_county=changshan,
        ),
    ]
    ProductStats.objects.create(product=products[0], review_count=3, rating_total=13, sold_count=1234)
    ProductStats.objects.create(product=products[2], review_count=1, rating_total=5, sold_count=0)
    return {"products": products, "vendors": [coop, shao]}


@pytest.fixture
def request_(shelf):
    return RequestFactory().get("/", HTTP_HOST="localhost")  # the default site's host (tests/conftest.py)


def old_product_card(page, request, query, heading_level=3):
    html = old_template("product_card_before.html").render(
        Context(
            {
                "page": page,
                "request": request,
                "heading_level": heading_level,
                "title_slot": highlight(page.display_name, query),
            }
        )
    )
    return html + "\n"  # marketplace/cards/product_card.html's own newline


def old_vendor_card(page, request, heading_level=None):
    context = {"page": page, "request": request}
    if heading_level:
        context["heading_level"] = heading_level
    return old_template("vendor_card_before.html").render(Context(context))


def render(source, request, **context):
    return Template("{% load market_tags %}" + source).render(Context({"request": request, **context}))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_product_cards_are_the_old_templates_markup(request_, shelf, language):
    ids = [p.pk for p in shelf["products"]]
    with translation.override(language):
        pages = list(catalogue.visible_products(None).filter(pk__in=ids))
        pages += list(ProductPage.objects.filter(pk=ids[3]).for_listing())  # canteen-only: not public
        pages = sorted(pages, key=lambda p: ids.index(p.pk))
        for query in ("", "胡柚", "tangelo 麻饼"):
            expected = [old_product_card(page, request_, query) for page in pages]
            from_pages = [render("{% product_card page %}\n", request_, page=page, query=query) for page in pages]
            from_values = catalogue.product_cards(ids)
            items = render("{% product_card_items cards %}", request_, cards=from_values, query=query)
            assert from_pages == expected
            assert items == "".join(f"<li>{card}</li>" for card in expected)
        listing = render("{% product_card_items cards heading_level=2 %}", request_, cards=pages)
        assert listing == "".join(f"<li>{old_product_card(page, request_, '', 2)}</li>" for page in pages)
    html = "".join(expected)
    assert html.count("<picture") == 3 and "stock--sold_out" in html and "stock--untracked" in html
    assert "stock--low" in html and "stock--in_stock" in html and "review-summary__sold" in html
    assert "&lt;罐装&gt; &amp;" in html and "mark--" in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_vendor_cards_are_the_old_templates_markup(request_, shelf, language):
    ids = [v.pk for v in shelf["vendors"]]
    with translation.override(language):
        pages = sorted(catalogue.visible_vendors().filter(pk__in=ids), key=lambda v: ids.index(v.pk))
        expected = [old_vendor_card(page, request_) for page in pages]
        included = '{% include "marketplace/cards/vendor_card.html" %}'
        assert [render(included, request_, page=page) for page in pages] == expected
        items = render("{% vendor_card_items cards %}", request_, cards=catalogue.vendor_cards(ids))
        assert items == "".join(f"<li>{card}</li>" for card in expected)
        listing = render("{% vendor_card_items cards heading_level=2 %}", request_, cards=pages)
        assert listing == "".join(f"<li>{old_vendor_card(page, request_, 2)}</li>" for page in pages)
    assert "<picture" in expected[0] and "&amp; &lt;Co&gt;" in expected[1]


def test_cards_from_values_cost_one_query_each_and_pictures_one_cache_read(request_, shelf):
    product_ids = [p.pk for p in shelf["products"]]
    vendor_ids = [v.pk for v in shelf["vendors"]]
    both = "{% product_card_items products %}{% vendor_card_items vendors %}"
    # Drawn once (the renditions made, the pictures' markup and the marks kept).
    render(both, request_, products=catalogue.product_cards(product_ids), vendors=catalogue.vendor_cards(vendor_ids))
    with CaptureQueriesContext(connection) as loading:
        products = catalogue.product_cards(product_ids)
        vendors = catalogue.vendor_cards(vendor_ids)
    with CaptureQueriesContext(connection) as kept:
        html = render(both, request_, products=products, vendors=vendors)
    # No picture kept: the images and their card renditions in two queries a list, whatever the number of cards.
    cache.clear()
    with CaptureQueriesContext(connection) as drawn:
        assert render(both, request_, products=products, vendors=vendors) == html
    assert len(loading) == 2, [q["sql"][:100] for q in loading.captured_queries]
    assert not kept.captured_queries and len(drawn) == 4, [q["sql"][:150] for q in drawn.captured_queries]
    assert [card.pk for card in products] == product_ids and [card.pk for card in vendors] == vendor_ids


def test_page_urls_are_pageurls(request_, shelf):
    from wagtail.templatetags.wagtailcore_tags import pageurl

    pages = [*shelf["products"], *shelf["vendors"]]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            urls = cards.PageUrls(request_)
            assert [urls(p.url_path) for p in pages] == [pageurl({"request": request_}, p) for p in pages]
    assert cards.PageUrls(request_)("/nowhere/") == "None"
