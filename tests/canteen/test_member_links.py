"""A unit member finds the unit from the header of every page and from the account page; nobody else sees it."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site

from cms.models import SiteSettings
from marketplace.canteen import services
from marketplace.canteen.models import UnitMember
from tests.factories import make_unit_with_members, make_user
from tests.support.queries import warm_count

pytestmark = pytest.mark.django_db

LINK = 'class="header-links__canteen"'


def header(client, path="/"):
    html = client.get(path).content.decode()
    return html.split('<nav class="header-links"')[1].split("</nav>")[0]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", UnitMember.Role.values)
def test_a_member_of_a_verified_unit_has_a_header_link_to_it(home_page, unit_a, role):
    client = logged_in(unit_a.users[role])
    dashboard = reverse("canteen_dashboard", args=[unit_a.pk])
    for path in ("/", "/cart/", reverse("account")):
        links = header(client, path)
        assert LINK in links and f'href="{dashboard}"' in links, path
    assert "食堂采购" in header(client)
    with translation.override("en"):
        en_home, en_dashboard = reverse("wagtail_serve", args=[""]), reverse("canteen_dashboard", args=[unit_a.pk])
    en = header(client, en_home)
    assert "Canteen" in en and f'href="{en_dashboard}"' in en


def test_visitors_non_members_and_members_of_unverified_units_have_no_link(home_page, unit_a):
    assert LINK not in header(Client())
    assert LINK not in header(logged_in(make_user("private-buyer", email="")))
    pending = make_unit_with_members("待审核食堂", prefix="p", verified=False)
    assert LINK not in header(logged_in(pending.users["buyer"]))


def test_a_member_of_two_units_is_led_to_the_list(home_page, unit_a, unit_b):
    UnitMember.objects.create(unit=unit_b, user=unit_a.users["buyer"], role=UnitMember.Role.BUYER)
    links = header(logged_in(unit_a.users["buyer"]))
    assert f'href="{reverse("canteen_units")}"' in links


def test_the_link_follows_membership_changes_at_once(home_page, unit_a, unit_b):
    buyer = unit_a.users["buyer"]
    client = logged_in(buyer)
    assert LINK in header(client)  # cached now
    UnitMember.objects.filter(user=buyer).delete()
    assert LINK not in header(client)
    services.add_member(unit_b, user=unit_b.users["approver"], identifier=buyer.email, role="finance")
    assert f'href="{reverse("canteen_dashboard", args=[unit_b.pk])}"' in header(client)
    unit_b.status = unit_b.Status.REJECTED
    unit_b.save()
    assert LINK not in header(client)


def test_the_membership_lookup_costs_no_query_once_warm(home_page, unit_a):
    """A member's header costs what a non-member's does: the lookup is a cache read, not a query."""
    member = warm_count(logged_in(unit_a.users["finance"]), "/")
    other = warm_count(logged_in(make_user("private-2", email="")), "/")
    assert member == other


def test_cached_pages_never_carry_a_members_link(home_page, unit_a, settings):
    """The anonymous page cache is shared: a member's header must never be stored in it or served from it."""
    SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.PAGE_CACHE_SECONDS = 60
    caches[settings.PAGE_CACHE_ALIAS].clear()
    try:
        visitor = Client()
        assert visitor.get("/").get("X-Cache") == "miss"
        member = logged_in(unit_a.users["buyer"])
        response = member.get("/")
        assert response.get("X-Cache") != "hit" and LINK in response.content.decode()
        again = visitor.get("/")
        assert again.get("X-Cache") == "hit" and LINK not in again.content.decode()
    finally:
        caches[settings.PAGE_CACHE_ALIAS].clear()


def test_the_account_page_lists_the_members_units_with_roles(home_page, unit_a, unit_b):
    buyer = unit_a.users["buyer"]
    UnitMember.objects.create(unit=unit_a, user=buyer, role=UnitMember.Role.APPROVER)
    pending = make_unit_with_members("待审核食堂", prefix="p", verified=False)
    UnitMember.objects.create(unit=pending, user=buyer, role=UnitMember.Role.FINANCE)
    html = logged_in(buyer).get(reverse("account")).content.decode()
    section = html.split('class="account-section account-units"')[1].split("</section>")[0]
    assert f'<a href="{reverse("canteen_dashboard", args=[unit_a.pk])}">{unit_a.name}</a>' in section
    assert "采购员、审批人" in section
    assert "待审核食堂 · 待审核" in section and "财务" in section
    assert unit_b.name not in section
    assert reverse("canteen_dashboard", args=[pending.pk]) not in section  # not verified: no link yet


def test_the_account_page_of_a_non_member_has_no_unit_section(home_page):
    html = logged_in(make_user("private-3", email="")).get(reverse("account")).content.decode()
    assert "account-units" not in html
