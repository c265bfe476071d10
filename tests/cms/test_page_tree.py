import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page

from cms.models import CampaignPage, HomePage, NewsArticlePage, NewsIndexPage, StandardPage

pytestmark = pytest.mark.django_db


def allowed_children(model):
    return {m._meta.label for m in model.creatable_subpage_models() if model in m.allowed_parent_page_models()}


def test_every_page_type_declares_its_place_in_the_tree():
    for model in (HomePage, StandardPage, NewsIndexPage, NewsArticlePage, CampaignPage):
        assert "parent_page_types" in model.__dict__, model
        assert "subpage_types" in model.__dict__, model


def test_tree_rules():
    assert allowed_children(HomePage) >= {"cms.StandardPage", "cms.NewsIndexPage", "cms.CampaignPage"}
    assert "cms.NewsArticlePage" not in allowed_children(HomePage)
    assert allowed_children(NewsIndexPage) == {"cms.NewsArticlePage"}
    assert allowed_children(NewsArticlePage) == set()
    assert HomePage.can_create_at(Page.get_first_root_node())
    assert not NewsArticlePage.can_create_at(Page.get_first_root_node())


def test_only_one_home_and_one_news_index(home_page):
    assert not HomePage.can_create_at(Page.get_first_root_node())
    home_page.add_child(instance=NewsIndexPage(title="新闻", slug="news"))
    assert not NewsIndexPage.can_create_at(home_page)


def test_campaign_cannot_end_before_it_starts(home_page):
    campaign = CampaignPage(
        title="山海协作", slug="shanhai", start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 4, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        home_page.add_child(instance=campaign)
    assert "end_date" in excinfo.value.message_dict


def test_admin_speaks_chinese_by_default(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", "boss@shanhai.example", "pw"))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in response.content.decode() or 'lang="zh-Hans"' in response.content.decode()
    assert "<title>控制面板" in response.content.decode()
