"""The site's pages through the Django test client: rendering, languages, sharing tags, errors and query counts."""

import datetime
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from cms import views
from cms.models import CampaignPage, CampaignRelatedPage, FooterLink
from tests.factories.content import body, make_photo

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def template_names(response):
    return [t.name for t in response.templates]


def meta_content(page_html, prop):
    match = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)">', page_html)
    return match.group(1) if match else None


# Home page


def test_home_renders_hero_and_latest_news(client, home_page, add_articles, image):
    home_page.hero_text = "衢州的山货，宁波的餐桌。"
    home_page.hero_image = image
    home_page.hero_link_label = "查看活动"
    home_page.save_revision().publish()
    add_articles(5)

    response = client.get("/")

    assert response.status_code == 200
    assert "cms/home_page.html" in template_names(response)
    content = html(response)
    assert '<h1 id="hero-title" class="hero__title">山海协作，百县千碗</h1>' in content
    assert "衢州的山货，宁波的餐桌。" in content
    # The hero picture offers AVIF and WebP before the JPEG fallback, with the description as alt text.
    hero = re.search(r'<div class="hero__media">(.*?)</div>', content, re.S).group(1)
    assert 'type="image/avif"' in hero and 'type="image/webp"' in hero
    assert 'alt="衢州柑橘园的秋天"' in hero
    # Latest four articles, newest first.
    titles = re.findall(r'<h3 class="card__title"><a href="([^"]+)">([^<]+)</a>', content)
    assert titles == [
        ("/news/article-5/", "山海协作新闻05"),
        ("/news/article-4/", "山海协作新闻04"),
        ("/news/article-3/", "山海协作新闻03"),
        ("/news/article-2/", "山海协作新闻02"),
    ]


def test_home_hero_link_uses_label_or_page_title(client, home_page, campaign):
    home_page.hero_link = campaign
    home_page.save_revision().publish()
    content = html(client.get("/"))
    assert f'<a class="button button--primary" href="/baixian-qianwan/">{campaign.title}</a>' in content

    home_page.hero_link_label = "马上参加"
    home_page.save_revision().publish()
    assert '<a class="button button--primary" href="/baixian-qianwan/">马上参加</a>' in html(client.get("/"))


def test_home_featured_pages_use_each_pages_card_template(client, home_page, campaign, standard_page):
    home_page.sections = [
        ("featured", {"heading": "精选", "pages": [campaign, standard_page], "more_link": standard_page})
    ]
    home_page.save_revision().publish()

    content = html(client.get("/"))

    section = content[content.index("block-featured") :]
    assert '<h2 class="section-title">精选</h2>' in section
    campaign_at = section.index('<article class="card card--campaign">')
    standard_at = section.index('<article class="card">')
    assert campaign_at < standard_at, "cards keep the editor's order"
    assert "衢州有礼，百县千碗" in section  # the campaign card shows its subtitle
    assert "山海工程简介" not in section
    assert 'class="more-link" href="/about/"' in section


def test_featured_pages_skip_unpublished_pages(client, home_page, campaign, standard_page):
    home_page.sections = [("featured", {"heading": "精选", "pages": [campaign, standard_page]})]
    home_page.save_revision().publish()
    standard_page.unpublish()

    content = html(client.get("/"))

    assert 'href="/baixian-qianwan/"' in content
    assert 'href="/about/"' not in content


# Languages


def test_chinese_page_has_chinese_lang_and_switch_to_english(client, home_page):
    content = html(client.get("/"))

    assert '<html lang="zh-Hans">' in content
    assert '<a href="/en/" hreflang="en" lang="en">English</a>' in content
    assert (
        '<a href="/" hreflang="zh-Hans" lang="zh-Hans" aria-current="true" class="is-current">简体中文</a>' in content
    )


def test_english_page_has_english_lang_and_switch_to_chinese(client, home_page, site_settings):
    content = html(client.get("/en/"))

    assert '<html lang="en">' in content
    assert '<a href="/" hreflang="zh-Hans" lang="zh-Hans">简体中文</a>' in content
    assert '<a href="/en/" hreflang="en" lang="en" aria-current="true" class="is-current">English</a>' in content
    # The English site name is used on English pages.
    assert "<span>Shanhai Market</span>" in content
    assert "<title>Shanhai Market" in content


