"""`manage.py load_demo`: idempotent demo data, the page tree, dated memberships, the loader protocol, admin login."""

import datetime
import importlib.util
import json
import os
import re
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

import cms.demo
import cms.demo.images
from cms.management.commands import load_demo as load_demo_command
from cms.models import (
    CampaignPage,
    City,
    County,
    FooterLink,
    HomePage,
    Mark,
    MountainCountyMembership,
    MountainSeaPair,
    NewsArticlePage,
    NewsIndexPage,
    SiteSettings,
    StandardPage,
)
from tests.support.demo import run_load_demo

FACTS_FILE = Path(django_settings.BASE_DIR) / "cms" / "demo_data" / "zhejiang.json"
ADMIN_LINE = re.compile(r"Admin login: /admin/\s+username: (?P<username>\S+)\s+password: (?P<password>\S+)")


DISCOVER_DEMO_LOADERS = load_demo_command.discover_demo_loaders


def cms_loader_only():
    """These tests are about cms's demo data; the other apps' loaders have their own tests."""
    return [("cms", cms.demo.load)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path, monkeypatch):
    """Each test stores its images in its own folder, drawn small to keep the tests quick."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(cms.demo.images, "SIZE", (320, 180))
    monkeypatch.setattr(load_demo_command, "discover_demo_loaders", cms_loader_only)
    return tmp_path / "media"


@pytest.fixture(scope="class")
def demo_loaded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for a class of tests, inside a transaction rolled back after the class.

    Each test still runs in its own savepoint (the `db` fixture), so tests may change the data.
    """
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        mock.patch.object(cms.demo.images, "SIZE", (320, 180)),
        mock.patch.object(load_demo_command, "discover_demo_loaders", cms_loader_only),
        mock.patch.dict(os.environ, {"DEMO_ADMIN_PASSWORD": ""}),
        transaction.atomic(),
    ):
        yield run_load_demo()
        transaction.set_rollback(True)
    # The rollback bypassed the signals that clear Wagtail's cached site roots.
    Site.clear_site_root_paths_cache()


@pytest.fixture
def loaded(demo_loaded_once, db):
    return demo_loaded_once


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file())


def snapshot(media_root):
    models = [
        City,
        County,
        MountainCountyMembership,
        MountainSeaPair,
        Mark,
        Page,
        Revision,
        get_image_model(),
        get_user_model(),
        Site,
        SiteSettings,
        FooterLink,
    ]
    counts = {model._meta.label: model.objects.count() for model in models}
    counts["image files"] = len(files_under(media_root))
    return counts


def test_second_run_creates_nothing(db, media_root):
    first_output = run_load_demo()
    after_first = snapshot(media_root)
    second_output = run_load_demo()

    assert snapshot(media_root) == after_first
    assert after_first["cms.City"] == 8
    assert after_first["cms.County"] == 33
    assert after_first["cms.MountainCountyMembership"] == 27
    assert after_first["cms.MountainSeaPair"] == 6
    assert after_first["cms.Mark"] == 9
    assert after_first["wagtailimages.Image"] == after_first["image files"] == len(cms.demo.images.DEMO_IMAGES)
    assert "created" in first_output
    assert "created" not in second_output
    assert "updated" not in second_output


