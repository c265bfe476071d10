"""`python -m bench.soak` (`make soak`): a mixed load for SOAK_MINUTES (default 10) on two gunicorn hosts sharing
one PostgreSQL and one Redis, with Redis killed and started again in the middle.

    SOAK_MINUTES=1 make soak        # a short smoke
    python -m bench.soak --minutes 10 --clients 8

The stack: a throwaway PostgreSQL cluster (the demo at SOAK_SCALE, default 0, plus the rush scenes of
bench/http_rush.py: a product with stock, buyers with API tokens, a fair with a time slot, a user with a
password), a redis-server and two gunicorn hosts (2 sync workers each) on ports in SOAK_PORTS (8120-8139).
Clients are threads; each request goes to the next host in turn. Every client loops until the time is up,
picking by weight:

    anonymous browsing   GET the core public pages (page cache hits and misses)
    signed-in browsing   the same pages, /account/ and GET /api/cart/ with a session made by logging in on
                         host A (sessions: Redis in front of the database)
    checkout order       POST /api/orders/ (bank transfer, 1 unit of the scarce product) with a bearer token
    fair registration    POST /api/fairs/<id>/registrations/ without an account, a fresh mobile number each

Orders and registrations carry an X-Idempotency-Key. A POST the client saw fail (socket error, timeout, 5xx) is
sent again with the same key (up to 5 times, to either host): that is how a client learns what happened to it.
At half time Redis is killed (SIGKILL) and started again on the same port SOAK_REDIS_DOWN seconds later.

Verdict (exit 1 when any fails), over all requests:
- no 5xx other than the documented 503 (`{"code": "unavailable"}` or the 503 page);
- no request lost: every order and registration in the database is one a client got back (201, or 200 on a
  retry), and every one a client got back is in the database; none is unresolved after the retries;
- counts exact: stock sold = units in the orders; the slot's confirmed and held counters = its registrations.
Reported: requests, statuses per kind, p50/p99 per kind and overall, and the same split before, during and after
the Redis outage. JSON in bench/results/ (git-ignored) unless --no-json.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.env import RESULTS_DIR, VAR_DIR, bench_environ  # noqa: E402
from bench.load import percentile  # noqa: E402
from bench.server import HOST, free_port_in  # noqa: E402

KINDS = ("anonymous", "signed in", "order", "registration")
WEIGHTS = (50, 20, 15, 15)
RETRIES = 5
PORTS = (8120, 8139)


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "10") or 10))
    parser.add_argument("--clients", type=int, default=env_int("SOAK_CLIENTS", 8))
    parser.add_argument("--scale", type=int, default=env_int("SOAK_SCALE", 0), help="load_demo --scale")
    parser.add_argument("--stock", type=int, default=env_int("SOAK_STOCK", 1500), help="units of the product")
    parser.add_argument("--capacity", type=int, default=env_int("SOAK_CAPACITY", 400), help="places in the slot")
    parser.add_argument("--buyers", type=int, default=20)
    parser.add_argument("--redis-down", type=float, default=float(os.environ.get("SOAK_REDIS_DOWN", "10")))
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= 120:
        parser.error("--minutes must be in (0, 120]")
    if not 1 <= args.clients <= 64:
        parser.error("--clients must be between 1 and 64")
    return args


# --- Redis that can be killed and started again on the same port ------------------------------------------------


class Redis:
    def __init__(self, port):
        import shutil

        from bench.stack import StackError

        self.port = port
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise StackError("redis-server is not installed (Debian: apt-get install redis-server)")
        self.proc = None
        self.url = f"redis://{HOST}:{port}/0"

    def start(self, timeout=15.0):
        from bench.stack import StackError, redis_command, redis_ping

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        log = open(VAR_DIR / "soak-redis.log", "a")  # noqa: SIM115 (closed with the process)
        self.proc = subprocess.Popen(
            redis_command(self.port, self.binary),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not redis_ping(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise StackError("redis-server did not start; see var/bench/soak-redis.log")
            time.sleep(0.05)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


# --- one HTTP request --------------------------------------------------------------------------------------------


def call(target, method, path, *, body=None, headers=None, timeout=30.0):
    """(status or None, headers dict, body bytes, error or None, ms)."""
    host, port = target
    started = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        all_headers = {"Host": f"{host}:{port}", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=all_headers)
        resp = conn.getresponse()
        content = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, content, None, _ms(started)
    except (OSError, http.client.HTTPException) as exc:
        return None, {}, b"", repr(exc), _ms(started)
    finally:
        conn.close()


def _ms(started):
    return (time.perf_counter() - started) * 1000


def _json(content):
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


def documented_503(status, headers, content):
    """The outage answer the README documents: JSON {"code": "unavailable"} or the 503 page, with Retry-After."""
    if status != 503:
        return False
    data = _json(content)
    return (isinstance(data, dict) and data.get("code") == "unavailable") or b"<html" in content[:200].lower()


def login(target, email, password):
    """Log in with the site's form on one host; returns the cookies (sessionid, csrftoken) or raises."""
    from bench.http_rush import _cookies, _raw

    host, port = target
    status, headers, body = _raw(host, port, "GET", "/login/")
    cookies = _cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not match:
        raise RuntimeError(f"no login form ({status})")
    form = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "identifier": email, "password": password})
    status, headers, _ = _raw(
        host,
        port,
        "POST",
        "/login/",
        body=form,
        cookies=cookies,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{host}:{port}/login/"},
    )
    cookies.update(_cookies(headers))
    if status not in (302, 303) or "sessionid" not in cookies:
        raise RuntimeError(f"login failed ({status})")
    return cookies