def test_language_switch_keeps_the_page_and_query(client, news_index, add_articles):
    add_articles(12)
    content = html(client.get("/news/?page=2"))
    assert '<a href="/en/news/?page=2" hreflang="en" lang="en">English</a>' in content


def test_english_menu_links_stay_in_english(client, home_page, add_menu_pages):
    add_menu_pages(2)
    content = html(client.get("/en/"))
    assert '<li><a href="/en/section-1/">栏目1</a></li>' in content
    assert '<li><a href="/en/section-2/">栏目2</a></li>' in content


def test_hreflang_alternates_are_absolute(client, news_index):
    content = html(client.get("/en/news/"))
    assert '<link rel="alternate" hreflang="zh-Hans" href="http://testserver/news/">' in content
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/news/">' in content
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/news/">' in content
    assert '<link rel="canonical" href="http://testserver/en/news/">' in content


# Sharing and search-engine tags


def test_open_graph_tags_with_absolute_urls(client, home_page, standard_page, image):
    standard_page.social_image = image
    standard_page.seo_title = "山海协作是什么"
    standard_page.save_revision().publish()

    content = html(client.get("/about/"))

    assert "<title>山海协作是什么 · 山海集市</title>" in content
    assert meta_content(content, "og:title") == "山海协作是什么"
    assert meta_content(content, "og:description") == "山海协作工程简介"
    assert meta_content(content, "description") == "山海协作工程简介"
    assert meta_content(content, "og:type") == "website"
    assert meta_content(content, "og:url") == "http://testserver/about/"
    assert meta_content(content, "og:locale") == "zh_CN"
    assert meta_content(content, "og:site_name") == "山海集市"
    og_image = meta_content(content, "og:image")
    assert re.fullmatch(r"http://testserver/media/images/.+\.fill-1200x630\.format-jpeg\.jpg", og_image)
    assert meta_content(content, "og:image:width") == "1200"
    assert meta_content(content, "twitter:card") == "summary_large_image"
    assert meta_content(content, "twitter:image") == og_image


def test_open_graph_in_english_and_without_image(client, news_index, add_articles):
    add_articles(1)
    content = html(client.get("/en/news/article-1/"))
    assert meta_content(content, "og:type") == "article"
    assert meta_content(content, "og:locale") == "en_US"
    assert meta_content(content, "og:url") == "http://testserver/en/news/article-1/"
    assert meta_content(content, "og:image") is None
    assert meta_content(content, "twitter:card") == "summary"


def test_og_image_falls_back_to_the_articles_image(client, add_articles, image):
    add_articles(1, image=image)
    content = html(client.get("/news/article-1/"))
    assert meta_content(content, "og:image").startswith("http://testserver/media/images/")


def test_favicon_css_and_js_are_linked(client, home_page):
    content = html(client.get("/"))
    assert '<link rel="icon" href="/static/cms/img/favicon.svg" type="image/svg+xml">' in content
    assert '<link rel="stylesheet" href="/static/cms/css/site.css">' in content
    assert '<script src="/static/cms/js/site.js" defer></script>' in content
    assert "//cdn" not in content and "fonts.googleapis" not in content


# Header and footer


def test_main_menu_lists_live_in_menu_children(client, home_page, add_menu_pages, news_index, standard_page):
    hidden, unpublished = add_menu_pages(2)
    hidden.show_in_menus = False
    hidden.save_revision().publish()
    unpublished.unpublish()

    content = html(client.get("/about/"))

    menu = re.search(r'<ul class="main-menu">(.*?)</ul>', content, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)"', menu) == ["/news/", "/about/"]
    assert '<a href="/about/" aria-current="page" class="is-active">关于山海协作</a>' in menu


def test_footer_shows_settings_links_and_filing_numbers(client, home_page, site_settings):
    content = html(client.get("/"))
    footer = content[content.index('<footer class="site-footer">') :]

    assert '<a href="https://beian.miit.gov.cn/" rel="noopener" target="_blank">浙ICP备12345678号-1</a>' in footer
    assert "浙公网安备33080202000123号" in footer
    assert "浙江省山海协作消费帮扶平台" in footer
    assert '<a href="tel:0570-1234567">0570-1234567</a>' in footer
    assert '<a href="mailto:hello@shanhai.example">hello@shanhai.example</a>' in footer
    assert '<a href="https://shanhai.example/about/">关于我们</a>' in footer


