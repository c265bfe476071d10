"""Fixtures for the fairs: a fair page with stall types, stalls and add-ons, and vendors with their users."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import AddOn, FairIndexPage, FairPage, FairZone, StallType
from events.services import create_stall_row
from marketplace.services.vendors import grant_vendor_access


@pytest.fixture
def fair_index(home_page):
    return home_page.add_child(instance=FairIndexPage(title="展销会", slug="fairs"))


@pytest.fixture
def make_fair(fair_index, quzhou, changshan):
    def make(title="山海协作展销会", *, price="800.00", stalls=5, **fields):
        today = timezone.localdate()
        values = {
            "start_date": today + timedelta(days=30),
            "end_date": today + timedelta(days=32),
            "venue": "宁波国际会展中心",
            "address": "宁波市鄞州区会展路 181 号",
            "host_city": quzhou,
            "status": FairPage.Status.OPEN,
            "applications_open": timezone.now() - timedelta(days=1),
            "applications_close": timezone.now() + timedelta(days=10),
            "refund_until": today + timedelta(days=20),
            "slug": f"fair-{FairPage.objects.count() + 1}",
        }
        values.update(fields)
        fair = FairPage(title=title, **values)
        fair.zones = [FairZone(name="开化馆", kind=FairZone.Kind.PAVILION), FairZone(name="B2B 对接区", kind="b2b")]
        fair_index.add_child(instance=fair)
        fair.mountain_counties.add(changshan)
        standard = StallType.objects.create(fair=fair, name="标准展位", price=Decimal(price))
        StallType.objects.create(
            fair=fair, name="美食摊位", price=Decimal("1200.00"), includes_power=True, includes_water=True
        )
        AddOn.objects.create(fair=fair, kind=AddOn.Kind.TABLE, name="桌子", price=Decimal("50.00"))
        if stalls:
            create_stall_row(
                fair=fair, prefix="A", first=1, last=stalls, stall_type=standard, zone=fair.zones.first(), x=5, y=5
            )
        return fair

    return make


@pytest.fixture
def fair(make_fair):
    return make_fair()


@pytest.fixture
def vendor_user(django_user_model, make_vendor, changshan):
    def make(title="常山胡柚合作社", username=None):
        vendor = make_vendor(title, changshan)
        user = django_user_model.objects.create_user(username or f"v{vendor.pk}", f"v{vendor.pk}@example.com", "pw")
        grant_vendor_access(vendor, user)
        return vendor, user

    return make


@pytest.fixture
def organiser(django_user_model):
    return django_user_model.objects.create_superuser("organiser", "org@example.com", "pw")


def stall(fair, code):
    return fair.stalls.get(code=code)


__all__ = ["datetime", "stall"]
