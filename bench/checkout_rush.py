"""Checkout rush: many buyer processes ordering one scarce product at the same moment, on PostgreSQL.

    python -m bench.checkout_rush                     # throwaway cluster, 8 workers, 400 attempts, stock 200
    python -m bench.checkout_rush --attempts 1000 --stock 300 --workers 16
    python -m bench.checkout_rush --database-url postgres://postgres@127.0.0.1:5432/postgres
    python -m bench                                    # the HTTP version against two hosts: bench/http_rush.py

Each worker is a separate Python process with Django set up (config.settings.production, as the page bench)
that runs its share of the attempts one after another, like a gunicorn sync worker serving one request
at a time. All workers wait on a barrier (a FIFO the parent opens) so the rush starts
at the same moment. Every attempt is `services.place_order` for 1 unit with its own buyer account.

Reported: orders placed per second (placed orders ÷ seconds from the start until the last worker
finished), p50/p99 latency of one attempt, and the check that matters: exactly `stock` orders, final
stock 0, nothing negative (OK/FAIL). A fresh database is created (and dropped afterwards) on the server
given by --database-url, or on a throwaway cluster (tests.support.postgres) when none is given.

The same machinery (`make_database`, `setup`, `rush`) drives tests/checkout/test_concurrency.py, where a
worker may fork one process per buyer so that every buyer is its own connection.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from tests.support import postgres  # noqa: E402  (no Django import at module level)

# --- databases ----------------------------------------------------------------------------------------------


def _admin(url):
    import psycopg

    return psycopg.connect(postgres.with_database(url, "postgres"), autocommit=True, connect_timeout=10)


def create_database(server_url, name, template="template0"):
    from psycopg import sql

    with _admin(server_url) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} ENCODING 'UTF8'").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    return postgres.with_database(server_url, name)


def drop_database(server_url, name):
    postgres.drop_database(postgres.with_database(server_url, "postgres"), name)


def migrated_database(server_url, prefix="shanhai_rush", settings="config.settings.test", env=None):
    """Create a new database and migrate it in a subprocess; returns (name, url)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    url = create_database(server_url, name)
    try:
        postgres.run_django(["migrate", "--noinput"], url, settings=settings, env=env, timeout=600)
    except BaseException:
        drop_database(server_url, name)
        raise
    return name, url


def template_copy(server_url, template, prefix="shanhai_rush"):
    """A new database copied from a migrated one (CREATE DATABASE … TEMPLATE: well under a second)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    return name, create_database(server_url, name, template=template)


# --- the scene: a vendor, scarce products, buyers (created in a subprocess) -----------------------------------

SETUP_CODE = r"""
import json, os
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from wagtail.models import Page
from cms.models import City, County
from marketplace.models import Category, ProductPage, ProductStock, VendorIndexPage, VendorPage
from cms.validators import uscc_check_character

spec = json.loads(os.environ["RUSH_SETUP"])
city, _ = City.objects.get_or_create(code="330800", defaults={"name": "衢州市", "name_en": "Quzhou"})
county, _ = County.objects.get_or_create(
    slug="changshan", defaults={"city": city, "name": "常山县", "name_en": "Changshan"})
category, _ = Category.objects.get_or_create(slug="fruit", defaults={"name": "水果", "name_en": "Fruit"})
root = Page.get_first_root_node()
market = VendorIndexPage.objects.first()
if market is None:
    market = root.add_child(instance=VendorIndexPage(title="山海市集", slug="rush-market"))
first_17 = "91330800000000001"
vendor = VendorPage(title="常山胡柚合作社", slug="rush-vendor", county=county,
                    uscc=first_17 + uscc_check_character(first_17), approval_status=VendorPage.Approval.APPROVED)
market.add_child(instance=vendor)
products = []
for i, (title, price, stock) in enumerate(spec["products"]):
    product = ProductPage(title=title, slug=f"rush-product-{i}", unit_price=Decimal(price), category=category)
    vendor.add_child(instance=product)
    ProductStock.objects.create(product=product, quantity=stock)
    products.append(product.pk)
