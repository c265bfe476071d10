"""Two (or twelve) vendors booking the same stall at the same moment, each in its own process on PostgreSQL:
exactly one booking, everybody else gets "stall_taken", and the database holds one active booking.

The fresh database per test is a copy of the session's migrated template (`checkout_pg_database`, see
tests/support/stripe_plugin.py); each vendor is a separate process (forked by tests.support.race.together).
All wait on a barrier (a FIFO opened for reading blocks until the test opens it for writing) and then call
`self_book` at once.
"""

import json

import psycopg
import pytest

from tests.support import postgres, race

pytestmark = pytest.mark.postgres

VENDORS = 8

SETUP = r"""
import json, os
from datetime import timedelta
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page
from cms.models import City, County
from events.models import FairIndexPage, FairPage, StallType
from events.stalls.services import create_stall_row
from marketplace.models import VendorIndexPage, VendorPage
from marketplace.services.vendors import grant_vendor_access
from tests.factories import make_uscc

n = int(os.environ["VENDORS"])
root = Page.get_first_root_node()
city = City.objects.create(code="330800", name="衢州市")
county = County.objects.create(city=city, name="常山县", slug="changshan")
market = root.add_child(instance=VendorIndexPage(title="市集", slug="market"))
index = root.add_child(instance=FairIndexPage(title="展销会", slug="fairs"))
today = timezone.localdate()
fair = index.add_child(instance=FairPage(
    title="山海协作展销会", slug="fair", start_date=today + timedelta(days=30), end_date=today + timedelta(days=31),
    venue="会展中心", host_city=city, status="open", booking_mode="self"))
kind = StallType.objects.create(fair=fair, name="标准展位", price=Decimal(os.environ.get("PRICE", "800.00")))
(stall,) = create_stall_row(fair=fair, prefix="A", first=1, last=1, stall_type=kind)
users = []
for i in range(n):
    vendor = market.add_child(instance=VendorPage(
        title=f"商家{i}", county=county, uscc=make_uscc(), approval_status=VendorPage.Approval.APPROVED))
    user = get_user_model().objects.create_user(f"vendor{i}", f"v{i}@example.com", "pw")
    grant_vendor_access(vendor, user)
    users.append([user.pk, vendor.pk])
print(json.dumps({"fair": fair.pk, "stall": stall.pk, "users": users}))
"""

WORKER = r"""
import json, os, traceback
from django.contrib.auth import get_user_model
from events.stalls import services
from cms.errors import DomainError
from events.models import FairPage, Stall
from marketplace.models import VendorPage

user = get_user_model().objects.get(pk=int(os.environ["USER_ID"]))
vendor = VendorPage.objects.get(pk=int(os.environ["VENDOR_ID"]))
fair = FairPage.objects.get(pk=int(os.environ["FAIR_ID"]))
stall = Stall.objects.get(pk=int(os.environ["STALL_ID"]))
open(os.environ["READY"], "w").close()
os.close(os.open(os.environ["GO"], os.O_RDONLY))
row = {"ok": True, "code": None}
try:
    booking = services.self_book(fair=fair, vendor=vendor, user=user, stall=stall)
    row["booking"] = booking.pk
    row["order"] = booking.order_id
except DomainError as exc:
    row.update(ok=False, code=exc.code, message=str(exc.message))
except Exception as exc:
    row.update(ok=False, code="error", error=traceback.format_exc()[-1500:])
print(json.dumps(row, ensure_ascii=False))
"""


def query(url, sql, *params):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def rush(url, price="800.00"):
    scene = json.loads(
        postgres.run_django(SETUP, url, env={"VENDORS": str(VENDORS), "PRICE": price}).stdout.strip().splitlines()[-1]
    )
    envs = [
        {"USER_ID": user_id, "VENDOR_ID": vendor_id, "FAIR_ID": scene["fair"], "STALL_ID": scene["stall"]}
        for user_id, vendor_id in scene["users"]
    ]
    rows = []
    for result in race.together(url, WORKER, envs):
        assert result.returncode == 0, result.stderr[-2000:]
        rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return scene, rows


@pytest.mark.parametrize("price", ["800.00", "0.00"])
def test_vendors_booking_one_stall_at_once_get_exactly_one_booking(checkout_pg_database, price):
    url = checkout_pg_database
    scene, rows = rush(url, price)

    errors = [r for r in rows if r["code"] == "error"]
    assert not errors, errors[0]["error"]
    winners = [r for r in rows if r["ok"]]
    losers = [r for r in rows if not r["ok"]]
    assert len(winners) == 1
    assert len(losers) == VENDORS - 1 and {r["code"] for r in losers} == {"stall_taken"}
    active = query(
        url,
        "SELECT count(*) FROM events_stallbooking WHERE stall_id = %s AND status IN ('held', 'confirmed')",
        scene["stall"],
    )
    assert active == [(1,)]
    assert query(url, "SELECT count(*) FROM events_stallbooking") == [(1,)]
    orders = query(url, "SELECT count(*) FROM marketplace_order")[0][0]
    assert orders == (1 if price != "0.00" else 0)