def test_footer_link_to_a_page_follows_the_language(client, home_page, site_settings, standard_page):
    FooterLink.objects.create(settings=site_settings, label="关于", page=standard_page, sort_order=1)
    assert '<a href="/en/about/">关于</a>' in html(client.get("/en/"))


def test_footer_omits_filing_when_not_set(client, home_page):
    content = html(client.get("/"))
    assert "beian.miit.gov.cn" not in content
    assert "site-footer__filing" not in content


# Other page types


def test_standard_page_renders_its_blocks(client, standard_page):
    content = html(client.get("/about/"))

    assert "<h1>关于山海协作</h1>" in content
    assert '<p class="lead">山区海岛县与沿海发达县结对帮扶。</p>' in content
    assert '<h2 class="block-heading">结对关系</h2>' in content
    assert "<p>龙游县与鄞州区结对。</p>" in content
    assert "<blockquote><p>山海协作，共同富裕。</p></blockquote>" in content
    assert '<dt class="fact__figure">26</dt><dd class="fact__label">山区县</dd>' in content
    assert '<a class="button button--primary" href="https://example.com/more">了解更多</a>' in content


def test_news_index_paginates(client, add_articles):
    add_articles(12)

    first = html(client.get("/en/news/"))
    assert first.count('<article class="card card--news">') == 10
    assert "山海协作新闻12" in first and "山海协作新闻03" in first and "山海协作新闻02" not in first
    assert '<nav class="pagination" aria-label="Pages">' in first
    assert '<a href="?page=2" rel="next">Next</a>' in first
    assert re.search(r'<a aria-current="page" href="\?page=1">.*?1</a>', first)

    second = html(client.get("/en/news/?page=2"))
    assert second.count('<article class="card card--news">') == 2
    assert "山海协作新闻02" in second and "山海协作新闻01" in second
    assert '<a href="?page=1" rel="prev">Previous</a>' in second
    assert re.search(r'<a aria-current="page" href="\?page=2">.*?2</a>', second)
    assert 'rel="next"' not in second


def test_news_index_without_articles(client, news_index):
    content = html(client.get("/en/news/"))
    assert "No news yet." in content
    assert "pagination" not in content


def test_news_article_shows_date_source_summary_image_and_body(client, add_articles, image):
    add_articles(1, image=image)
    content = html(client.get("/en/news/article-1/"))

    assert '<time datetime="2025-03-01">March 1, 2025</time>' in content
    assert "Source: 衢州市商务局" in content
    assert '<p class="lead">第1条新闻摘要</p>' in content
    assert '<figure class="article__image"><picture>' in content
    assert "<p>新闻正文1</p>" in content


def test_campaign_page_renders_dates_and_running_state(client, campaign, standard_page):
    CampaignRelatedPage.objects.create(campaign=campaign, page=standard_page, sort_order=0)
    today = timezone.localdate()
    campaign.start_date = today - datetime.timedelta(days=3)
    campaign.end_date = today + datetime.timedelta(days=30)
    campaign.save_revision().publish()

    content = html(client.get("/en/baixian-qianwan/"))

    assert '<p class="eyebrow">Hundred counties, thousand bowls</p>' in content
    assert '<p class="lead">衢州有礼，百县千碗</p>' in content
    assert f'<time datetime="{campaign.start_date:%Y-%m-%d}">' in content
    assert f'<time datetime="{campaign.end_date:%Y-%m-%d}">' in content
    assert '<span class="badge badge--running">Running now</span>' in content
    related = content[content.index('id="related-title"') :]
    assert '<h3 class="card__title"><a href="/en/about/">关于山海协作</a></h3>' in related


def test_campaign_page_in_chinese_shows_chinese_dates(client, campaign):
    content = html(client.get("/baixian-qianwan/"))
    assert '<time datetime="2025-05-01">2025年5月1日</time>' in content
    assert '<time datetime="2025-10-31">2025年10月31日</time>' in content


def test_open_ended_upcoming_campaign(client, home_page):
    start = timezone.localdate() + datetime.timedelta(days=10)
    home_page.add_child(instance=CampaignPage(title="秋季展", slug="autumn", start_date=start, body=body()))
    content = html(client.get("/en/autumn/"))
    assert "onwards" in content
    assert '<span class="badge badge--upcoming">Coming soon</span>' in content


