"""Search that does not grow with the catalogue: RUM candidates on PostgreSQL (newest first, stopping after the
bound), the ranking kept in the cache, and the search page's results section kept like a cached page."""

import importlib
import os
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from cms import search
from marketplace import catalogue

pytestmark = pytest.mark.django_db

NAMES = ["常山胡柚", "胡柚膏", "胡柚茶", "胡柚干", "胡柚酱", "胡柚片"]
migration = importlib.import_module("cms.migrations.0010_search_rum_indexes")


@pytest.fixture
def shelf(make_vendor, make_product, changshan, kecheng):
    coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng)
    old_cake = make_product(shao, "衢州麻饼", "20.00", description="<p>胡柚味。</p>", image=False)
    named = [make_product(coop, name, "10.00", name_en=f"Tangelo {i}", image=False) for i, name in enumerate(NAMES)]
    # The newest match is a description-only one: names must still come first.
    cake = make_product(shao, "邵永丰麻饼", "30.00", description="<p>配一杯胡柚茶最好。</p>", image=False)
    return {"named": named, "cake": cake, "old_cake": old_cake, "coop": coop}


def ranking(query="胡柚"):
    results = catalogue.search(query)["products"]
    return [p.title for p in results], results.count(), bool(results.capped)


def rum_ready():
    search._rum_ready.clear()
    return search.rum_indexes_ready("default")


def without_rum():
    search._rum_ready[("default", connection.settings_dict["NAME"])] = False


@pytest.fixture
def needs_rum():
    if not rum_ready():
        if os.environ.get("CI"):
            pytest.fail("the rum extension is missing (.ci/apt-ensure postgresql-15-rum)")
        pytest.skip("PostgreSQL without the rum extension: search takes the GIN path")
    yield
    search._rum_ready.clear()


@pytest.mark.postgresql_database
def test_candidates_come_from_the_rum_index_newest_first(shelf, needs_rum, monkeypatch):
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 3)
    with CaptureQueriesContext(connection) as ctx:
        titles, count, capped = ranking()
    assert set(titles) == set(NAMES[-3:]) and (count, capped) == (3, True)
    (candidates,) = [q["sql"] for q in ctx.captured_queries if "cms_names" in q["sql"]]
    with connection.cursor() as cursor:
        # A tiny table would be scanned (by content type) and sorted anyway.
        cursor.execute("SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off")
        cursor.execute("EXPLAIN " + candidates)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan; RESET enable_bitmapscan; RESET enable_sort")
    assert "Index Scan using cms_search_names_rum" in plan, plan


@pytest.mark.postgresql_database
@pytest.mark.parametrize("bound", [3, 6, 7, 100])
def test_rum_and_gin_paths_rank_alike(shelf, needs_rum, monkeypatch, bound):
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", bound)
    with_rum = ranking()
    cache.clear()
    without_rum()
    with_gin = ranking()
    assert with_rum == with_gin
    if bound == 100:  # every match: names first, the description matches after them
        assert set(with_rum[0][:6]) == set(NAMES) and set(with_rum[0][6:]) == {"邵永丰麻饼", "衢州麻饼"}
        assert with_rum[1:] == (8, False)
    else:
        assert with_rum[1] == min(bound, 8) and with_rum[2]


@pytest.mark.postgresql_database
def test_the_ranking_is_kept_until_a_publish(shelf, make_product, django_capture_on_commit_callbacks):
    first = ranking()
    with CaptureQueriesContext(connection) as ctx:
        assert ranking() == first
    assert not [q for q in ctx.captured_queries if "wagtailsearch_indexentry" in q["sql"]]

    with django_capture_on_commit_callbacks(execute=True):  # the search index is updated after commit
        make_product(shelf["coop"], "胡柚蜜", "15.00", image=False)
    titles, count, _capped = ranking()
    assert "胡柚蜜" in titles and count == first[1] + 1


def test_the_migration_adds_nothing_without_rum(monkeypatch):
    executed = []

    class Editor:
        def __init__(self, vendor):
            self.connection = type("Connection", (), {"vendor": vendor})()

        def execute(self, sql, params=None):
            executed.append(sql)

    migration.create(None, Editor("sqlite"))
    monkeypatch.setattr(migration, "rum_available", lambda connection: False)
    migration.create(None, Editor("postgresql"))
    assert executed == []


def test_rum_indexes_exist_only_where_rum_is():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'cms_search_%_rum'")
            assert cursor.fetchall() == []
        else:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
            assert rum_ready() == (cursor.fetchone() is not None)
    search._rum_ready.clear()


# The search page's results section (marketplace.views._search_results), kept like a cached page.
kept = override_settings(PAGE_CACHE_SECONDS=60)


def page(client, query="胡柚", extra="", language=""):
    return client.get(f"{language}/search/?q={quote(query)}{extra}").content.decode()


def catalogue_queries(ctx):
    return [q["sql"] for q in ctx.captured_queries if "marketplace_productpage" in q["sql"]]


@kept
def test_results_are_kept_whatever_other_parameters_the_url_has(client, shelf):
    page(client, query="茶")  # the site's first request makes its settings row (a shell cache bump)
    first = page(client, extra="&_uncached=1")
    with CaptureQueriesContext(connection) as ctx:
        again = page(client, extra="&_uncached=2")  # another URL: a page cache miss
    assert not catalogue_queries(ctx)
    assert "常山<mark>胡柚</mark>" in again and first.count("card__title") == again.count("card__title")


@kept
def test_kept_results_follow_a_publish_and_the_language(
    client, shelf, make_product, django_capture_on_commit_callbacks
):
    page(client, query="茶")
    assert "<mark>胡柚</mark>蜜" not in page(client, extra="&a=1")
    with django_capture_on_commit_callbacks(execute=True):  # the search index is updated after commit
        make_product(shelf["coop"], "胡柚蜜", "15.00", name_en="Tangelo honey", image=False)
    assert "<mark>胡柚</mark>蜜" in page(client, extra="&a=2")
    english = page(client, extra="&a=3", language="/en")
    assert "Tangelo honey" in english and "products found for" in english


def test_pagination_keeps_only_the_query(client, make_vendor, make_product, changshan):
    coop = make_vendor("常山胡柚合作社", changshan)
    for i in range(25):
        make_product(coop, f"胡柚礼盒{i}", "10.00", image=False)
    html = page(client, extra="&utm_source=x")
    assert f"?q={quote('胡柚')}&amp;page=2" in html
    assert "utm_source" not in html.split('<nav class="pagination"')[1]


# Queries of one search page whose results were never ranked nor rendered (an unseen query) with nothing in the cache
# (no restricted paths, marks or pictures kept either: test_query_budgets.py counts a cold search with them), and
# of one whose results are kept (another URL for the same query): none.
COLD = {"sqlite": 15, "postgresql": 12}
KEPT = 0


@kept
def test_search_page_query_budget(client, shelf):
    search._rum_ready.clear()
    page(client, query="茶")  # the process's one-off questions (the RUM check, Wagtail's caches)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        page(client, extra="&b=1")
    with CaptureQueriesContext(connection) as kept_page:
        page(client, extra="&b=2")
    assert (len(cold), len(kept_page)) == (COLD[connection.vendor], KEPT), [q["sql"][:80] for q in kept_page]
