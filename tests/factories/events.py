"""Fairs: a fair page under the fair index with zones, stall types, an add-on and a row of stalls."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from events.models import AddOn, FairPage, FairZone, StallType
from events.stalls.services import create_stall_row


def make_fair(fair_index, host_city, county, title="山海协作展销会", *, price="800.00", stalls=5, **fields):
    """An open fair a month ahead, taking applications, with stalls A1…A<stalls> (standard type at `price`)."""
    today = timezone.localdate()
    values = {
        "start_date": today + timedelta(days=30),
        "end_date": today + timedelta(days=32),
        "venue": "宁波国际会展中心",
        "address": "宁波市鄞州区会展路 181 号",
        "host_city": host_city,
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
    fair.mountain_counties.add(county)
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


def stall(fair, code):
    return fair.stalls.get(code=code)
