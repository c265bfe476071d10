"""The search page's cards: loaded by id with only what a card shows (the same HTML as from the full rows, no query
while rendering), one kept product card for the listings and every search (the name highlighted for each), and the
bench's cold-search header honoured only where the bench's settings allow it."""

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation

from marketplace import catalogue
from marketplace.templatetags import market_tags
from marketplace.views import SEARCH_AFRESH_HEADER

pytestmark = pytest.mark.django_db

PRODUCT_CARD = Template("{% load market_tags %}{% product_card page %}")
VENDOR_CARD = Template('{% include "marketplace/cards/vendor_card.html" %}')


@pytest.fixture
def shelf(make_vendor, make_product, changshan, kecheng, marks):
    coop = make_vendor("常山胡柚合作社", changshan, name_en="Changshan Tangelo Co-op", tagline="山里的胡柚")
    shao = make_vendor("邵永丰食品", kecheng)
    products = [
        make_product(coop, "常山胡柚", "58.00", name_en="Changshan tangelo", marks=list(marks.values())[:2], stock=5),
        make_product(coop, "胡柚膏", "39.00", image=False, stock=0, min_order_quantity=2),
        make_product(shao, "胡柚麻饼", "30.00", name_en="Tangelo sesame cake", track_stock=False),
    ]
    return {"products": products, "vendors": [coop, shao]}


def render(template, request, **context):
    return template.render(Context({"request": request, **context}))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_cards_loaded_by_id_are_the_full_rows_cards_without_a_query(rf_request, shelf, language):
    product_ids = [p.pk for p in reversed(shelf["products"])]
    vendor_ids = [v.pk for v in shelf["vendors"]]
    full_products = {p.pk: p for p in catalogue.visible_products().filter(pk__in=product_ids)}
    full_vendors = {v.pk: v for v in catalogue.visible_vendors().filter(pk__in=vendor_ids)}
    with translation.override(language):
        # Rendered afresh (not from the kept cards): the full rows first, which also makes the renditions.
        expected = [
            render(PRODUCT_CARD, rf_request, page=full_products[pk], query="胡柚", cards_afresh=True)
            for pk in product_ids
        ]
        expected_vendors = [render(VENDOR_CARD, rf_request, page=full_vendors[pk]) for pk in vendor_ids]
        cache.clear()  # no kept pictures either: the card's renditions must come with the rows
        with CaptureQueriesContext(connection) as loading:
            products = catalogue.product_cards(product_ids)
            vendors = catalogue.vendor_cards(vendor_ids)
        with CaptureQueriesContext(connection) as rendering:
            cards = [render(PRODUCT_CARD, rf_request, page=p, query="胡柚", cards_afresh=True) for p in products]
            vendor_cards = [render(VENDOR_CARD, rf_request, page=v) for v in vendors]
    assert [p.pk for p in products] == product_ids and [v.pk for v in vendors] == vendor_ids
    assert cards == expected and vendor_cards == expected_vendors
    assert "<mark>胡柚</mark>" in "".join(cards)
    # Products, their marks, the covers' card renditions; vendors (none has a logo: no renditions to load).
    assert len(loading) == 4
    assert not rendering.captured_queries, [q["sql"][:120] for q in rendering.captured_queries]


def test_one_kept_card_serves_the_listing_and_every_search(rf_request, shelf, monkeypatch):
    product = catalogue.product_cards([shelf["products"][0].pk])[0]
    rendered = []
    real_get_template = market_tags.get_template
    monkeypatch.setattr(market_tags, "get_template", lambda name: rendered.append(name) or real_get_template(name))
    listing = render(PRODUCT_CARD, rf_request, page=product)
    one = render(PRODUCT_CARD, rf_request, page=product, query="胡柚")
    other = render(PRODUCT_CARD, rf_request, page=product, query="常山")
    assert len(rendered) == 1
    assert ">常山胡柚</a>" in listing and ">常山<mark>胡柚</mark></a>" in one and "><mark>常山</mark>胡柚</a>" in other
    assert market_tags.TITLE_SLOT not in listing + one + other


@pytest.fixture
def rf_request(shelf):
    return RequestFactory().get("/", HTTP_HOST="localhost")  # the default site's host (tests/conftest.py)


def search_page(client, extra="", headers=None):
    return client.get(f"/search/?q={quote('胡柚')}{extra}", headers=headers or {}).content.decode()


def catalogue_queries(ctx):
    return [q["sql"] for q in ctx.captured_queries if "marketplace_productpage" in q["sql"]]


@override_settings(PAGE_CACHE_SECONDS=60)
def test_the_bench_header_ranks_afresh_only_under_the_bench_settings(client, shelf):
    client.get(f"/search/?q={quote('茶')}")  # the site's first request makes its settings row (a shell cache bump)
    search_page(client, extra="&a=0")  # ranked, rendered and kept
    afresh = {SEARCH_AFRESH_HEADER: "1"}
    with CaptureQueriesContext(connection) as ignored:
        search_page(client, extra="&a=1", headers=afresh)
    # Nested inside the decorator's override (pytest-django's `settings` would restore the outer one on teardown).
    with override_settings(SEARCH_AFRESH_HEADER=True), CaptureQueriesContext(connection) as honoured:
        html = search_page(client, extra="&a=2", headers=afresh)
    with CaptureQueriesContext(connection) as without_header:
        search_page(client, extra="&a=3")
    assert not catalogue_queries(ignored) and not catalogue_queries(without_header)
    assert catalogue_queries(honoured) and "常山<mark>胡柚</mark>" in html
    assert html.count("card__title") == 4  # 3 products, 1 vendor
