"""What one checkout-rush order costs, in-process: queries and CPU per `POST /api/orders/`, placed and refused.

    python -m bench.order_profile --database-url postgres://postgres@127.0.0.1:PORT/DB [--redis-url URL] [-n 300]
    python -m bench.order_profile --database-url ... --profile     # and cProfiles, by cumulative and by own time
    python -m bench.order_profile --database-url ... --lines 3     # orders of 3 products (default 1, as the rush)

The database must hold the demo (`manage.py migrate && manage.py load_demo`); the run adds buyers
(`order-profile-buyer-N`) with API tokens, sets the stock of one demo product (`--lines N`: of N) and places
orders on it: use a throwaway or demo database, never one that matters. The requests go through the Django test
client with production settings (bench.env), like the checkout rush's bodies (1 unit, bank transfer, an
address), each buyer with its own token as in the rush. Figures: this process's CPU (time.process_time) and,
when the database is a local PostgreSQL this user may read /proc of, the server's CPU (bench.cpu), each per
request: a placed order, then a refusal (out of stock; with several lines, of the last).
On a shared machine compare runs made one after the other, not with other days.
"""

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import sys
import time

from bench.env import BASE_DIR, bench_environ

ADDRESS = {
    "recipient": "张三",
    "phone": "13800000000",
    "province": "浙江省",
    "city": "衢州市",
    "district": "柯城区",
    "street": "府山街道 1 号",
}


def _setup(database_url, redis_url):
    os.environ.update(bench_environ(database_url))
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # not a warning per refused order


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.order_profile", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a database with the demo loaded (it gets orders)")
    parser.add_argument("--redis-url", help="Redis for cache and sessions, as the rush hosts have (default: none)")
    parser.add_argument("-n", type=int, default=300, help="requests per measurement (default 300)")
    parser.add_argument("--profile", action="store_true", help="also print cProfiles of n placed orders")
    parser.add_argument("--sql", action="store_true", help="print the statements of one placed and one refused")
    parser.add_argument("--lines", type=int, default=1, help="products per order, 1 unit each (default 1)")
    args = parser.parse_args(argv)
    _setup(args.database_url, args.redis_url)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import cpu
    from cms.models import ApiToken
    from marketplace.models import ProductPage, ProductStock

    n = args.n
    stocks = list(
        ProductStock.objects.filter(
            product__live=True,
            product__available=True,
            product__track_stock=True,
            product__min_order_quantity__lte=1,
            product__audience__in=[ProductPage.Audience.PUBLIC, ProductPage.Audience.BOTH],
            product__vendor__approval_status="approved",
        ).order_by("pk")[: args.lines]
    )
    if len(stocks) < args.lines:
        parser.error(f"fewer than {args.lines} public stock-tracked products: load the demo first")
    users = get_user_model().objects
    secrets = []
    for i in range(3 * n + 4):
        user, _created = users.get_or_create(username=f"order-profile-buyer-{i}")
        secrets.append(ApiToken.issue(user, "order profile")[1])
    connection.close()
    client = Client(HTTP_HOST="127.0.0.1")
    body = json.dumps(
        {
            "lines": [{"product": stock.product_id, "quantity": 1} for stock in stocks],
            "payment_method": "bank_transfer",
            "address": ADDRESS,
        }
    )
    buyers = iter(secrets)
    postgres_pid = cpu.postmaster_pid(args.database_url) if connection.vendor == "postgresql" else None

    def order(status):
        response = client.post(
            "/api/orders/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {next(buyers)}"
        )
        if response.status_code != status:
            raise SystemExit(f"expected {status}, got {response.status_code}: {response.content[:300]!r}")

    def queries(label, status):
        with CaptureQueriesContext(connection) as captured:
            order(status)
        print(f"{label}: {len(captured.captured_queries)} queries per request")
        if args.sql:
            for query in captured.captured_queries:
                print("   ", query["sql"][:160])

    def measure(label, status):
        gc.collect()
        app, database = time.process_time(), cpu.tree_seconds(postgres_pid)
        for _ in range(n):
            order(status)
        app = (time.process_time() - app) * 1000 / n
        line = f"{label}: {app:.2f} ms app CPU"
        if database is not None:
            line += f" + {(cpu.tree_seconds(postgres_pid) - database) * 1000 / n:.2f} ms PostgreSQL CPU"
        print(line + f" per request ({n} requests)")

    original = {stock.pk: stock.quantity for stock in stocks}
    every = ProductStock.objects.filter(pk__in=list(original))
    try:
        every.update(quantity=10 * n)
        order(201)  # warm: what a process looks up once is not counted
        queries("placed", 201)
        measure("placed", 201)
        # The last line refused (the stock statement's worst case: every other line taken, then given back).
        ProductStock.objects.filter(pk=stocks[-1].pk).update(quantity=0)
        queries("refused (out of stock)", 409)
        measure("refused (out of stock)", 409)
        if args.profile:
            every.update(quantity=10 * n)
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(n - 2):
                order(201)
            profile.disable()
            for key in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats(key).print_stats(60)
                print(out.getvalue())
    finally:
        for pk, quantity in original.items():
            ProductStock.objects.filter(pk=pk).update(quantity=quantity)


if __name__ == "__main__":
    main()
