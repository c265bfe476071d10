"""Chinese search: substrings of names without spaces, pinyin and English, ranked name first."""

import pytest
from wagtail.search.backends import get_search_backend

from cms.search import query_terms_for, search_terms_for
from marketplace import catalogue
from marketplace.models import ProductPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(make_vendor, make_product, changshan, kecheng):
    huyou_coop = make_vendor("常山胡柚合作社", changshan)
    shao = make_vendor("邵永丰食品", kecheng)
    return {
        "tangelo": make_product(huyou_coop, "常山胡柚", "58.00", name_en="Changshan tangelo"),
        "paste": make_product(huyou_coop, "胡柚膏", "39.00", name_en="Tangelo paste", category="processed"),
        "cake": make_product(
            shao,
            "邵永丰麻饼",
            "30.00",
            name_en="Shao Yongfeng sesame cake",
            category="snacks",
            description="<p>百年老字号，配一杯胡柚茶最好。</p>",
        ),
        "noodles": make_product(huyou_coop, "常山贡面", "25.00", name_en="Hand-pulled noodles", category="processed"),
    }


def titles(query):
    return [p.title for p in catalogue.search(query)["products"]]


def test_terms_cover_substrings_pinyin_and_english():
    terms = search_terms_for("常山胡柚", "Changshan tangelo").split()
    assert {"胡柚", "常山", "柚", "huyou", "changshanhuyou", "tangelo"} <= set(terms)
    assert query_terms_for("常山胡柚") == "常山 山胡 胡柚"
    assert query_terms_for("胡柚 Tangelo") == "胡柚 tangelo"


def test_a_word_inside_a_name_finds_the_product(shelf):
    assert titles("麻饼") == ["邵永丰麻饼"]


def test_huyou_finds_both_products_with_names_first(shelf):
    found = titles("胡柚")
    assert set(found[:2]) == {"常山胡柚", "胡柚膏"}
    # The sesame cake only mentions 胡柚 in its description, so it ranks after the names.
    assert found[2:] == ["邵永丰麻饼"]


@pytest.mark.parametrize("query", ["huyou", "HuYou", "tangelo", "Tangelo"])
def test_pinyin_and_english_find_the_tangelo(shelf, query):
    assert set(titles(query)) == {"常山胡柚", "胡柚膏"}


def test_the_whole_name_finds_only_that_product(shelf):
    assert titles("常山胡柚") == ["常山胡柚"]


def test_nothing_found(shelf):
    assert titles("龙井") == []


def test_search_respects_visibility(shelf, make_vendor, make_product, changshan):
    hidden_vendor = make_vendor("未审核胡柚社", changshan, approved=False)
    make_product(hidden_vendor, "胡柚干", "20.00")
    shelf["paste"].available = False
    shelf["paste"].save_revision().publish()
    assert set(titles("胡柚")) == {"常山胡柚", "邵永丰麻饼"}


def test_the_backend_itself_is_chinese_aware(shelf):
    # Wagtail's API and admin call the backend directly with the raw query.
    found = get_search_backend().search("胡柚", ProductPage.objects.live())
    assert {"常山胡柚", "胡柚膏"} <= {p.title for p in found}


def test_search_page_highlights_and_lists(client, shelf):
    response = client.get("/search/", {"q": "胡柚"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>胡柚</mark>膏" in html
    assert "常山<mark>胡柚</mark>" in html
    assert html.index("胡柚</mark>膏") < html.index("邵永丰麻饼")


def test_two_words_find_what_has_both(shelf, make_product, make_vendor, changshan):
    gift = make_product(make_vendor("胡柚礼品社", changshan), "常山胡柚", "98.00", pack_size="10斤装礼盒")
    found = catalogue.search("胡柚 礼盒")
    assert [p.pk for p in found["products"]] == [gift.pk]
    assert found["any_word"] is False


def test_two_words_with_no_page_having_both_fall_back_to_either(shelf):
    found = catalogue.search("麻饼 贡面")
    assert found["any_word"] is True
    assert {p.title for p in found["products"]} == {"邵永丰麻饼", "常山贡面"}


def test_one_word_never_falls_back(shelf):
    assert catalogue.search("龙井")["any_word"] is False


def test_english_words_in_english_texts_find_the_product(shelf):
    cake = shelf["cake"]
    cake.summary_en = "A century-old bakery's hand-made biscuit"
    cake.save_revision().publish()
    assert titles("biscuit") == ["邵永丰麻饼"]


def test_search_page_says_when_it_shows_any_word(client, shelf):
    html = client.get("/en/search/", {"q": "麻饼 贡面"}).content.decode()
    assert "No product matches all the words" in html
    assert "Shao Yongfeng sesame cake" in html and "Hand-pulled noodles" in html


def test_empty_search_page(client, shelf):
    response = client.get("/search/")
    assert response.status_code == 200
    assert response.context["products"] is None


def test_postgresql_search_uses_an_index_for_title_and_body(shelf):
    # Wagtail's PostgreSQL backend matches `title || body`; without cms' expression index every search
    # scans the whole index table. SQLite searches its FTS5 table and gets no such index.
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")  # a tiny table would be scanned anyway
            cursor.execute(
                "EXPLAIN SELECT id FROM wagtailsearch_indexentry WHERE (title || body) @@ to_tsquery('胡柚')"
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
            assert "cms_search_title_body_gin" in plan
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'cms_search_title_body_gin'")
            assert cursor.fetchall() == []
    assert {"常山胡柚", "胡柚膏"} <= set(titles("胡柚"))