# Errors


def test_unknown_url_uses_the_sites_404_page(client, home_page):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in template_names(response)
    content = html(response)
    assert '<html lang="zh-Hans">' in content
    assert '<a class="button button--primary" href="/">' in content


def test_unknown_english_url_gives_english_404(client, home_page):
    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    content = html(response)
    assert '<html lang="en">' in content
    assert "<h1>Page not found</h1>" in content
    assert '<a class="button button--primary" href="/en/">Go to the home page</a>' in content
    assert '<a href="/no-such-page/" hreflang="zh-Hans" lang="zh-Hans">简体中文</a>' in content


def test_500_template_renders_stand_alone():
    # No request, no context processors, no database: what is left when everything else has failed.
    content = render_to_string("500.html")

    assert content.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="zh-Hans">' in content
    assert "服务器出错了" in content
    assert '<h2 lang="en">Server error</h2>' in content
    assert "<style>" in content and 'rel="stylesheet"' not in content
    assert "{%" not in content and "{{" not in content


@pytest.mark.parametrize(
    ("template", "heading"), [("500.html", "<h1>服务器出错了</h1>"), ("503.html", "<h1>网站正在维护，请稍候</h1>")]
)
def test_error_pages_render_from_the_one_stand_alone_base(template, heading, django_assert_num_queries):
    from django.test.signals import template_rendered

    rendered = []

    def seen(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        # No request (so no context processors) and no query: they must render with the database down.
        with django_assert_num_queries(0):
            content = render_to_string(template, {"csp_nonce": "n0nce"})
    finally:
        template_rendered.disconnect(seen)

    assert rendered == [template, "error_base.html"]
    assert content.startswith("<!DOCTYPE html>") and '<html lang="zh-Hans">' in content
    assert heading in content and '<style nonce="n0nce">' in content
    assert '<a href="/">返回首页</a>' in content and '<a href="/en/">Go to the home page</a>' in content
    assert "{%" not in content and "{{" not in content and "comment" not in content


def test_server_error_handler_returns_500_without_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = views.server_error(request)
    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()


# Plumbing URLs


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_sitemap_lists_live_pages(client, home_page, news_index, standard_page):
    standard_page.unpublish()
    index = client.get("/sitemap.xml")

    assert index.status_code == 200
    assert index["Content-Type"].startswith("application/xml")
    assert "<sitemapindex" in index.content.decode()
    sections = re.findall(r"<loc>([^<]+)</loc>", index.content.decode())
    assert "http://testserver/sitemap-pages.xml" in sections
    response = client.get("/sitemap-pages.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    locations = re.findall(r"<loc>([^<]+)</loc>", response.content.decode())
    site_root = Site.objects.get(is_default_site=True).root_url
    assert f"{site_root}/" in locations
    assert f"{site_root}/news/" in locations
    assert f"{site_root}/about/" not in locations


# Query counts


def count_queries(client, path):
    client.get(path)  # warm twice: Wagtail's caches (site root paths, renditions) and the site-shell cache
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_home_page_query_count_does_not_grow_with_content(
    client, home_page, site_settings, add_articles, add_menu_pages, image
):
    add_articles(1, image=image)
    add_menu_pages(1)
    few = count_queries(client, "/")

    add_articles(4, start=datetime.date(2025, 4, 1), image=image)
    add_menu_pages(4)
    many = count_queries(client, "/")

    content = html(client.get("/"))
    assert content.count('<article class="card card--news">') == 4
    assert content.count('<li><a href="/section-') == 5
    assert few == many
    assert many <= 10  # site, routing (3), restrictions, settings, menu, news, footer links


def test_news_index_query_count_does_not_grow_with_articles(client, add_articles, image):
    add_articles(1, image=image)
    few = count_queries(client, "/news/")
    add_articles(9, start=datetime.date(2025, 4, 1), image=image)
    many = count_queries(client, "/news/")
    assert few == many


def test_make_image_uses_title_when_description_is_empty(client, add_articles):
    add_articles(1, image=make_photo(title="开化龙顶茶", description=""))
    content = html(client.get("/news/article-1/"))
    assert 'alt="开化龙顶茶"' in content
