"""What one registration, check-in and stall sale cost, in-process: queries and CPU per API call on PostgreSQL.

    python -m bench.events_profile --server-url postgres://postgres@127.0.0.1:PORT/postgres [-n 300] [--sql]

A fresh database is created on the server, migrated, given the rushes' scenes (bench.http_rush.make_scenes, small
figures) and dropped afterwards. The calls are the rushes' bodies through the Django test client with the bench's
settings (bench.env): POST /api/fairs/<id>/registrations/ (anonymous, a slot with room for all), POST /api/checkin/
(a door staff token, each ticket once) and POST /api/fairs/<id>/sales/ (a vendor member's token, 1 unit, a new
client id each). Figures per call: this process's CPU and the PostgreSQL server's (bench.cpu), and the queries of
one call. On a shared machine compare runs made side by side (e.g. this file against an older checkout's tree).
"""

import argparse
import gc
import json
import os
import sys
import time
import uuid

from bench.env import BASE_DIR, bench_environ


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.events_profile", description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", required=True, help="a PostgreSQL server this user may create databases on")
    parser.add_argument("-n", type=int, default=300, help="calls per measurement (default 300)")
    parser.add_argument("--sql", action="store_true", help="print the statements of one call of each")
    args = parser.parse_args(argv)
    os.chdir(BASE_DIR)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    from bench import checkout_rush, http_rush

    n = max(args.n, 3)
    figures = http_rush.Figures(buyers=2, stock=1, stalls=2, vendors=2, visitors=n, capacity=10 * n, tickets=n)
    figures.scanners, figures.sale_vendors, figures.sales_per_vendor = 2, max(1, n // 20), 40
    name, url = checkout_rush.migrated_database(args.server_url, prefix="shanhai_events_profile")
    try:
        scenes = http_rush.make_scenes(url, figures, settings="config.settings.test", env=None)
        _measure(url, scenes, n, args.sql)
    finally:
        from django.db import connections

        connections.close_all()
        checkout_rush.drop_database(args.server_url, name)


def _measure(url, scenes, n, print_sql):
    os.environ.update(bench_environ(url))
    os.environ.pop("REDIS_URL", None)
    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import cpu

    client = Client(HTTP_HOST="127.0.0.1")
    visits, sales = scenes["visits"], scenes["sales"]
    staff = f"Bearer {scenes['stalls']['tokens'][str(visits['staff'][0])]}"

    def register(i):
        body = {"ticket_type": visits["ticket"], "slot": visits["slot"], "name": f"访客{i}", "phone": f"139{i:08d}"}
        body.update(email=f"visitor{i}@example.cn", people=1, join_waitlist=True, consent=True)
        path = f"/api/fairs/{visits['fair']}/registrations/"
        return client.post(path, json.dumps(body), content_type="application/json")

    def check_in(i):
        body = {"fair": visits["fair"], "code": scenes["ticket_codes"][visits["tickets"][i]]}
        return client.post("/api/checkin/", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=staff)

    def sell(i):
        vendor = sales["vendors"][i % len(sales["vendors"])]
        body = {"client_id": str(uuid.uuid4()), "vendor": vendor["vendor"], "product": vendor["product"]}
        body.update(quantity=1, payment="wechat")
        path = f"/api/fairs/{sales['fair']}/sales/"
        token = f"Bearer {vendor['token']}"
        return client.post(path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=token)

    postgres = cpu.postmaster_pid(url)
    operations = (("registration", register, 201), ("check-in", check_in, 200), ("stall sale", sell, 201))
    for label, call, status in operations:

        def checked(i, call=call, status=status, label=label):
            response = call(i)
            if response.status_code != status:
                raise SystemExit(f"{label}: expected {status}, got {response.status_code}: {response.content[:300]!r}")

        checked(0)  # warm: what a process looks up once is not counted
        with CaptureQueriesContext(connection) as captured:
            checked(1)
            statements = [query["sql"] for query in captured.captured_queries]
        gc.collect()
        app, database = time.process_time(), cpu.tree_seconds(postgres)
        for i in range(2, n):
            checked(i)
        app = (time.process_time() - app) * 1000 / (n - 2)
        line = f"{label}: {len(statements)} queries, {app:.2f} ms app CPU"
        if database is not None:
            line += f" + {(cpu.tree_seconds(postgres) - database) * 1000 / (n - 2):.2f} ms PostgreSQL CPU"
        print(f"{line} per call ({n - 2} calls)", flush=True)
        if print_sql:
            for sql in statements:
                print("   ", sql[:160])


if __name__ == "__main__":
    main()
