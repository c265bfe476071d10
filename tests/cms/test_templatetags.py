"""cms_tags: money, languages, menu, sharing image, page lists and the picture include."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation
from wagtail.models import Site

from cms.templatetags.cms_tags import (
    cny,
    date_range_status,
    html_lang,
    language_links,
    live_specific,
    main_menu,
    og_image,
    og_locale,
    site_name,
)
from tests.factories.content import make_photo


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1280"), "¥1,280.00"),
        (Decimal("1280.5"), "¥1,280.50"),
        (1280, "¥1,280.00"),
        (0, "¥0.00"),
        ("12.5", "¥12.50"),
        (Decimal("-12.5"), "-¥12.50"),
        ("-12.50", "-¥12.50"),
        (Decimal("1234567.891"), "¥1,234,567.89"),
        (Decimal("0.005"), "¥0.01"),  # half up, not banker's rounding
        (Decimal("2.675"), "¥2.68"),
        (Decimal("0.125"), "¥0.13"),
        (Decimal("-0.125"), "-¥0.13"),
        (Decimal("-0.001"), "¥0.00"),  # rounds to zero: no minus sign
        (2.675, "¥2.68"),  # a float is read as the decimal it prints as
        (None, ""),
        ("", ""),
    ],
)
def test_cny(value, expected):
    assert cny(value) == expected


def test_cny_leaves_non_numbers_alone():
    assert cny("面议") == "面议"
    not_a_number = Decimal("NaN")
    assert cny(not_a_number) is not_a_number


def test_cny_in_a_template():
    rendered = Template("{% load cms_tags %}{{ price|cny }}|{{ missing|cny }}").render(
        Context({"price": Decimal("98000")})
    )
    assert rendered == "¥98,000.00|"


def test_html_lang_and_og_locale():
    assert html_lang("zh-hans") == "zh-Hans"
    assert html_lang("en") == "en"
    assert og_locale("zh-hans") == "zh_CN"
    assert og_locale("en") == "en_US"


def test_language_links_point_at_the_same_page_in_each_language(db):
    request = RequestFactory().get("/news/article-1/?page=2")
    with translation.override("zh-hans"):
        links = language_links({"request": request})
    assert links == [
        ("zh-hans", "简体中文", "/news/article-1/?page=2", True),
        ("en", "English", "/en/news/article-1/?page=2", False),
    ]

    request = RequestFactory().get("/en/")
    with translation.override("en"):
        links = language_links({"request": request})
    assert links == [("zh-hans", "简体中文", "/", False), ("en", "English", "/en/", True)]


def test_site_name_follows_language(db):
    class Settings:
        site_name = "山海集市"
        site_name_en = "Shanhai Market"

    assert site_name(Settings(), "zh-hans") == "山海集市"
    assert site_name(Settings(), "en") == "Shanhai Market"
    Settings.site_name_en = ""
    assert site_name(Settings(), "en") == "山海集市"


def test_main_menu_is_one_query_and_marks_the_current_section(
    home_page, add_menu_pages, news_index, django_assert_num_queries
):
    first, hidden, second = add_menu_pages(3)
    hidden.show_in_menus = False
    hidden.save()
    request = RequestFactory().get("/news/article-1/")
    Site.find_for_request(request)  # the site lookup is shared with the rest of the page
    Site.get_site_root_paths()  # cached by Wagtail for every page URL

    with translation.override("zh-hans"), django_assert_num_queries(1):
        items = main_menu({"request": request})

    # Tree order: the news index fixture was made before the menu pages.
    assert [(i["title"], i["url"]) for i in items] == [
        ("新闻", "/news/"),
        ("栏目1", "/section-1/"),
        ("栏目3", "/section-3/"),
    ]
    news = items[0]
    assert news["in_section"] is True and news["is_current"] is False
    assert not any(i["in_section"] for i in items[1:])


def test_main_menu_in_english_shows_english_names_falling_back_to_chinese(home_page, add_menu_pages):
    first, second = add_menu_pages(2)
    first.name_en = "Section one"
    first.save()
    request = RequestFactory().get("/en/")
    with translation.override("en"):
        items = main_menu({"request": request})
    assert [i["title"] for i in items] == ["Section one", "栏目2"]


def test_main_menu_without_request_is_empty():
    assert main_menu({}) == []


def test_live_specific_keeps_order_and_drops_unpublished(home_page, campaign, standard_page, news_index):
    standard_page.unpublish()
    pages = live_specific([news_index, standard_page, campaign, None])
    assert pages == [news_index, campaign]
    assert type(pages[1]).__name__ == "CampaignPage"
    assert live_specific([campaign.pk]) == [campaign]
    assert live_specific([]) == []


def test_date_range_status():
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    assert date_range_status(today + day, None) == "upcoming"
    assert date_range_status(today, None) == "running"
    assert date_range_status(today - day, today) == "running"
    assert date_range_status(today - 2 * day, today - day) == "ended"


def test_og_image_is_absolute_or_none(home_page, image):
    request = RequestFactory().get("/")
    assert og_image({"request": request}, home_page) is None
    home_page.hero_image = image  # the card image stands in when there is no social image
    shared = og_image({"request": request}, home_page)
    assert shared["url"].startswith("http://testserver/media/images/")
    assert shared["url"].endswith(".jpg")
    assert (shared["width"], shared["height"]) == (1200, 630)
    assert shared["alt"] == "衢州柑橘园的秋天"
    assert og_image({"request": request}, object()) is None


@pytest.mark.django_db
def test_picture_include_offers_modern_formats_and_alt_text():
    described = make_photo(title="茶园", description="开化龙顶茶园")
    rendered = render_to_string("cms/includes/picture.html", {"image": described, "shape": "card"})
    assert rendered.count("<source") == 2
    assert 'type="image/avif"' in rendered and 'type="image/webp"' in rendered
    assert 'alt="开化龙顶茶园"' in rendered
    assert 'loading="lazy"' in rendered
    assert "400w" in rendered and "800w" in rendered

    untitled = make_photo(title="常山胡柚", description="")
    assert 'alt="常山胡柚"' in render_to_string("cms/includes/picture.html", {"image": untitled, "shape": "content"})
    decorative = render_to_string("cms/includes/picture.html", {"image": untitled, "shape": "hero", "alt": ""})
    assert 'alt=""' in decorative and 'fetchpriority="high"' in decorative
    assert render_to_string("cms/includes/picture.html", {"image": None, "shape": "card"}).strip() == ""