User = get_user_model()
password = make_password(None)
User.objects.bulk_create([User(username=f"rush-buyer-{i}", email=f"buyer{i}@example.cn", password=password)
                          for i in range(spec["buyers"])], batch_size=1000)
buyers = list(User.objects.filter(username__startswith="rush-buyer-").order_by("pk").values_list("pk", flat=True))
print(json.dumps({"products": products, "buyers": buyers}))
"""


def setup(url, *, products, buyers, settings="config.settings.test", env=None):
    """Create products [(title, price, stock)] and `buyers` accounts; returns {"products": [ids], "buyers": [ids]}."""
    spec = json.dumps({"products": products, "buyers": buyers})
    result = postgres.run_django(SETUP_CODE, url, settings=settings, env={**(env or {}), "RUSH_SETUP": spec})
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- workers ------------------------------------------------------------------------------------------------

# Runs in each spawned process. RUSH_SPEC: {"go": FIFO path, "ready": path prefix, "fork": bool, "groups": [[task…]…]}.
# With fork, the process forks one child per group (each its own connection); otherwise it runs its one group.
# Each task prints one JSON line: {"op", "ok", "code", "order", "ms", "t"}.
WORKER_CODE = r"""
import json, os, sys, time, traceback
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.db import connections
from cms.errors import DomainError
from marketplace.checkout import services
from marketplace.checkout.models import Order, Payment
from marketplace.checkout.services import Address, LineRequest

spec = json.loads(os.environ["RUSH_SPEC"])
ADDRESS = Address("赵六", "13600136000", "浙江省", "衢州市", "常山县", "天马街道 1 号")
User = get_user_model()

def run(index, tasks):
    buyers = {u.pk: u for u in User.objects.filter(pk__in=[t["buyer"] for t in tasks if "buyer" in t])}
    orders = {o.pk: o for o in Order.objects.filter(pk__in=[t["order"] for t in tasks if "order" in t])}
    open(f"{spec['ready']}{index}", "w").close()
    # The barrier: opening a FIFO for reading blocks until the parent opens it for writing (no polling).
    os.close(os.open(spec["go"], os.O_RDONLY))
    out = []
    for task in tasks:
        op, started = task["op"], time.perf_counter()
        row = {"op": op, "ok": True, "code": None, "order": None}
        try:
            if op == "place":
                order = services.place_order(buyer=buyers[task["buyer"]], payment_method="bank_transfer",
                                             address=ADDRESS,
                                             lines=[LineRequest(pid, qty) for pid, qty in task["lines"]])
                row["order"] = order.pk
            elif op == "cancel":
                order = orders[task["order"]]
                services.cancel_order(order, user=order.buyer, reason="rush")
            elif op == "expire":
                due = Order.objects.get(pk=task["order"]).payment_due_at
                row["expired"] = services.expire_unpaid_orders(now=due + timedelta(seconds=1))
            elif op == "mark_paid":
                order = services.mark_paid(orders[task["order"]], Payment.objects.get(pk=task["payment"]))
                row["status"] = order.status
            else:
                raise ValueError(op)
        except DomainError as exc:
            row.update(ok=False, code=exc.code)
        except Exception as exc:
            row.update(ok=False, code="error", error=repr(exc), tb=traceback.format_exc()[-1500:])
        row["ms"] = (time.perf_counter() - started) * 1000
        row["t"] = time.time()
        out.append(json.dumps(row))
    # One write per group; pipes keep writes below PIPE_BUF whole, and a worker's lines stay together anyway.
    sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.flush()

groups = spec["groups"]
if spec.get("fork"):
    connections.close_all()
    children = []
    for index, tasks in enumerate(groups):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                run(spec["offset"] + index, tasks)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                connections.close_all()
                sys.stdout.flush()
                os._exit(code)
        children.append(pid)
    failed = sum(1 for pid in children if os.waitpid(pid, 0)[1] != 0)
    sys.exit(1 if failed else 0)
else:
    run(spec["offset"], groups[0])
    connections.close_all()
