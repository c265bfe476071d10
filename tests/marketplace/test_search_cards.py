"""The bench's cold-search header, honoured only where the bench's settings allow it (the cards themselves:
test_card_markup.py)."""

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from marketplace.views import SEARCH_AFRESH_HEADER

pytestmark = pytest.mark.django_db


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
