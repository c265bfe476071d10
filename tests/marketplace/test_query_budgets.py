"""Query budgets: each catalogue page and API endpoint costs a fixed number of queries, whatever the data.

Every case is counted with 3 products and again with 30 (and more vendors, marks, tiers and images), on a
warm request (the first views fill Wagtail's site-root and rendition caches and ours). A lower number
after an optimisation is welcome: update the budget. A higher one is a finding.
"""

import pytest
from django.db import connection

from tests.support.queries import warm_count

pytestmark = pytest.mark.django_db

API_FIELDS = "unit_price,unit,stock_state,county_info,marks_info,vendor_info,cover_thumbnail,tier_price_list"

BUDGETS = {
    # The listings are Django views under the market page (marketplace/urls.py): no walk down the page tree.
    "listing": ("/market/products/", 6),
    "listing filtered": ("/market/products/?county=changshan&mark=gi&in_stock=on&sort=price", 6),
    "listing page 2": ("/market/products/?page=2", 6),
    "county": ("/market/county/changshan/", 11),
    # SQLite ranks in two flat queries of its own; PostgreSQL ranks a bounded set of candidates (with their scores
    # and whether they are admitted, one query) and keeps the ranking in the cache (cms.search.RANKING_CACHE_SECONDS),
    # so a warm search only loads the cards' values by id, one query for products and one for vendors (the count,
    # the restricted paths, the marks and the pictures come from the cache). A cold search: below.
    "search": ("/search/?q=胡柚", {"sqlite": 7, "postgresql": 2}),
    "product": (None, 9),
    "home": ("/", 9),
    # Totals and the sitemap sections' counts and latest dates are counted once per publish (shell_cache.count).
    "API product list": (f"/api/v2/pages/?type=marketplace.ProductPage&fields={API_FIELDS}", 7),
    "sitemap index": ("/sitemap.xml", 2),
    "sitemap pages": ("/sitemap-pages.xml", 5),
    "sitemap products": ("/sitemap-products.xml", 2),
}


@pytest.fixture
def catalogue(home_page, make_vendor, make_product, changshan, kecheng, marks):
    """Grows from 3 products to 30 (`grow()`), with a featured section on the home page."""
    coop = make_vendor("常山胡柚合作社", changshan)
    first = [
        make_product(coop, "常山胡柚", "58.00", marks=[marks["gi"]], tiers=[(10, "52.00")]),
        make_product(coop, "胡柚膏", "39.00", category="processed"),
        make_product(coop, "胡柚干", "25.00", stock=0),
    ]
    home_page.sections = [("featured", {"heading": "精选", "pages": first, "more_link": None})]
    home_page.save_revision().publish()

    def grow():
        others = [make_vendor(f"柯城商家{i}", kecheng if i % 2 else changshan) for i in range(3)]
        for i in range(27):
            make_product(
                others[i % 3],
                f"胡柚礼盒{i}",
                f"{20 + i}.00",
                image=i % 3 == 0,
                marks=list(marks.values())[: 1 + i % 3],
                tiers=[(10, "15.00")] if i % 2 else (),
                stock=i % 4 * 5,
            )

    return {"product": first[0], "grow": grow}


def test_each_page_costs_the_same_with_3_and_30_products(client, catalogue, monkeypatch):
    paths = {name: path or catalogue["product"].url for name, (path, _budget) in BUDGETS.items()}
    few = {name: warm_count(client, path) for name, path in paths.items()}
    catalogue["grow"]()
    many = {name: warm_count(client, path) for name, path in paths.items()}
    assert many == few
    budgets = {name: budget for name, (_path, budget) in BUDGETS.items()}
    assert many == {name: b[connection.vendor] if isinstance(b, dict) else b for name, b in budgets.items()}


# A search nobody asked (the bench's `search 胡柚 ·cold` row): ranked afresh, no kept ranking or results. PostgreSQL:
# products and vendors each ranked in one query and loaded in one.
COLD_SEARCH_BUDGET = {"sqlite": 7, "postgresql": 4}


def test_a_cold_search_costs_the_same_with_3_and_30_products(client, catalogue, settings):
    from django.test.utils import CaptureQueriesContext

    from marketplace.views import SEARCH_AFRESH_HEADER

    settings.SEARCH_AFRESH_HEADER = True

    def cold_count():
        for _ in range(2):  # Wagtail's and our caches (site, restricted paths, marks, pictures)
            client.get("/search/?q=胡柚", headers={SEARCH_AFRESH_HEADER: "1"})
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/search/?q=胡柚", headers={SEARCH_AFRESH_HEADER: "1"}).content.decode()
        assert "<mark>胡柚</mark>" in html
        return len(queries)

    few = cold_count()
    catalogue["grow"]()
    assert cold_count() == few == COLD_SEARCH_BUDGET[connection.vendor]


def test_sitemap_pages_cost_the_same_and_the_index_lists_each(client, catalogue, monkeypatch):
    from config.urls import ProductSitemap

    catalogue["grow"]()
    monkeypatch.setattr(ProductSitemap, "limit", 10)
    index = client.get("/sitemap.xml").content.decode()
    for page in (2, 3):
        assert f"/sitemap-products.xml?p={page}</loc>" in index
    assert "/sitemap-products.xml?p=4<" not in index
    counts = {page: warm_count(client, f"/sitemap-products.xml?p={page}") for page in (1, 2, 3)}
    assert set(counts.values()) == {2}, counts
    assert client.get("/sitemap-products.xml?p=4").status_code == 404