class TestLoadedDemo:
    """Checks on one loaded demo."""

    def test_rerun_restores_changed_facts(self, loaded):
        County.objects.filter(name="常山县").update(name_en="wrong")
        MountainCountyMembership.objects.filter(county__name="江山市").update(until=None)

        output = run_load_demo()

        assert County.objects.get(name="常山县").name_en == "Changshan"
        assert County.objects.get(name="江山市").mountain_memberships.get().until == datetime.date(2025, 5, 1)
        assert "cms counties: 1 updated, 32 present" in output

    def test_site_root_is_the_home_page_and_welcome_page_is_gone(self, loaded):
        site = Site.objects.get(is_default_site=True)
        home = site.root_page.specific

        assert isinstance(home, HomePage)
        assert home.live
        assert site.hostname == "localhost"
        assert Site.objects.count() == 1
        # Wagtail's welcome page was a plain Page under the tree root.
        assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()
        assert home.hero_image is not None
        assert home.hero_image.description
        assert [block.block_type for block in home.sections] == ["facts", "call_to_action"]

    def test_page_tree(self, loaded):
        home = HomePage.objects.get()
        news = NewsIndexPage.objects.child_of(home).get(slug="news")
        articles = NewsArticlePage.objects.child_of(news)
        campaigns = CampaignPage.objects.child_of(home)

        assert news.title == "新闻动态"
        assert articles.count() == 5
        assert all(article.source and article.summary and article.image_id and article.body for article in articles)
        assert set(campaigns.values_list("kind", flat=True)) == {"baixian_qianwan", "shanhai"}
        assert set(StandardPage.objects.child_of(home).values_list("slug", "title")) == {
            ("about", "关于我们"),
            ("help", "帮助中心"),
        }
        in_menus = set(home.get_children().filter(show_in_menus=True).values_list("slug", flat=True))
        assert {"news", "about", "help", "baixian-qianwan", "shanhai-xiezuo"} <= in_menus

    def test_every_page_is_published_and_allowed_under_its_parent(self, loaded):
        home = HomePage.objects.get()
        pages = home.get_descendants().specific()

        assert len(pages) == 10
        for page in pages:
            parent = page.get_parent().specific
            assert page.live and not page.has_unpublished_changes, page.title
            assert type(page) in parent.specific_class.allowed_subpage_models(), page.title
            assert parent.specific_class in type(page).allowed_parent_page_models(), page.title

    @pytest.mark.parametrize(
        ("county", "day", "listed"),
        [
            ("柯城区", datetime.date(2024, 1, 1), True),
            ("柯城区", datetime.date(2025, 1, 1), False),
            ("江山市", datetime.date(2025, 1, 1), True),
            ("江山市", datetime.date(2025, 6, 1), False),
            ("洞头区", datetime.date(2024, 1, 1), False),
            ("洞头区", datetime.date(2025, 1, 1), True),
            ("常山县", datetime.date(2024, 1, 1), True),
            ("常山县", datetime.date(2025, 1, 1), True),
            ("常山县", datetime.date(2025, 6, 1), True),
        ],
    )
    def test_mountain_county_membership_on_a_day(self, loaded, county, day, listed):
        assert County.objects.get(name=county).is_mountain_on(day) is listed
        assert County.objects.mountain_on(day).filter(name=county).exists() is listed

    def test_dongtou_joined_on_1_august_2024(self, loaded):
        membership = MountainCountyMembership.objects.get(county__name="洞头区")
        assert (membership.since, membership.until) == (datetime.date(2024, 8, 1), None)

    def test_mountain_county_count_matches_the_facts(self, loaded):
        day = datetime.date(2025, 1, 1)
        facts = json.loads(FACTS_FILE.read_text(encoding="utf-8"))
        by_hand = [
            c["name"]
            for c in facts["counties"]
            if c.get("mountain_from")
            and datetime.date.fromisoformat(c["mountain_from"]) <= day
            and (not c.get("mountain_until") or day < datetime.date.fromisoformat(c["mountain_until"]))
        ]

        # 27 listed counties in the facts, less 柯城, 莲都 and 平阳, which left in August 2024.
        assert len(by_hand) == 24
        assert County.objects.mountain_on(day).count() == len(by_hand)
        assert set(County.objects.mountain_on(day).values_list("name", flat=True)) == set(by_hand)

    def test_mountain_sea_pairs(self, loaded):
        changshan = MountainSeaPair.objects.get(mountain_county__name="常山县", coastal_county__name="拱墅区")
        qujiang = MountainSeaPair.objects.get(mountain_county__name="衢江区", coastal_county__name="鄞州区")

        assert changshan.verified
        assert changshan.since is None
        assert qujiang.since == datetime.date(2012, 1, 1)
        assert not MountainSeaPair.objects.get(mountain_county__name="龙游县").verified

    def test_county_slugs_and_cities(self, loaded):
        slugs = dict(County.objects.values_list("name", "slug"))

        assert slugs["常山县"] == "changshan"
        assert slugs["淳安县"] == "chunan"
        assert slugs["磐安县"] == "panan"
        assert all(re.fullmatch(r"[a-z][a-z0-9-]*", slug) for slug in slugs.values())
        assert City.objects.get(code="330800").name == "衢州市"
        assert not City.objects.get(name="丽水市").coastal
        assert County.objects.get(name="洞头区").city.name == "温州市"

    def test_marks(self, loaded):
        assert Mark.objects.get(name="百县千碗").name_en == "Hundred Counties, Thousand Bowls"
        sanquwei = Mark.objects.get(name="三衢味")
        assert (sanquwei.slug, sanquwei.kind, sanquwei.city.name) == ("sanquwei", "regional_public_brand", "衢州市")
        assert Mark.objects.get(name="钱江源").county.name == "开化县"
        assert Mark.objects.get(name="浙食链").kind == "traceability"
        assert all(mark.name_en and mark.slug for mark in Mark.objects.all())

    def test_site_settings(self, loaded):
        site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))

        assert site_settings.site_name == "山海集市"
        assert site_settings.site_name_en == "Shanhai Market"
        assert "衢州" in site_settings.address
        assert re.fullmatch(r"浙ICP备\d+号-\d+", site_settings.icp_number)
        linked = {link.page.specific.slug for link in site_settings.footer_links.all() if link.page_id}
        assert {"about", "help"} <= linked

    def test_default_admin_password(self, loaded):
        assert ADMIN_LINE.search(loaded)["password"] == "shanhai-admin"
        assert get_user_model().objects.get(username="admin").check_password("shanhai-admin")

    def test_rerun_leaves_the_admin_password_alone(self, loaded):
        admin = get_user_model().objects.get(username="admin")
        admin.set_password("changed-by-the-team")
        admin.save()

        output = run_load_demo()

        assert get_user_model().objects.get(username="admin").check_password("changed-by-the-team")
        assert "Admin login: /admin/" in output
        assert not ADMIN_LINE.search(output)