"""


class RushError(RuntimeError):
    pass


def rush(url, groups_per_process, *, fork=False, settings="config.settings.test", env=None, timeout=120, code=None):
    """Start one process per entry of groups_per_process (each a list of task groups), wait until every group
    is ready, start them all at once, collect their results. Returns (rows, seconds from go to last finish).
    `code` replaces WORKER_CODE (bench/registration_rush.py); it gets the same RUSH_SPEC and keeps its protocol."""
    workdir = Path(tempfile.mkdtemp(prefix="shanhai-rush-"))
    go, ready = workdir / "go", str(workdir / "ready-")
    os.mkfifo(go)
    processes, offset, release = [], 0, None
    try:
        for groups in groups_per_process:
            if not fork and len(groups) != 1:
                raise ValueError("without fork each process runs exactly one group")
            spec = {"go": str(go), "ready": ready, "fork": fork, "groups": groups, "offset": offset}
            offset += len(groups)
            processes.append(
                postgres.spawn_django(
                    code or WORKER_CODE, url, settings=settings, env={**(env or {}), "RUSH_SPEC": spec_json(spec)}
                )
            )
        deadline = time.monotonic() + timeout
        while len(list(workdir.glob("ready-*"))) < offset:
            dead = [p for p in processes if p.poll() not in (None, 0)]
            if dead or time.monotonic() > deadline:
                out, err = dead[0].communicate() if dead else ("", "timed out waiting for the workers")
                raise RushError(f"a worker failed before the start:\n{out}\n{err}")
            time.sleep(0.01)
        started = time.time()
        # Every worker is blocked opening the FIFO for reading; opening it for writing releases them all at once.
        # It stays open until the end, so a worker that gets there late does not wait at all.
        while True:
            try:
                release = os.open(go, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError:  # ENXIO: no reader has opened it yet
                if time.monotonic() > deadline:
                    raise RushError("no worker reached the barrier") from None
                time.sleep(0.001)
        rows, errors = [], []
        for process in processes:
            try:
                out, err = process.communicate(timeout=max(1, deadline + timeout - time.monotonic()))
            except Exception:
                process.kill()
                raise
            if process.returncode != 0:
                errors.append(err[-3000:])
            rows.extend(json.loads(line) for line in out.splitlines() if line.startswith("{"))
        if errors:
            raise RushError("worker(s) failed:\n" + "\n---\n".join(errors))
        finished = max((row["t"] for row in rows), default=started)
        return rows, finished - started
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        if release is not None:
            os.close(release)
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


def spec_json(spec):
    return json.dumps(spec, separators=(",", ":"))


def stock_and_orders(url, product_ids):
    """Final stock per product, the number of orders and the lowest stock seen (read with psycopg)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        stock = dict(
            conn.execute(
                "SELECT product_id, quantity FROM marketplace_productstock WHERE product_id = ANY(%s)", [product_ids]
            ).fetchall()
        )
        orders = conn.execute("SELECT count(*) FROM marketplace_order").fetchone()[0]
        by_status = dict(conn.execute("SELECT status, count(*) FROM marketplace_order GROUP BY status").fetchall())
        sold = dict(
            conn.execute(
                "SELECT product_id, coalesce(sum(quantity), 0) FROM marketplace_orderline "
                "JOIN marketplace_order o ON o.id = order_id WHERE o.status <> 'cancelled' GROUP BY product_id"
            ).fetchall()
        )
    return {"stock": stock, "orders": orders, "by_status": by_status, "sold": sold}


# --- the benchmark --------------------------------------------------------------------------------------------


def percentile(values, pct):
    from bench.load import percentile as nearest_rank

    return nearest_rank(sorted(values), pct)


def run_rush(server_url, *, attempts, stock, workers, settings, env, keep=False, out=print):
    """Create and migrate a rush database on server_url, rush it, drop it (unless keep); returns the figures."""
    name, url = migrated_database(server_url, settings=settings, env=env)
    try:
        return rush_on(url, attempts=attempts, stock=stock, workers=workers, settings=settings, env=env, out=out)
    finally:
        if not keep:
            drop_database(server_url, name)


