"""Search, the content API and the sitemap index at catalogue scale: their cost does not follow the number of
products. On PostgreSQL search ranks a bounded set of candidates (cms.search.SEARCH_CANDIDATES: names first,
newest first), API totals and the sitemap index are counted once per publish (cms.shell_cache.count)."""

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms import search
from cms.search import query_terms_for
from marketplace import catalogue
from marketplace.models import ProductPage

pytestmark = pytest.mark.django_db

NAMES = ["常山胡柚", "胡柚膏", "胡柚茶", "胡柚干", "胡柚酱", "胡柚片"]


@pytest.fixture
def shelf(make_vendor, make_product, changshan, kecheng):
    coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng)
    # The description-only match is the newest: names must still come first.
    named = [make_product(coop, name, "10.00", image=False) for name in NAMES]
    cake = make_product(shao, "邵永丰麻饼", "30.00", description="<p>配一杯胡柚茶最好。</p>", image=False)
    return {"named": named, "cake": cake}


def titles(query, **kwargs):
    return [p.title for p in catalogue.search(query, **kwargs)["products"]]


# Bounded ranking is PostgreSQL's: these run in the PostgreSQL run of `make test` (deselected on SQLite).
needs_postgres = pytest.mark.postgresql_database


@needs_postgres
def test_within_the_cap_the_order_and_count_are_wagtails_own(shelf, monkeypatch):
    from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend

    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 100)
    vendor = PostgresSearchBackend({})
    expected = [p.title for p in vendor.search(query_terms_for("胡柚"), catalogue.visible_products(), operator="and")]
    results = catalogue.search("胡柚")

    assert [p.title for p in results["products"]] == expected
    assert expected[-1] == "邵永丰麻饼" and set(expected[:-1]) == set(NAMES)
    assert results["products"].count() == len(NAMES) + 1 and not results["capped"]
    # Pagination slices the same order.
    assert [p.title for p in results["products"][2:5]] == expected[2:5]


@needs_postgres
def test_beyond_the_cap_the_newest_name_matches_are_ranked_and_counted(shelf, monkeypatch):
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 3)
    results = catalogue.search("胡柚")

    assert {p.title for p in results["products"]} == set(NAMES[-3:])
    assert results["products"].count() == 3 and results["capped"]


@needs_postgres
def test_the_search_page_says_when_more_matched_than_were_ranked(client, shelf, monkeypatch):
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 3)
    page = client.get("/en/search/?q=" + quote("胡柚")).content.decode()
    assert "More products match" in page

    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 100)
    assert "More products match" not in client.get("/en/search/?q=" + quote("胡柚")).content.decode()


def test_chinese_search_finds_the_same_products(shelf):
    assert set(titles("胡柚")) == {*NAMES, "邵永丰麻饼"}
    assert titles("胡柚")[-1] == "邵永丰麻饼"
    assert titles("胡柚膏") == ["胡柚膏"]
    assert set(titles("huyou")) == set(NAMES)


def counts(ctx):
    return [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper() or "MAX(" in q["sql"].upper()]


API = "/api/v2/pages/?type=marketplace.ProductPage&fields=unit_price"


def test_api_total_is_counted_once_per_publish(client, shelf, make_product):
    first = client.get(API).json()
    assert first["meta"]["total_count"] == len(NAMES) + 1
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(API).json()
    assert again == first and not counts(ctx)

    # Publishing a product renews it at once.
    make_product(shelf["cake"].vendor, "胡柚糖", "12.00", image=False)
    assert client.get(API).json()["meta"]["total_count"] == len(NAMES) + 2


def test_api_list_of_one_type_pages_in_tree_order_with_offsets(client, shelf):
    everything = [item["id"] for item in client.get(API + "&limit=20").json()["items"]]
    assert everything == list(ProductPage.objects.live().order_by("path").values_list("pk", flat=True))
    assert [item["id"] for item in client.get(API + "&limit=2&offset=2").json()["items"]] == everything[2:4]


def test_api_still_hides_unpublished_products(client, shelf):
    shelf["named"][0].unpublish()
    body = client.get(API).json()
    assert body["meta"]["total_count"] == len(NAMES)
    assert shelf["named"][0].pk not in [item["id"] for item in body["items"]]


def test_sitemap_index_counts_once_per_publish(client, shelf, make_product):
    assert client.get("/sitemap.xml").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/sitemap.xml").status_code == 200
    assert not counts(ctx)

    make_product(shelf["cake"].vendor, "胡柚糖", "12.00", image=False)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/sitemap.xml").status_code == 200
    assert counts(ctx)  # counted again after the publish
    assert "%E8%83%A1%E6%9F%9A%E7%B3%96" in client.get("/sitemap-products.xml").content.decode()