# --- the load ----------------------------------------------------------------------------------------------------


class Soak:
    def __init__(self, targets, scene, args):
        self.targets = targets
        self.scene = scene
        self.args = args
        self.rows = []  # one per HTTP request: kind, status, ok, ms, t, phase, host
        self.posts = {}  # idempotency key -> final outcome {kind, status, json, attempts}
        self.lock = threading.Lock()
        self.turn = 0
        self.phase = "before"
        self.sessions = []
        self.phones = iter(range(10**8))

    def next_target(self):
        with self.lock:
            self.turn += 1
            return self.targets[self.turn % len(self.targets)]

    def record(self, kind, path, status, headers, content, error, ms):
        expected = self.expected(kind, status, headers, content)
        row = {
            "kind": kind,
            "path": path,
            "status": status,
            "error": error,
            "ms": ms,
            "t": time.time(),
            "phase": self.phase,
            "expected": expected,
        }
        if not expected:
            row["body"] = content[:300].decode(errors="replace")
        with self.lock:
            self.rows.append(row)

    @staticmethod
    def expected(kind, status, headers, content):
        if status is None:
            return True  # seen failing by the client (counted; POSTs are retried)
        if status >= 500:
            return documented_503(status, headers, content)
        if kind in ("anonymous", "signed in"):
            return status in (200, 304)
        data = _json(content) or {}
        if kind == "order":
            return status in (200, 201) or (status == 409 and data.get("code") == "out_of_stock")
        return status in (200, 201) or (status == 409 and data.get("code") == "full")

    def browse(self, kind, cookies=None):
        paths = list(self.scene["pages"])
        headers = {}
        if kind == "signed in":
            paths += ["/account/", "/api/cart/"]
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        path = random.choice(paths)  # noqa: S311 (a load mix, not a secret)
        status, resp_headers, content, error, ms = call(self.next_target(), "GET", path, headers=headers)
        self.record(kind, path, status, resp_headers, content, error, ms)

    def post(self, kind, path, body, headers):
        key = uuid.uuid4().hex
        headers = {**headers, "X-Idempotency-Key": key, "Accept": "application/json"}
        outcome = {"kind": kind, "status": None, "json": None, "attempts": 0}
        for attempt in range(RETRIES):
            answer = call(self.next_target(), "POST", path, body=body, headers=headers)
            status, resp_headers, content, error, ms = answer
            self.record(kind, path, status, resp_headers, content, error, ms)
            outcome.update(status=status, json=_json(content), attempts=attempt + 1)
            if status is not None and status < 500:
                break
            time.sleep(1.0)  # seen failing: send it again, same key
        with self.lock:
            self.posts[key] = outcome

    def order(self):
        scene = self.scene
        body = {
            "lines": [{"product": scene["product"], "quantity": 1}],
            "payment_method": "bank_transfer",
            "address": {
                "recipient": "赵六",
                "phone": "13600136000",
                "city": "衢州市",
                "district": "常山县",
                "street": "天马街道 1 号",
            },
        }
        token = random.choice(scene["tokens"])  # noqa: S311
        self.post("order", "/api/orders/", body, {"Authorization": f"Bearer {token}"})

    def register(self):
        with self.lock:
            n = next(self.phones)
        body = {
            "ticket_type": self.scene["ticket"],
            "slot": self.scene["slot"],
            "name": f"访客{n}",
            "phone": f"135{n:08d}",
            "people": 1,
            "join_waitlist": True,
            "consent": True,
        }
        self.post("registration", f"/api/fairs/{self.scene['fair']}/registrations/", body, {})

    def client(self, i, deadline):
        rng = random.Random(i)  # noqa: S311
        cookies = self.sessions[i % len(self.sessions)]
        while time.monotonic() < deadline:
            kind = rng.choices(KINDS, WEIGHTS)[0]
            if kind == "order":
                self.order()
            elif kind == "registration":
                self.register()
            else:
                self.browse(kind, cookies)

    def run(self, redis, log=print):
        seconds = self.args.minutes * 60
        email, password = self.scene["session"]
        self.sessions = [login(self.targets[0], email, password) for _ in range(min(4, self.args.clients))]
        started = time.monotonic()
        deadline = started + seconds
        threads = [
            threading.Thread(target=self.client, args=(i, deadline), daemon=True) for i in range(self.args.clients)
        ]
        for thread in threads:
            thread.start()
        outage = {}
        time.sleep(max(0.0, seconds / 2))
        log(f"soak: {len(self.rows)} requests so far; killing Redis")
        self.phase = "Redis down"
        outage["down_at"] = round(time.monotonic() - started, 1)
        redis.kill()
        time.sleep(self.args.redis_down)
        redis.start()
        outage["up_at"] = round(time.monotonic() - started, 1)
        self.phase = "after"
        log(f"soak: Redis started again after {self.args.redis_down:g} s")
        for thread in threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic() + 120))
        return time.monotonic() - started, outage


