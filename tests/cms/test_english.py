"""The English site: English twins of content shown on /en/, Chinese as the fallback, and the admin report
of pages that still lack English."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from wagtail.rich_text import RichText

from cms.english_report import pages_missing_english
from cms.models import FooterLink
from cms.models.bilingual import missing_english, translated

pytestmark = pytest.mark.django_db


def test_translated_prefers_english_on_english_pages_and_falls_back(standard_page):
    with translation.override("en"):
        assert translated(standard_page, "intro") == standard_page.intro  # no English yet: Chinese
        standard_page.intro_en = "Mountain and coastal counties in pairs."
        assert translated(standard_page, "intro") == "Mountain and coastal counties in pairs."
    with translation.override("zh-hans"):
        assert translated(standard_page, "intro") == standard_page.intro


def test_an_empty_english_stream_falls_back_to_the_chinese_one(standard_page):
    with translation.override("en"):
        assert translated(standard_page, "body") is standard_page.body
        standard_page.body_en = [("paragraph", RichText("<p>English body.</p>"))]
        assert len(translated(standard_page, "body")) == 1


def test_translated_reads_struct_values_and_dicts():
    with translation.override("en"):
        assert translated({"label": "了解更多", "label_en": "Learn more"}, "label") == "Learn more"
        assert translated({"label": "了解更多", "label_en": ""}, "label") == "了解更多"


def test_missing_english_names_the_untranslated_fields(standard_page):
    assert set(missing_english(standard_page, ["intro", "body"])) == {"intro", "body"}
    standard_page.intro_en = "x"
    assert missing_english(standard_page, ["intro", "body"]) == ["body"]


def test_english_page_shows_english_texts(client, standard_page):
    standard_page.name_en = "About mountain-sea cooperation"
    standard_page.intro_en = "Mountain and coastal counties in pairs."
    standard_page.body_en = [
        ("paragraph", RichText("<p>Longyou is paired with Yinzhou.</p>")),
        ("facts", {"facts": [{"figure": "26", "label": "mountain counties"}]}),
        ("call_to_action", {"label": "Learn more", "page": None, "url": "https://example.com/more"}),
    ]
    standard_page.save_revision().publish()
    html = client.get("/en/about/").content.decode()
    assert "<h1>About mountain-sea cooperation</h1>" in html
    assert "Mountain and coastal counties in pairs." in html
    assert "Longyou is paired with Yinzhou." in html and "Learn more" in html
    assert "龙游县与鄞州区结对" not in html and "关于山海协作" not in html.split("<main")[1]
    chinese = client.get("/about/").content.decode()
    assert "<h1>关于山海协作</h1>" in chinese and "龙游县与鄞州区结对" in chinese


def test_english_page_without_english_shows_chinese_not_nothing(client, standard_page):
    html = client.get("/en/about/").content.decode()
    assert "<h1>关于山海协作</h1>" in html
    assert "山区海岛县与沿海发达县结对帮扶。" in html


def test_footer_and_settings_in_english(client, site_settings, standard_page):
    site_settings.tagline_en = "Mountain and sea"
    site_settings.address_en = "Kecheng, Quzhou"
    site_settings.footer_text_en = "A platform for mountain-sea cooperation"
    site_settings.save()
    FooterLink.objects.filter(settings=site_settings).update(label_en="About us")
    html = client.get("/en/about/").content.decode()
    footer = html.split('<footer class="site-footer">')[1]
    assert "Mountain and sea" in footer and "Kecheng, Quzhou" in footer
    assert "A platform for mountain-sea cooperation" in footer and "About us" in footer
    assert "山海协作 · 百县千碗" not in footer and "浙江省衢州市柯城区" not in footer


def test_report_lists_pages_lacking_english(standard_page, campaign):
    assert standard_page.pk in set(pages_missing_english().values_list("pk", flat=True))
    standard_page.name_en = "About"
    standard_page.intro_en = "Pairs."
    standard_page.save_revision().publish()
    missing = set(pages_missing_english().values_list("pk", flat=True))
    assert standard_page.pk not in missing
    assert campaign.pk in missing


def test_report_page_in_the_admin(client, standard_page):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-123456")
    client.force_login(admin)
    response = client.get("/admin/reports/missing-english/")
    assert response.status_code == 200
    assert "关于山海协作" in response.content.decode()
    client.logout()
    assert client.get("/admin/reports/missing-english/").status_code == 302
