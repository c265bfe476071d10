"""The rushes over HTTP, against the scale-out hosts: many clients at the same moment, spread round-robin over
two gunicorn instances that share one PostgreSQL database and one Redis, and the final counts checked
against the database.

    checkout rush      buyers POST /api/orders/ for 1 unit of one scarce product (bank transfer)
    stall race         vendors POST /api/fairs/<id>/stall-bookings/, several vendors per stall
    registration rush  visitors POST /api/fairs/<id>/registrations/ for one time slot (anonymous)
    check-in rush      door staff POST /api/checkin/, some tickets scanned by two scanners at once
    stall-sales rush   vendors' members POST /api/fairs/<id>/sales/ at their stalls, each sale with its own
                       client UUID, some sent twice (a phone's retry); stock-tracked products

Every client is a thread with its own connection per request (gunicorn's sync workers close it anyway);
client i talks to host i mod n. All clients wait on a barrier and start together. Buyers, vendors and
scanners authenticate with API tokens (`Authorization: Bearer …`), made in the scene's setup.

The scenes are made in a subprocess (Django, production settings) on a database of their own before the
hosts start (bench/__main__.py: a copy of the bench database, dropped afterwards), with the same scene code
as the in-process rushes (bench/checkout_rush.py, bench/registration_rush.py).

Each rush reports operations per second (all attempts ÷ seconds from the start until the last answer),
p50/p99 latency of one request as the client saw it, the answers by status and code, the counts in the
database and `exact`: every count is what the scarce resource allows, nothing more, nothing less, and no
request failed in an unexpected way (5xx, socket error, an unknown answer).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from bench import checkout_rush, registration_rush
from bench.load import percentile
from tests.support import postgres


class RushError(RuntimeError):
    pass


# --- clients -------------------------------------------------------------------------------------------------


@dataclass
class Call:
    method: str
    path: str
    body: dict | None = None
    headers: dict = field(default_factory=dict)
    tag: dict = field(default_factory=dict)  # copied into the result row (who, which ticket, …)


def request(host, port, call, timeout_s=30.0):
    """One request on a fresh connection: (status, parsed JSON or None, raw text head)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
    try:
        body = None if call.body is None else json.dumps(call.body).encode()
        headers = {"Host": f"{host}:{port}", "Accept": "application/json", **call.headers}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(call.method, call.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = None
    return resp.status, parsed, data[:300].decode(errors="replace")


def run_clients(targets, plans, *, timeout_s=30.0, deadline_s=900.0):
    """Run plans[i] (a list of Call) in client thread i against targets[i % len(targets)], all starting at
    once. Returns (rows, seconds from the start to the last answer). A row: the call's tag plus client,
    host (index into targets), status (None on a socket error), json, ms, t."""
    targets = list(targets)
    if not targets:
        raise ValueError("no hosts")
    results = [[] for _ in plans]
    barrier = threading.Barrier(len(plans) + 1)

    def client(i):
        host, port = targets[i % len(targets)]
        try:
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            return
        for call in plans[i]:
            row = {**call.tag, "client": i, "host": i % len(targets), "status": None, "json": None}
            started = time.perf_counter()
            try:
                row["status"], row["json"], text = request(host, port, call, timeout_s)
                if row["json"] is None:
                    row["text"] = text
            except (OSError, http.client.HTTPException) as exc:
                row["error"] = repr(exc)
            row["ms"] = (time.perf_counter() - started) * 1000
            row["t"] = time.time()
            results[i].append(row)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(len(plans))]
    for thread in threads:
        thread.start()
    started = time.time()
    barrier.wait(timeout=60)
    end = time.monotonic() + deadline_s
    for thread in threads:
        thread.join(timeout=max(0.1, end - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise RushError(f"clients still running after {deadline_s:.0f} s")
    rows = [row for per in results for row in per]
    finished = max((row["t"] for row in rows), default=started)
    return rows, finished - started


def code_of(row):
    """The answer in one word: the JSON error code for 4xx, else the HTTP status (or "socket error")."""
    if row["status"] is None:
        return "socket error"
    if 400 <= row["status"] < 500 and isinstance(row["json"], dict) and row["json"].get("code"):
        return row["json"]["code"]
    return str(row["status"])


def summary(rows, seconds):
    latencies = sorted(row["ms"] for row in rows)
    return {
        "requests": len(rows),
        "seconds": seconds,
        "ops_per_second": len(rows) / seconds if seconds else None,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "answers": dict(Counter(code_of(row) for row in rows)),
        "per_host": dict(Counter(str(row["host"]) for row in rows)),
    }


def _bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def _shares(items, clients):
    clients = max(1, min(clients, len(items)))
    return [items[i::clients] for i in range(clients)]


def _first_problems(rows, expected_codes, limit=3):
    odd = [row for row in rows if code_of(row) not in expected_codes]
    return [{k: row.get(k) for k in ("status", "json", "text", "error")} for row in odd[:limit]]


def _query(url, sql, *params):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


# --- scenes --------------------------------------------------------------------------------------------------

# A fair open for self-booking with `stalls` stalls, `vendors` approved vendors each with a user, and API
# tokens for those users and for `token_users` (the checkout buyers and door staff of the other scenes); one
# more user with a known password for the shared-session check.
STALL_SETUP_CODE = r"""
import json, os
from datetime import timedelta
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page, Site
from cms.models import ApiToken, City, County
from cms.validators import uscc_check_character
from events.models import FairIndexPage, FairPage, StallType
from events.stalls.services import create_stall_row
from marketplace.models import VendorIndexPage, VendorPage
from marketplace.services.vendors import grant_vendor_access

spec = json.loads(os.environ["RUSH_SETUP"])
User = get_user_model()
city, _ = City.objects.get_or_create(code="330800", defaults={"name": "衢州市", "name_en": "Quzhou"})
county, _ = County.objects.get_or_create(
    slug="changshan", defaults={"city": city, "name": "常山县", "name_en": "Changshan"})
site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
root = site.root_page if site else Page.get_first_root_node()
market = VendorIndexPage.objects.first() or root.add_child(instance=VendorIndexPage(title="市集", slug="rush-market2"))
index = root.add_child(instance=FairIndexPage(title="展位抢订", slug="rush-stall-fairs"))
today = timezone.localdate()
fair = index.add_child(instance=FairPage(
    title="山海协作展销会 · 展位抢订", slug="rush-stall-fair", start_date=today + timedelta(days=30),
    end_date=today + timedelta(days=31), venue="会展中心", host_city=city, status="open", booking_mode="self"))
kind = StallType.objects.create(fair=fair, name="标准展位", price=Decimal(spec["price"]))
stalls = create_stall_row(fair=fair, prefix="R", first=1, last=spec["stalls"], stall_type=kind)
vendors = []
for i in range(spec["vendors"]):
    first_17 = "9133080%010d" % (900000 + i)
    vendor = market.add_child(instance=VendorPage(
        title=f"抢订商家{i}", slug=f"rush-stall-vendor-{i}", county=county,
        uscc=first_17 + uscc_check_character(first_17), approval_status=VendorPage.Approval.APPROVED))
    user = User.objects.create_user(f"rush-stall-vendor-{i}", f"stall{i}@example.cn", None)
    grant_vendor_access(vendor, user)
    vendors.append({"user": user.pk, "vendor": vendor.pk, "token": ApiToken.issue(user, "bench")[1]})
tokens = {str(pk): ApiToken.issue(user, "bench")[1] for pk, user in User.objects.in_bulk(spec["token_users"]).items()}
User.objects.filter(username="rush-session").delete()
User.objects.create_user("rush-session", spec["session_email"], spec["session_password"])
print(json.dumps({"fair": fair.pk, "stalls": [s.pk for s in stalls], "vendors": vendors, "tokens": tokens}))
"""

# A fair on today with `vendors` approved vendors, each with a confirmed stall booking, one member with an API token
# and one stock-tracked product of `stock` units: the stall-sales rush.
SALES_SETUP_CODE = r"""
import json, os
from datetime import timedelta
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page, Site
from cms.models import ApiToken, City, County
from cms.validators import uscc_check_character
from events.models import FairIndexPage, FairPage, StallBooking, StallType
from events.stalls.services import create_stall_row
from marketplace.models import Category, ProductPage, ProductStock, VendorIndexPage, VendorPage
from marketplace.services.vendors import grant_vendor_access

spec = json.loads(os.environ["RUSH_SETUP"])
User = get_user_model()
city, _ = City.objects.get_or_create(code="330800", defaults={"name": "衢州市", "name_en": "Quzhou"})
county, _ = County.objects.get_or_create(
    slug="changshan", defaults={"city": city, "name": "常山县", "name_en": "Changshan"})
category, _ = Category.objects.get_or_create(slug="fruit", defaults={"name": "水果", "name_en": "Fruit"})
site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
root = site.root_page if site else Page.get_first_root_node()
market = VendorIndexPage.objects.first() or root.add_child(instance=VendorIndexPage(title="市集", slug="rush-market3"))
index = root.add_child(instance=FairIndexPage(title="现场销售", slug="rush-sales-fairs"))
today = timezone.localdate()
fair = index.add_child(instance=FairPage(
    title="山海协作展销会 · 现场销售", slug="rush-sales-fair", start_date=today, end_date=today + timedelta(days=1),
    venue="会展中心", host_city=city, status="open", booking_mode="self"))
kind = StallType.objects.create(fair=fair, name="标准展位", price=Decimal("0.00"))
stalls = create_stall_row(fair=fair, prefix="S", first=1, last=spec["vendors"], stall_type=kind)
now = timezone.now()
vendors = []
for i, stall in enumerate(stalls):
    first_17 = "9133080%010d" % (800000 + i)
    vendor = market.add_child(instance=VendorPage(
        title=f"现场销售商家{i}", slug=f"rush-sales-vendor-{i}", county=county,
        uscc=first_17 + uscc_check_character(first_17), approval_status=VendorPage.Approval.APPROVED))
    user = User.objects.create_user(f"rush-sales-member-{i}", f"sales{i}@example.cn", None)
    grant_vendor_access(vendor, user)
    product = ProductPage(title=f"常山胡柚 · 摊位{i}", slug=f"rush-sales-product-{i}", unit_price=Decimal("8.00"),
                          category=category, unit="斤", track_stock=True)
    vendor.add_child(instance=product)
    ProductStock.objects.create(product=product, quantity=spec["stock"])
    StallBooking.objects.create(fair=fair, stall=stall, vendor=vendor, booked_by=user,
                                status=StallBooking.Status.CONFIRMED, confirmed_at=now)
    vendors.append({"vendor": vendor.pk, "product": product.pk, "token": ApiToken.issue(user, "bench")[1]})
print(json.dumps({"fair": fair.pk, "vendors": vendors, "stock": spec["stock"]}))
"""

SESSION_EMAIL = "rush-session@example.cn"
SESSION_PASSWORD = "bench-Rush-2026-session"  # noqa: S105 (a throwaway account in a throwaway database)


@dataclass
class Figures:
    """How big each rush is."""

    buyers: int = 400
    stock: int = 200
    clients: int = 8
    stalls: int = 20
    vendors: int = 100
    stall_price: str = "800.00"
    visitors: int = 2000
    capacity: int = 500
    decline_every: int = 2
    tickets: int = 5000
    scanners: int = 10
    double_every: int = 10
    sale_vendors: int = 50
    sales_per_vendor: int = 40
    retry_every: int = 10

    @classmethod
    def smoke(cls):
        return cls(
            buyers=40,
            stock=15,
            clients=6,
            stalls=4,
            vendors=12,
            visitors=60,
            capacity=20,
            tickets=100,
            scanners=4,
            sale_vendors=6,
            sales_per_vendor=5,
        )

    def problem(self):
        if not 1 <= self.clients <= 128 or not 1 <= self.scanners <= 64:
            return "need 1 <= clients <= 128 and 1 <= scanners <= 64"
        if min(self.buyers, self.stalls, self.vendors, self.visitors, self.capacity, self.tickets) < 1:
            return "need buyers, stalls, vendors, visitors, capacity and tickets >= 1"
        if min(self.sale_vendors, self.sales_per_vendor) < 1 or self.sale_vendors > 1000:
            return "need 1 <= sale-vendors <= 1000 and sales-per-vendor >= 1"
        if self.stock < 0 or self.decline_every < 0 or self.double_every < 0 or self.retry_every < 0:
            return "need stock, decline-every, double-every and retry-every >= 0"
        return None


def make_scenes(url, figures, *, settings, env, log=print):
    """Create every rush's scene on the database at url (subprocesses); returns their ids and tokens."""
    started = time.monotonic()
    checkout = checkout_rush.setup(
        url, products=[("常山胡柚 · 抢购", "58.00", figures.stock)], buyers=figures.buyers, settings=settings, env=env
    )
    visits = registration_rush.setup(
        url,
        capacity=figures.capacity,
        attempts=figures.visitors,
        tickets=figures.tickets,
        scanners=figures.scanners,
        settings=settings,
        env=env,
    )
    spec = {
        "stalls": figures.stalls,
        "vendors": figures.vendors,
        "price": figures.stall_price,
        "token_users": checkout["buyers"] + visits["staff"],
        "session_email": SESSION_EMAIL,
        "session_password": SESSION_PASSWORD,
    }
    result = postgres.run_django(
        STALL_SETUP_CODE, url, settings=settings, env={**(env or {}), "RUSH_SETUP": json.dumps(spec)}, timeout=600
    )
    stalls = json.loads(result.stdout.strip().splitlines()[-1])
    codes = dict(_query(url, "SELECT id, ticket_code FROM events_registration WHERE id = ANY(%s)", visits["tickets"]))
    sales = make_sales_scene(url, figures, settings=settings, env=env)
    log(f"rushes: scenes ready in {time.monotonic() - started:.1f} s")
    return {"checkout": checkout, "visits": visits, "stalls": stalls, "ticket_codes": codes, "sales": sales}


def make_sales_scene(url, figures, *, settings, env):
    """The stall-sales rush's fair, vendors, members' tokens and products (stock = sales per vendor)."""
    spec = {"vendors": figures.sale_vendors, "stock": figures.sales_per_vendor}
    result = postgres.run_django(
        SALES_SETUP_CODE, url, settings=settings, env={**(env or {}), "RUSH_SETUP": json.dumps(spec)}, timeout=900
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the rushes ----------------------------------------------------------------------------------------------

ADDRESS = {
    "recipient": "赵六",
    "phone": "13600136000",
    "city": "衢州市",
    "district": "常山县",
    "street": "天马街道 1 号",
}


def checkout_counts(url, product):
    stock = _query(url, "SELECT quantity FROM marketplace_productstock WHERE product_id = %s", product)[0][0]
    orders, units = _query(
        url,
        "SELECT count(DISTINCT o.id), coalesce(sum(l.quantity), 0) FROM marketplace_order o "
        "JOIN marketplace_orderline l ON l.order_id = o.id WHERE l.product_id = %s AND o.status <> 'cancelled'",
        product,
    )[0]
    return {"stock": stock, "orders": orders, "units": int(units)}


def judge_checkout(*, buyers, stock, answers, db):
    """exact: min(stock, buyers) orders placed (201) and in the database, the rest refused as out of stock,
    and the stock down by exactly that much."""
    sold = min(stock, buyers)
    return (
        answers.get("201", 0) == sold
        and sum(answers.values()) == buyers
        and answers.get("201", 0) + answers.get("out_of_stock", 0) == buyers
        and db == {"stock": stock - sold, "orders": sold, "units": sold}
    )


def checkout(targets, scenes, figures, *, log=print):
    scene, tokens = scenes["checkout"], scenes["stalls"]["tokens"]
    product = scene["products"][0]
    calls = [
        Call(
            "POST",
            "/api/orders/",
            {"lines": [{"product": product, "quantity": 1}], "payment_method": "bank_transfer", "address": ADDRESS},
            _bearer(tokens[str(buyer)]),
        )
        for buyer in scene["buyers"]
    ]
    rows, seconds = run_clients(targets, _shares(calls, figures.clients))
    result = summary(rows, seconds)
    db = checkout_counts(scenes["url"], product)
    exact = judge_checkout(buyers=figures.buyers, stock=figures.stock, answers=result["answers"], db=db)
    result.update(
        what=f"{figures.buyers} buyers, 1 unit each, stock {figures.stock}",
        expected={
            "placed": min(figures.stock, figures.buyers),
            "final_stock": figures.stock - min(figures.stock, figures.buyers),
        },
        database=db,
        exact=exact,
        counts=f"{db['orders']} orders, stock {db['stock']}",
        problems=_first_problems(rows, {"201", "out_of_stock"}),
    )
    return result


def stall_counts(url, fair):
    (bookings, stalls, active) = _query(
        url,
        "SELECT count(*), count(DISTINCT stall_id), count(*) FILTER (WHERE status IN ('held', 'confirmed')) "
        "FROM events_stallbooking WHERE fair_id = %s",
        fair,
    )[0]
    return {"bookings": bookings, "stalls_booked": stalls, "active": active}


def judge_stalls(*, vendors, stalls, answers, db):
    """exact: one booking per stall (201), everybody else 409 stall_taken, one active booking per stall."""
    booked = min(stalls, vendors)
    return (
        answers.get("201", 0) == booked
        and answers.get("stall_taken", 0) == vendors - booked
        and sum(answers.values()) == vendors
        and db == {"bookings": booked, "stalls_booked": booked, "active": booked}
    )


def stall_race(targets, scenes, figures, *, log=print):
    scene = scenes["stalls"]
    stalls = scene["stalls"]
    # Vendor i wants stall i mod n: every stall has vendors/stalls vendors after it, all at the same moment.
    calls = [
        Call(
            "POST",
            f"/api/fairs/{scene['fair']}/stall-bookings/",
            {"stall": stalls[i % len(stalls)], "vendor": v["vendor"]},
            _bearer(v["token"]),
        )
        for i, v in enumerate(scene["vendors"])
    ]
    # Interleave so that the vendors of one stall sit in different clients (and on different hosts).
    rows, seconds = run_clients(targets, _shares(calls, figures.clients))
    result = summary(rows, seconds)
    db = stall_counts(scenes["url"], scene["fair"])
    exact = judge_stalls(vendors=figures.vendors, stalls=figures.stalls, answers=result["answers"], db=db)
    booked = min(figures.stalls, figures.vendors)
    result.update(
        what=f"{figures.vendors} vendors for {figures.stalls} stalls",
        expected={"booked": booked, "stall_taken": figures.vendors - booked},
        database=db,
        exact=exact,
        counts=f"{db['bookings']} bookings on {db['stalls_booked']} stalls",
        problems=_first_problems(rows, {"201", "stall_taken"}),
    )
    return result


def judge_registration(*, visitors, capacity, decline_every, statuses, answers, db):
    """exact: `capacity` confirmed (or every visitor, if fewer), in the answers, the rows and both counters;
    the others waitlisted or refused "full" (only those who declined the waiting list), nothing else."""
    confirmed = min(capacity, visitors)
    decliners = sum(1 for i in range(visitors) if decline_every and (i + 1) % decline_every == 0)
    return (
        statuses.get("confirmed", 0) == confirmed
        and statuses.get("confirmed", 0) + statuses.get("waitlisted", 0) == answers.get("201", 0)
        and answers.get("201", 0) + answers.get("full", 0) == visitors
        and sum(answers.values()) == visitors
        and answers.get("full", 0) <= decliners
        and db["by_status"] == {k: v for k, v in statuses.items() if v}
        and db["slot"] == [confirmed, 0]
        and db["ticket_type"] == [confirmed, 0]
    )


def registration(targets, scenes, figures, *, log=print):
    scene = scenes["visits"]
    calls = []
    for i in range(figures.visitors):
        wait = not (figures.decline_every and (i + 1) % figures.decline_every == 0)
        body = {
            "ticket_type": scene["ticket"],
            "slot": scene["slot"],
            "name": f"访客{i}",
            "phone": f"139{i:08d}",
            "email": f"visitor{i}@example.cn",
            "people": 1,
            "join_waitlist": wait,
            "consent": True,
        }
        calls.append(Call("POST", f"/api/fairs/{scene['fair']}/registrations/", body))
    rows, seconds = run_clients(targets, _shares(calls, figures.clients))
    result = summary(rows, seconds)
    statuses = dict(Counter(row["json"].get("status") for row in rows if row["status"] == 201 and row["json"]))
    db = registration_rush.registration_counts(scenes["url"], scene)
    exact = judge_registration(
        visitors=figures.visitors,
        capacity=figures.capacity,
        decline_every=figures.decline_every,
        statuses=statuses,
        answers=result["answers"],
        db=db,
    )
    result.update(
        what=f"{figures.visitors} visitors for {figures.capacity} places",
        expected={"confirmed": min(figures.capacity, figures.visitors)},
        statuses=statuses,
        database=db,
        exact=exact,
        counts=f"{statuses.get('confirmed', 0)} confirmed, {statuses.get('waitlisted', 0)} waitlisted, "
        f"{result['answers'].get('full', 0)} full",
        problems=_first_problems(rows, {"201", "full"}),
    )
    return result


def judge_checkin(*, tickets, doubles, kinds, valid_once, db):
    """exact: every ticket "valid" exactly once with one CheckIn row, every double scan "already"."""
    return (
        kinds.get("valid", 0) == tickets
        and kinds.get("already", 0) == doubles
        and sum(kinds.values()) == tickets + doubles
        and valid_once == tickets
        and db == {"checkins": tickets, "tickets_checked_in": tickets}
    )


def checkin(targets, scenes, figures, *, log=print):
    scene, tokens, codes = scenes["visits"], scenes["stalls"]["tokens"], scenes["ticket_codes"]
    plans, doubles = registration_rush.scan_plan(scene["tickets"], scene["staff"], figures.double_every)
    client_plans = [
        [
            Call(
                "POST",
                "/api/checkin/",
                {"fair": scene["fair"], "code": codes[task["reg"]]},
                _bearer(tokens[str(task["staff"])]),
                {"reg": task["reg"]},
            )
            for task in plan
        ]
        for plan in plans
    ]
    rows, seconds = run_clients(targets, client_plans)
    result = summary(rows, seconds)
    kinds = Counter(row["json"].get("result") if row["status"] == 200 and row["json"] else code_of(row) for row in rows)
    valid = Counter(row["reg"] for row in rows if row["status"] == 200 and (row["json"] or {}).get("result") == "valid")
    valid_once = sum(1 for reg in scene["tickets"] if valid[reg] == 1)
    db = registration_rush.checkin_counts(scenes["url"], scene)
    n = len(scene["tickets"])
    exact = judge_checkin(tickets=n, doubles=doubles, kinds=kinds, valid_once=valid_once, db=db)
    result.update(
        what=f"{n} tickets, {len(plans)} scanners, {doubles} double scans",
        expected={"valid": n, "already": doubles},
        kinds=dict(kinds),
        database=db,
        exact=exact,
        counts=f"{db['tickets_checked_in']} of {n} checked in once, {kinds.get('already', 0)} already",
        problems=_first_problems(rows, {"200"}),
    )
    return result


# How many clients record for one vendor at the same moment in the stall-sales rush (its members' phones).
CLIENTS_PER_VENDOR = 4


def sales_plan(vendors, sales_per_vendor, clients, retry_every, *, make_id=uuid.uuid4):
    """Who sends which sale: the clients are split into groups of CLIENTS_PER_VENDOR (the last may be smaller);
    vendor v belongs to group v mod groups, and its sales are dealt round-robin over that group's clients, so
    that a vendor's sales are recorded by several clients at once (on both hosts: client i talks to host i mod 2).
    Every `retry_every`-th sale (counted over all sales) is sent again with the same client id by the next client
    of the group, right after the first: a phone's retry racing the original. Returns (plans, sales, retries):
    plans[c] a list of tasks {"vendor": index, "client_id": str, "retry": bool}, sales the number of distinct
    sales, retries the number of second sends."""
    clients = max(1, clients)
    size = CLIENTS_PER_VENDOR
    groups = [list(range(start, min(start + size, clients))) for start in range(0, clients, size)]
    plans = [[] for _ in range(clients)]
    count = retries = 0
    # Round r: every vendor's r-th sale; vendors of one group follow each other, so its clients meet on a vendor.
    for j in range(sales_per_vendor):
        for v in range(vendors):
            group = groups[v % len(groups)]
            client = group[j % len(group)]
            task = {"vendor": v, "client_id": str(make_id()), "retry": False}
            plans[client].append(task)
            count += 1
            if retry_every and count % retry_every == 0:
                plans[group[(j + 1) % len(group)]].append({**task, "retry": True})
                retries += 1
    return plans, count, retries


def sales_counts(url, scene):
    """The fair's sale rows and every product's stock, from the database."""
    rows, ids, recorded, units, taken = _query(
        url,
        "SELECT count(*), count(DISTINCT client_id), count(*) FILTER (WHERE status = 'recorded'), "
        "coalesce(sum(quantity), 0), coalesce(sum(stock_taken), 0) FROM events_stallsale WHERE fair_id = %s",
        scene["fair"],
    )[0]
    products = [v["product"] for v in scene["vendors"]]
    stock = dict(
        _query(url, "SELECT product_id, quantity FROM marketplace_productstock WHERE product_id = ANY(%s)", products)
    )
    per_product = dict(
        _query(
            url,
            "SELECT product_id, count(*) FROM events_stallsale WHERE fair_id = %s AND status = 'recorded' "
            "GROUP BY product_id",
            scene["fair"],
        )
    )
    return {
        "sales": rows,
        "client_ids": ids,
        "recorded": recorded,
        "units": int(units),
        "stock_taken": int(taken),
        "stock": {str(p): stock.get(p) for p in products},
        "sold": {str(p): per_product.get(p, 0) for p in products},
    }


def judge_sales(*, sales, retries, stock, answers, same_sale, db):
    """exact: every sale recorded exactly once (201 once per client id, one row each, all recorded), every second
    send answered 200 with the same sale as the first, and each product's stock its initial stock minus the units
    its vendor sold, never below zero."""
    products = db["stock"]
    return (
        answers.get("201", 0) == sales
        and answers.get("200", 0) == retries
        and sum(answers.values()) == sales + retries
        and same_sale == retries
        and db["sales"] == db["client_ids"] == db["recorded"] == db["units"] == db["stock_taken"] == sales
        and sum(db["sold"].values()) == sales
        and all(left is not None and left >= 0 and left == stock - db["sold"][p] for p, left in products.items())
    )


def stall_sales(targets, scenes, figures, *, log=print):
    scene = scenes["sales"]
    vendors = scene["vendors"]
    plans, sales, retries = sales_plan(len(vendors), figures.sales_per_vendor, figures.clients, figures.retry_every)
    path = f"/api/fairs/{scene['fair']}/sales/"
    client_plans = [
        [
            Call(
                "POST",
                path,
                {
                    "client_id": task["client_id"],
                    "vendor": vendors[task["vendor"]]["vendor"],
                    "product": vendors[task["vendor"]]["product"],
                    "quantity": 1,
                    "payment": "wechat",
                },
                _bearer(vendors[task["vendor"]]["token"]),
                {"client_id": task["client_id"], "retry": task["retry"]},
            )
            for task in plan
        ]
        for plan in plans
    ]
    rows, seconds = run_clients(targets, client_plans)
    result = summary(rows, seconds)
    # A sale sent twice: both answers (one 201, one 200) must carry the same sale.
    ids = {}
    for row in rows:
        if row["status"] in (200, 201) and isinstance(row["json"], dict):
            ids.setdefault(row["client_id"], []).append(row["json"].get("id"))
    same_sale = sum(1 for got in ids.values() if len(got) == 2 and got[0] == got[1] and got[0] is not None)
    db = sales_counts(scenes["url"], scene)
    exact = judge_sales(
        sales=sales, retries=retries, stock=scene["stock"], answers=result["answers"], same_sale=same_sale, db=db
    )
    lowest = min((v for v in db["stock"].values() if v is not None), default=None)
    result.update(
        what=f"{len(vendors)} vendors × {figures.sales_per_vendor} sales, {retries} sent twice, stock "
        f"{scene['stock']} each",
        expected={"recorded": sales, "replayed": retries, "final_stock": scene["stock"] - figures.sales_per_vendor},
        database=db,
        same_sale=same_sale,
        exact=exact,
        counts=f"{db['sales']} sales once each, {same_sale} retries same sale, stock left ≥ {lowest}",
        problems=_first_problems(rows, {"201", "200"}),
    )
    return result


RUSHES = (
    ("checkout rush", checkout),
    ("stall race", stall_race),
    ("registration rush", registration),
    ("check-in rush", checkin),
    ("stall-sales rush", stall_sales),
)

# What a rush's CPU is divided by: the orders placed, the sales recorded, else every request.
CPU_PER = {"checkout rush": "order", "stall-sales rush": "sale"}


# --- shared sessions -----------------------------------------------------------------------------------------


def _cookies(headers):
    jar = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    return {key: morsel.value for key, morsel in jar.items()}


def _raw(host, port, method, path, *, body=None, cookies=None, headers=None, timeout_s=15.0):
    conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
    try:
        all_headers = {"Host": f"{host}:{port}", **(headers or {})}
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body=body, headers=all_headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.getheaders(), data
    finally:
        conn.close()


def check_shared_session(targets, *, email=SESSION_EMAIL, password=SESSION_PASSWORD):
    """Log in on host A (the site's login form), then ask host B who we are (GET /api/cart/ with the session
    cookie: 200 for a logged-in user, 401 otherwise). Returns {"ok", "steps"}: ok only if B knows the session."""
    import re
    from urllib.parse import urlencode

    (host_a, port_a), (host_b, port_b) = targets[0], targets[-1]
    steps = {}
    status, headers, body = _raw(host_a, port_a, "GET", "/login/")
    steps["login form (A)"] = status
    cookies = _cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not match or "csrftoken" not in cookies:
        return {"ok": False, "steps": steps, "why": "no login form or CSRF token on host A"}
    form = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "identifier": email, "password": password})
    status, headers, _ = _raw(
        host_a,
        port_a,
        "POST",
        "/login/",
        body=form,
        cookies=cookies,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{host_a}:{port_a}/login/"},
    )
    steps["log in (A)"] = status
    cookies.update(_cookies(headers))
    if status not in (302, 303) or "sessionid" not in cookies:
        return {"ok": False, "steps": steps, "why": "the login on host A did not give a session"}
    status, _, _ = _raw(host_b, port_b, "GET", "/api/cart/", cookies={"sessionid": cookies["sessionid"]})
    steps["GET /api/cart/ (B)"] = status
    anonymous, _, _ = _raw(host_b, port_b, "GET", "/api/cart/")
    steps["GET /api/cart/ without the cookie (B)"] = anonymous
    ok = status == 200 and anonymous == 401
    return {"ok": ok, "steps": steps, "why": None if ok else "host B does not know host A's session"}


# --- the report ----------------------------------------------------------------------------------------------


def format_rush_table(results):
    """The compact summary: one line per rush."""
    headers = ["rush", "requests", "ops/s", "p50 ms", "p99 ms", "CPU ms app+pg", "final counts (database)", "exact"]
    lines = []
    for name, r in results.items():
        if "error" in r:
            lines.append([name, "-", "-", "-", "-", "-", r["error"][:60], "no"])
            continue
        cpu = r.get("cpu") or {}
        app, pg = cpu.get("app_ms_per_op"), cpu.get("postgres_ms_per_op")
        cpu_cell = (
            f"{app:.1f}+{pg:.1f}/{cpu.get('per', 'op')}"
            if app is not None and pg is not None
            else (f"{app:.1f}/{cpu.get('per', 'op')}" if app is not None else "-")
        )
        lines.append(
            [
                name,
                str(r["requests"]),
                f"{r['ops_per_second']:,.0f}" if r.get("ops_per_second") else "-",
                f"{r['p50_ms']:.1f}" if r.get("p50_ms") is not None else "-",
                f"{r['p99_ms']:.1f}" if r.get("p99_ms") is not None else "-",
                cpu_cell,
                r["counts"],
                "yes" if r["exact"] else "NO",
            ]
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(headers)]
    left = {0, 6}

    def render(cells):
        return "  ".join(
            c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([render(headers), render(["-" * w for w in widths]), *(render(line) for line in lines)])