# --- the verdict -------------------------------------------------------------------------------------------------


def _query(url, sql, *params):
    from bench.http_rush import _query as query

    return query(url, sql, *params)


def verdict(soak, url, scene, stock):
    rows, posts = soak.rows, soak.posts
    problems = []
    unexpected = [r for r in rows if not r["expected"]]
    for row in unexpected[:5]:
        problems.append(f"unexpected answer: {row['kind']} {row['path']} {row['status']} {row.get('body', '')[:120]}")
    if len(unexpected) > 5:
        problems.append(f"… {len(unexpected)} unexpected answers in all")
    unresolved = [k for k, o in posts.items() if o["status"] is None or o["status"] >= 500]
    if unresolved:
        problems.append(f"{len(unresolved)} orders/registrations still unanswered after {RETRIES} attempts")

    orders_seen = {
        o["json"]["number"]
        for o in posts.values()
        if o["kind"] == "order" and o["status"] in (200, 201) and isinstance(o["json"], dict)
    }
    rows_db = _query(
        url,
        "SELECT DISTINCT o.number FROM marketplace_order o JOIN marketplace_orderline l ON l.order_id = o.id "
        "WHERE l.product_id = %s",
        scene["product"],
    )
    orders_db = {number for (number,) in rows_db}
    left = _query(url, "SELECT quantity FROM marketplace_productstock WHERE product_id = %s", scene["product"])[0][0]
    units = _query(
        url,
        "SELECT coalesce(sum(l.quantity), 0) FROM marketplace_orderline l "
        "JOIN marketplace_order o ON o.id = l.order_id WHERE l.product_id = %s AND o.status <> 'cancelled'",
        scene["product"],
    )[0][0]
    if orders_db != orders_seen:
        problems.append(
            f"orders: {len(orders_db - orders_seen)} in the database no client got, "
            f"{len(orders_seen - orders_db)} got but not in the database"
        )
    if stock - left != units:
        problems.append(f"stock: {stock} - {left} left != {units} units ordered")

    regs_seen = {
        o["json"]["id"]
        for o in posts.values()
        if o["kind"] == "registration" and o["status"] in (200, 201) and isinstance(o["json"], dict)
    }
    regs_db = {pk for (pk,) in _query(url, "SELECT id FROM events_registration WHERE slot_id = %s", scene["slot"])}
    sql = "SELECT status, count(*) FROM events_registration WHERE slot_id = %s GROUP BY status"
    by_status = dict(_query(url, sql, scene["slot"]))
    confirmed, held, capacity = _query(
        url, "SELECT confirmed, held, capacity FROM events_timeslot WHERE id = %s", scene["slot"]
    )[0]
    if regs_db != regs_seen:
        problems.append(
            f"registrations: {len(regs_db - regs_seen)} in the database no client got, "
            f"{len(regs_seen - regs_db)} got but not in the database"
        )
    if confirmed != by_status.get("confirmed", 0) or held != by_status.get("held", 0) or confirmed + held > capacity:
        problems.append(f"slot counters {confirmed}+{held}/{capacity} != registrations {by_status}")
    counts = {
        "orders": len(orders_db),
        "orders_seen": len(orders_seen),
        "stock": [stock, left],
        "units": int(units),
        "registrations": len(regs_db),
        "registrations_seen": len(regs_seen),
        "by_status": by_status,
        "slot": [confirmed, held, capacity],
        "retried": sum(1 for o in posts.values() if o["attempts"] > 1),
    }
    return problems, counts