def test_scale_is_passed_to_every_discovered_loader_in_order(db, monkeypatch):
    calls = []

    def loader(name):
        def load(*, scale, stdout):
            calls.append((name, scale))
            stdout.write(f"{name} loaded")

        return load

    monkeypatch.setattr(
        load_demo_command, "discover_demo_loaders", lambda: [("first", loader("first")), ("second", loader("second"))]
    )

    output = run_load_demo("--scale", "7")

    assert calls == [("first", 7), ("second", 7)]
    assert "first loaded" in output and "second loaded" in output


def test_scale_defaults_to_zero(db, monkeypatch):
    calls = []
    monkeypatch.setattr(
        load_demo_command,
        "discover_demo_loaders",
        lambda: [("probe", lambda *, scale, stdout: calls.append(scale))],
    )
    run_load_demo()
    assert calls == [0]


def test_negative_scale_is_refused(db):
    with pytest.raises(CommandError):
        run_load_demo("--scale", "-1")


def test_discovery_finds_the_project_apps_demo_modules_in_installed_apps_order():
    project_apps = [
        app.label for app in apps.get_app_configs() if Path(app.path).resolve().parent == Path(django_settings.BASE_DIR)
    ]
    expected = [label for label in project_apps if importlib.util.find_spec(f"{label}.demo")]

    loaders = DISCOVER_DEMO_LOADERS()

    assert project_apps[:3] == ["cms", "marketplace", "events"]
    assert [label for label, _ in loaders] == expected
    assert loaders[0] == ("cms", cms.demo.load)
    assert [label for label, _ in loaders][:2] == ["cms", "marketplace"]


def test_admin_can_log_in_with_the_printed_password(db, client, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "demo-pass-8163")
    output = run_load_demo()
    login = ADMIN_LINE.search(output)

    assert login, output
    assert login["username"] == "admin"
    assert login["password"] == "demo-pass-8163"
    response = client.post("/admin/login/", {"username": login["username"], "password": login["password"]})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.email == "admin@shanhai.example"
