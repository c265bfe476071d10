"""Checkout under real concurrency: several processes on one PostgreSQL database at the same moment.

Each test gets a fresh database (a copy of one migrated per session: CREATE DATABASE … TEMPLATE) on the
session's server (`postgres_url`: the run's own PostgreSQL under `make test`, else a throwaway cluster).
The product and buyers are created in a subprocess; then a few `spawn_django` processes each fork one
child per buyer (every buyer its own process and connection), all children wait on a barrier (a FIFO), and
all call the service at once. Results come back as JSON lines; the database is read with psycopg.
The machinery lives in bench/checkout_rush.py, which uses it for the rush benchmark.
"""

import json

import psycopg
import pytest

from bench import checkout_rush as rush
from tests.support import postgres

pytestmark = pytest.mark.postgres

PROCESSES = 2  # spawned Django processes; each forks its share of the buyers


@pytest.fixture
def database(checkout_pg_database):
    return checkout_pg_database


def spread(groups, processes=PROCESSES):
    """Deal buyer groups out to `processes` spawned processes (each forks one child per group)."""
    return [groups[i::processes] for i in range(processes) if groups[i::processes]]


def run(url, groups):
    rows, _seconds = rush.rush(url, spread(groups), fork=True, timeout=60)
    assert len(rows) == sum(len(g) for g in groups)
    unexpected = [r for r in rows if r["code"] == "error"]
    assert not unexpected, unexpected[0].get("tb")
    return rows


def query(url, sql, *params):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def test_40_buyers_for_20_units_get_exactly_20_orders(database):
    scene = rush.setup(database, products=[("常山胡柚 · 限量", "58.00", 20)], buyers=40)
    (product,) = scene["products"]

    rows = run(database, [[{"op": "place", "buyer": b, "lines": [[product, 1]]}] for b in scene["buyers"]])

    placed = [r for r in rows if r["ok"]]
    refused = [r for r in rows if not r["ok"]]
    assert len(placed) == 20 and len(refused) == 20
    assert {r["code"] for r in refused} == {"out_of_stock"}
    final = rush.stock_and_orders(database, [product])
    assert final["stock"] == {product: 0}
    assert final["orders"] == 20 and final["sold"] == {product: 20}
    assert len({r["order"] for r in placed}) == 20
    assert query(database, "SELECT min(quantity) FROM marketplace_productstock")[0][0] >= 0


def test_opposite_line_orders_do_not_deadlock_and_counts_are_exact(database):
    # A: 21 units, 2 per order; B: 10 units, 1 per order. B runs out after 10 orders, A keeps 1.
    scene = rush.setup(database, products=[("胡柚 A", "58.00", 21), ("麻饼 B", "30.00", 10)], buyers=24)
    a, b = scene["products"]
    groups = []
    for i, buyer in enumerate(scene["buyers"]):
        lines = [[a, 2], [b, 1]] if i % 2 == 0 else [[b, 1], [a, 2]]
        groups.append([{"op": "place", "buyer": buyer, "lines": lines}])

    rows = run(database, groups)

    placed = [r for r in rows if r["ok"]]
    assert len(placed) == 10
    assert {r["code"] for r in rows if not r["ok"]} == {"out_of_stock"}
    final = rush.stock_and_orders(database, [a, b])
    assert final["stock"] == {a: 1, b: 0}
    assert final["orders"] == 10 and final["sold"] == {a: 20, b: 10}
    # Every order holds both lines: nothing was half-reserved.
    per_order = query(database, "SELECT order_id, count(*) FROM marketplace_orderline GROUP BY order_id")
    assert len(per_order) == 10 and {n for _o, n in per_order} == {2}


RACE_SETUP = r"""
import json, os
from django.contrib.auth import get_user_model
from marketplace.checkout import services
from marketplace.checkout.models import Payment
from marketplace.checkout.services import Address, LineRequest

spec = json.loads(os.environ["RACE"])
address = Address("孙七", "13500135000", "浙江省", "衢州市", "常山县", "定阳北路 2 号")
out = []
for buyer_id in spec["buyers"]:
    buyer = get_user_model().objects.get(pk=buyer_id)
    order = services.place_order(buyer=buyer, lines=[LineRequest(spec["product"], 2)],
                                 payment_method="bank_transfer", address=address)
    payment = Payment.objects.create(order=order, method="card", amount=order.total,
                                     stripe_payment_intent=f"pi_race_{order.number}")
    out.append({"order": order.pk, "payment": payment.pk})
print(json.dumps(out))
"""


def test_cancel_expiry_and_payment_racing_on_one_order_have_exactly_one_outcome(database):
    orders_n = 6
    scene = rush.setup(database, products=[("常山山茶油", "128.50", 20)], buyers=orders_n)
    (product,) = scene["products"]
    spec = json.dumps({"buyers": scene["buyers"], "product": product})
    made = json.loads(postgres.run_django(RACE_SETUP, database, env={"RACE": spec}).stdout.strip().splitlines()[-1])
    assert rush.stock_and_orders(database, [product])["stock"] == {product: 20 - 2 * orders_n}

    groups = []
    for item in made:
        groups += [
            [{"op": "cancel", "order": item["order"]}],
            [{"op": "expire", "order": item["order"]}],
            [{"op": "mark_paid", "order": item["order"], "payment": item["payment"]}],
        ]
    rows = run(database, groups)

    refused = {r["code"] for r in rows if not r["ok"]}
    assert refused <= {"invalid_state"}, refused
    statuses = dict(query(database, "SELECT id, status FROM marketplace_order"))
    payments = dict(query(database, "SELECT order_id, status FROM marketplace_payment"))
    outcomes = dict(
        query(
            database,
            "SELECT order_id, string_agg(action, ',') FROM marketplace_orderevent "
            "WHERE action IN ('paid', 'cancelled', 'expired') GROUP BY order_id",
        )
    )
    paid = 0
    for item in made:
        order = item["order"]
        assert outcomes[order] in {"paid", "cancelled", "expired"}, outcomes[order]  # exactly one, never two
        if outcomes[order] == "paid":
            paid += 1
            assert statuses[order] == "paid" and payments[order] == "succeeded"
        else:
            # The payment came after the cancellation: flagged for staff, the order stays cancelled.
            assert statuses[order] == "cancelled" and payments[order] == "flagged"
    held = query(database, "SELECT coalesce(sum(reserved_quantity), 0) FROM marketplace_orderline")[0][0]
    assert held == 0
    # Paid orders keep their 2 units; cancelled and expired ones gave theirs back exactly once.
    assert rush.stock_and_orders(database, [product])["stock"] == {product: 20 - 2 * paid}
    assert sum(1 for r in rows if r["op"] == "cancel" and r["ok"]) == list(outcomes.values()).count("cancelled")