def rush_on(url, *, attempts, stock, workers, settings="config.settings.test", env=None, out=print):
    """The rush on an existing migrated database: one product with `stock` units, `attempts` buyers."""
    workers = max(1, min(workers, attempts))
    scene = setup(url, products=[("常山胡柚 · 抢购", "58.00", stock)], buyers=attempts, settings=settings, env=env)
    product = scene["products"][0]
    tasks = [{"op": "place", "buyer": buyer, "lines": [[product, 1]]} for buyer in scene["buyers"]]
    shares = [tasks[i::workers] for i in range(workers)]
    out(f"rush: {attempts} attempts by {workers} worker processes for stock {stock} ({url.rsplit('/', 1)[1]})")
    rows, seconds = rush(url, [[share] for share in shares], settings=settings, env=env, timeout=600)
    final = stock_and_orders(url, [product])
    placed = sum(1 for r in rows if r["ok"])
    refused = sum(1 for r in rows if r["code"] == "out_of_stock")
    errors = [r for r in rows if not r["ok"] and r["code"] != "out_of_stock"]
    latencies = [r["ms"] for r in rows]
    final_stock = final["stock"][product]
    ok = placed == stock and final["orders"] == stock and final_stock == 0 and not errors and len(rows) == attempts
    result = {
        "attempts": attempts,
        "workers": workers,
        "stock": stock,
        "placed": placed,
        "refused_out_of_stock": refused,
        "errors": len(errors),
        "seconds": seconds,
        "orders_per_second": placed / seconds if seconds else None,
        "attempts_per_second": len(rows) / seconds if seconds else None,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "final_stock": final_stock,
        "orders_in_db": final["orders"],
        "ok": ok,
    }
    out(
        f"rush: {placed} orders placed, {refused} refused (out_of_stock), {len(errors)} errors in {seconds:.2f} s: "
        f"{result['orders_per_second']:.0f} orders/s ({result['orders_per_second'] * 60:.0f}/min), "
        f"{result['attempts_per_second']:.0f} attempts/s; latency p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms"
    )
    out(
        f"rush: final stock {final_stock}, {final['orders']} orders in the database (expected {stock} and 0): "
        + ("OK" if ok else "FAIL")
    )
    for row in errors[:3]:
        out(f"rush: error: {row.get('error')}\n{row.get('tb', '')}")
    return result


def bench_settings():
    from bench.env import bench_environ

    env = bench_environ("unused")
    env.pop("DATABASE_URL")
    # Production settings queue e-mails in the database (django-tasks), as a real deployment does.
    return env.pop("DJANGO_SETTINGS_MODULE"), env


@contextlib.contextmanager
def server(database_url=None):
    """The server to create the rush database on: the given one, or a throwaway cluster."""
    if database_url:
        if not postgres.is_postgres_url(database_url):
            raise SystemExit("checkout_rush: --database-url must be a PostgreSQL URL (the rush needs row locks)")
        yield database_url
        return
    with postgres.throwaway_cluster(quiet=False) as url:
        yield url


def add_arguments(parser, prefix=""):
    parser.add_argument(f"--{prefix}attempts", type=int, default=400, help="buyers, one attempt each (default 400)")
    parser.add_argument(f"--{prefix}stock", type=int, default=200, help="units in stock (default 200)")
    parser.add_argument(f"--{prefix}workers", type=int, default=8, help="worker processes (default 8)")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.checkout_rush", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (default: start a throwaway cluster)")
    parser.add_argument("--keep", action="store_true", help="keep the rush database afterwards")
    parser.add_argument("--json", action="store_true", help="print the result as JSON too")
    add_arguments(parser)
    args = parser.parse_args(argv)
    if not (1 <= args.workers <= 64 and args.attempts >= 1 and args.stock >= 0):
        parser.error("need 1 <= --workers <= 64, --attempts >= 1, --stock >= 0")
    settings, env = bench_settings()
    try:
        with server(args.database_url) as url:
            result = run_rush(
                url,
                attempts=args.attempts,
                stock=args.stock,
                workers=args.workers,
                settings=settings,
                env=env,
                keep=args.keep,
            )
    except (postgres.PostgresUnavailable, postgres.PostgresStartError) as exc:
        print(f"checkout_rush: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
