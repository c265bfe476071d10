"""Several members of one vendor record sales at the same moment, each in its own process on PostgreSQL, and all
of them also send one shared sale (the same client id, as a phone that resends): every sale is recorded exactly
once, nothing is lost, and the stock ends exact — never below zero, the sales past it refused as sold out.

Same harness as test_concurrency.py: a fresh database copied from the migrated template, a FIFO as the barrier."""

import json

import psycopg
import pytest

from tests.support import postgres, race

pytestmark = pytest.mark.postgres

MEMBERS = 4
SALES_EACH = 10
STOCK = 25

SETUP = r"""
import json, os
from datetime import timedelta
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page
from cms.models import City, County
from events.stalls import services
from events.models import FairIndexPage, FairPage, StallType
from events.stalls.services import create_stall_row
from marketplace.models import Category, ProductPage, ProductStock, VendorIndexPage, VendorPage
from marketplace.services.vendors import grant_vendor_access
from tests.factories import make_uscc

root = Page.get_first_root_node()
city = City.objects.create(code="330800", name="衢州市")
county = County.objects.create(city=city, name="常山县", slug="changshan")
market = root.add_child(instance=VendorIndexPage(title="市集", slug="market"))
index = root.add_child(instance=FairIndexPage(title="展销会", slug="fairs"))
today = timezone.localdate()
fair = index.add_child(instance=FairPage(
    title="山海协作展销会", slug="fair", start_date=today, end_date=today + timedelta(days=1),
    venue="会展中心", host_city=city, status="open", booking_mode="review",
    applications_open=timezone.now() - timedelta(days=1), applications_close=timezone.now() + timedelta(days=1)))
kind = StallType.objects.create(fair=fair, name="帮扶摊位", price=Decimal("0.00"))
(stall,) = create_stall_row(fair=fair, prefix="M", first=1, last=1, stall_type=kind)
vendor = market.add_child(instance=VendorPage(
    title="常山胡柚合作社", county=county, uscc=make_uscc(), approval_status=VendorPage.Approval.APPROVED))
users = []
for i in range(int(os.environ["MEMBERS"])):
    user = get_user_model().objects.create_user(f"member{i}", f"m{i}@example.com", "pw")
    grant_vendor_access(vendor, user)
    users.append(user.pk)
application = services.apply(fair=fair, vendor=vendor, user=get_user_model().objects.get(pk=users[0]),
                             request=services.ApplicationRequest())
services.approve(application, stall=stall, user=get_user_model().objects.get(pk=users[0]))
fruit = Category.objects.create(name="水果", slug="fruit")
product = vendor.add_child(instance=ProductPage(title="常山胡柚", unit_price=Decimal("8.00"), category=fruit))
ProductStock.objects.create(product=product, quantity=int(os.environ["STOCK"]))
print(json.dumps({"fair": fair.pk, "vendor": vendor.pk, "product": product.pk, "users": users}))
"""

WORKER = r"""
import json, os, traceback, uuid
from django.contrib.auth import get_user_model
from events.fairs import stall_sales
from cms.errors import DomainError
from events.models import FairPage
from marketplace.models import VendorPage

user = get_user_model().objects.get(pk=int(os.environ["USER_ID"]))
vendor = VendorPage.objects.get(pk=int(os.environ["VENDOR_ID"]))
fair = FairPage.objects.get(pk=int(os.environ["FAIR_ID"]))
product = int(os.environ["PRODUCT_ID"])
ids = [os.environ["SHARED_ID"]] + [str(uuid.uuid4()) for _ in range(int(os.environ["SALES_EACH"]))]
open(os.environ["READY"], "w").close()
os.close(os.open(os.environ["GO"], os.O_RDONLY))
rows = []
for client_id in ids:
    row = {"client_id": client_id}
    try:
        sale, created = stall_sales.record_sale(fair=fair, vendor=vendor, user=user, request=stall_sales.SaleRequest(
            client_id=client_id, payment="wechat", product_id=product, quantity=1))
        row.update(ok=True, created=created, sale=sale.pk)
    except DomainError as exc:
        row.update(ok=False, code=exc.code)
    except Exception:
        row.update(ok=False, code="error", error=traceback.format_exc()[-1500:])
    rows.append(row)
print(json.dumps(rows))
"""


def query(url, sql, *params):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def test_members_recording_at_once_lose_nothing_and_stock_is_exact(checkout_pg_database):
    url = checkout_pg_database
    env = {"MEMBERS": str(MEMBERS), "STOCK": str(STOCK)}
    scene = json.loads(postgres.run_django(SETUP, url, env=env).stdout.strip().splitlines()[-1])
    shared = "6f1c1f62-2f6e-4c55-9a51-1d7c3f0e9b11"
    envs = [
        {
            "USER_ID": user_id,
            "VENDOR_ID": scene["vendor"],
            "FAIR_ID": scene["fair"],
            "PRODUCT_ID": scene["product"],
            "SHARED_ID": shared,
            "SALES_EACH": SALES_EACH,
        }
        for user_id in scene["users"]
    ]
    rows = []
    for result in race.together(url, WORKER, envs, timeout=180):
        assert result.returncode == 0, result.stderr[-2000:]
        rows += json.loads(result.stdout.strip().splitlines()[-1])

    errors = [r for r in rows if r.get("code") == "error"]
    assert not errors, errors[0]["error"]
    shared_rows = [r for r in rows if r["client_id"] == shared]
    assert sum(r.get("created", False) for r in shared_rows) == 1  # sent four times, recorded once
    assert len({r["sale"] for r in shared_rows if r["ok"]}) == 1
    created = [r for r in rows if r.get("created")]
    refused = [r for r in rows if not r["ok"]]
    assert {r["code"] for r in refused} <= {"out_of_stock"}
    assert len(created) == STOCK and len(refused) == MEMBERS * (SALES_EACH + 1) - STOCK - (len(shared_rows) - 1)
    assert query(url, "SELECT count(*), sum(quantity) FROM events_stallsale WHERE status = 'recorded'") == [
        (STOCK, STOCK)
    ]
    assert query(url, "SELECT quantity FROM marketplace_productstock WHERE product_id = %s", scene["product"]) == [(0,)]
    assert query(url, "SELECT count(DISTINCT client_id) FROM events_stallsale") == [(STOCK,)]
