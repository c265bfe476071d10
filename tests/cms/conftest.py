"""Pages, images and site settings for the cms view and template tests."""

import datetime

import pytest
from wagtail.models import Site
from wagtail.rich_text import RichText

from cms.models import CampaignPage, FooterLink, NewsArticlePage, NewsIndexPage, SiteSettings, StandardPage
from tests.factories.content import body, make_photo


@pytest.fixture
def image(db):
    return make_photo(description="衢州柑橘园的秋天")


@pytest.fixture
def site_settings(home_page):
    site = Site.objects.get(is_default_site=True)
    settings = SiteSettings.for_site(site)
    settings.site_name = "山海集市"
    settings.site_name_en = "Shanhai Market"
    settings.tagline = "山海协作 · 百县千碗"
    settings.contact_phone = "0570-1234567"
    settings.contact_email = "hello@shanhai.example"
    settings.address = "浙江省衢州市柯城区"
    settings.footer_text = "浙江省山海协作消费帮扶平台"
    settings.icp_number = "浙ICP备12345678号-1"
    settings.public_security_number = "浙公网安备33080202000123号"
    settings.save()
    FooterLink.objects.create(settings=settings, label="关于我们", url="https://shanhai.example/about/", sort_order=0)
    return settings


@pytest.fixture
def news_index(home_page):
    index = home_page.add_child(instance=NewsIndexPage(title="新闻", slug="news", show_in_menus=True, intro="最新动态"))
    return index


@pytest.fixture
def add_articles(news_index):
    """Adds `count` published articles, newest last, each a day after the one before."""

    def add(count, start=datetime.date(2025, 3, 1), image=None):
        articles = []
        for number in range(count):
            article = NewsArticlePage(
                title=f"山海协作新闻{number + 1:02d}",
                slug=f"article-{NewsArticlePage.objects.count() + 1}",
                date=start + datetime.timedelta(days=number),
                source="衢州市商务局",
                summary=f"第{number + 1}条新闻摘要",
                image=image,
                body=body(f"新闻正文{number + 1}"),
            )
            news_index.add_child(instance=article)
            articles.append(article)
        return articles

    return add


@pytest.fixture
def add_menu_pages(home_page):
    """Adds `count` published standard pages shown in the main menu."""

    def add(count):
        pages = []
        for _ in range(count):
            number = StandardPage.objects.count() + 1
            pages.append(
                home_page.add_child(
                    instance=StandardPage(
                        title=f"栏目{number}", slug=f"section-{number}", show_in_menus=True, body=body()
                    )
                )
            )
        return pages

    return add


@pytest.fixture
def standard_page(home_page):
    return home_page.add_child(
        instance=StandardPage(
            title="关于山海协作",
            slug="about",
            intro="山区海岛县与沿海发达县结对帮扶。",
            show_in_menus=True,
            search_description="山海协作工程简介",
            body=[
                ("heading", {"text": "结对关系", "level": "h2"}),
                ("paragraph", RichText("<p>龙游县与鄞州区结对。</p>")),
                ("quote", {"text": "山海协作，共同富裕。", "attribution": "浙江省发展改革委"}),
                ("facts", {"facts": [{"figure": "26", "label": "山区县"}, {"figure": "60", "label": "展位"}]}),
                ("call_to_action", {"label": "了解更多", "page": None, "url": "https://example.com/more"}),
            ],
        )
    )


@pytest.fixture
def campaign(home_page):
    return home_page.add_child(
        instance=CampaignPage(
            title="百县千碗·衢州味道",
            slug="baixian-qianwan",
            kind=CampaignPage.Kind.BAIXIAN_QIANWAN,
            subtitle="衢州有礼，百县千碗",
            start_date=datetime.date(2025, 5, 1),
            end_date=datetime.date(2025, 10, 31),
            body=body("活动介绍"),
        )
    )