def figures(rows, seconds):
    def block(selected):
        latencies = sorted(r["ms"] for r in selected)
        return {
            "requests": len(selected),
            "statuses": dict(
                sorted(Counter(str(r["status"]) if r["status"] else "socket error" for r in selected).items())
            ),
            "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
            "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
        }

    out = {"all": {**block(rows), "req_per_s": round(len(rows) / seconds, 1) if seconds else None}}
    by_kind, by_phase = defaultdict(list), defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
        by_phase[row["phase"]].append(row)
    out["kinds"] = {kind: block(by_kind[kind]) for kind in KINDS}
    out["phases"] = {phase: block(by_phase[phase]) for phase in ("before", "Redis down", "after")}
    return out


def table(result):
    lines = ["| requests | what | statuses | p50 ms | p99 ms |", "| --- | --- | --- | ---: | ---: |"]

    def line(name, b):
        statuses = ", ".join(f"{k}: {v:,}" for k, v in b["statuses"].items())
        p50 = "" if b["p50_ms"] is None else f"{b['p50_ms']:.0f}"
        p99 = "" if b["p99_ms"] is None else f"{b['p99_ms']:.0f}"
        lines.append(f"| {b['requests']:,} | {name} | {statuses} | {p50} | {p99} |")

    f = result["figures"]
    line(f"all ({f['all']['req_per_s']} req/s)", f["all"])
    for kind, b in f["kinds"].items():
        line(kind, b)
    for phase, b in f["phases"].items():
        line(f"phase: {phase}", b)
    return "\n".join(lines)


# --- the stack ---------------------------------------------------------------------------------------------------


def _sigterm(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: the clean-up must not be cut short
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    os.chdir(BASE_DIR)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
        return 130


def run(args, log=print):
    from bench import checkout_rush, http_rush
    from bench.prepare import prepare
    from bench.server import hosts
    from tests.support import postgres

    with contextlib.ExitStack() as stack:
        server_url = stack.enter_context(postgres.throwaway_cluster())
        url = postgres.create_database(server_url, "shanhai_soak")
        log(f"soak: PostgreSQL at {server_url}")
        ports = []
        for _ in range(3):
            ports.append(free_port_in(*PORTS, taken=ports))
        redis = Redis(ports[0])
        redis.start()
        stack.callback(redis.stop)
        log(f"soak: redis-server on {redis.url}")
        environ = {**bench_environ(url), "REDIS_URL": redis.url}
        # A stamp of its own: the throwaway cluster's URL may repeat one of an earlier run.
        stamp = VAR_DIR / f"stamp-soak-{uuid.uuid4().hex}.json"
        stack.callback(stamp.unlink, missing_ok=True)
        prepare(url, environ, scale=args.scale, stamp=stamp, log=log)

        settings, env = checkout_rush.bench_settings()
        made = http_rush.make_scenes(
            url,
            http_rush.Figures(
                buyers=args.buyers,
                stock=args.stock,
                stalls=1,
                vendors=1,
                visitors=max(args.capacity, 1),
                capacity=args.capacity,
                tickets=1,
                scanners=1,
            ),
            settings=settings,
            env=env,
            log=log,
        )
        os.environ.update(environ)
        import django

        django.setup()
        from django.conf import settings as django_settings
        from django.utils import translation

        from bench.pages import CORE, FLOORS, registry

        pages = []
        with translation.override(django_settings.LANGUAGE_CODE):
            for page in registry():
                # Public pages only: the personal ones (cart, account, …) carry their reader's session cookie.
                if page.name in CORE and page.name not in FLOORS and not page.headers:
                    with contextlib.suppress(Exception):
                        path = page.resolve()
                        if path:
                            pages.append(path)
        from django.db import connections

        connections.close_all()
        scene = {
            "product": made["checkout"]["products"][0],
            "tokens": [made["stalls"]["tokens"][str(pk)] for pk in made["checkout"]["buyers"]],
            "fair": made["visits"]["fair"],
            "ticket": made["visits"]["ticket"],
            "slot": made["visits"]["slot"],
            "pages": pages,
            "session": (http_rush.SESSION_EMAIL, http_rush.SESSION_PASSWORD),
        }
        up = stack.enter_context(hosts(environ, 2, workers=2, threads=1, prefix="soak-host", log=log, ports=ports[1:]))
        targets = [(h, p) for h, p, _info in up]
        log(
            f"soak: {args.minutes:g} min, {args.clients} clients over {len(targets)} hosts; pages {pages}; "
            f"stock {args.stock}, slot of {args.capacity}"
        )
        # Warm-up, off the clock: the first visit of a page makes its image renditions (AVIF, WebP), which on
        # busy cores can take longer than a client waits.
        for target in targets:
            for path in pages:
                call(target, "GET", path, timeout=180.0)
        soak = Soak(targets, scene, args)
        seconds, outage = soak.run(redis, log=log)
        problems, counts = verdict(soak, url, scene, args.stock)
        result = {
            "minutes": args.minutes,
            "clients": args.clients,
            "hosts": len(targets),
            "seconds": round(seconds, 1),
            "redis_outage": outage,
            "figures": figures(soak.rows, seconds),
            "counts": counts,
            "problems": problems,
            "ok": not problems,
            "unexpected": [r for r in soak.rows if not r["expected"]][:50],
        }
        log("")
        log(table(result))
        log(f"\nsoak: Redis killed at {outage.get('down_at')} s, back at {outage.get('up_at')} s")
        log(f"soak: counts {json.dumps(counts, ensure_ascii=False)}")
        if not args.no_json:
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            path = RESULTS_DIR / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.json"
            path.write_text(json.dumps(result, ensure_ascii=False, indent=1))
            log(f"soak: JSON in {path}")
        for problem in problems:
            log(f"soak: FAIL {problem}")
        log("soak: OK" if not problems else "soak: FAILED")
        return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
