"""`python -m bench`: prepare a bench database, run gunicorn, load every registered page, print the figures.

See bench/README.md. Nothing here asserts a speed; it measures and reports.
"""

import argparse
import contextlib
import os
import platform
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

from bench.env import BASE_DIR, bench_environ, default_database_url
from bench.pages import BARE_FLOOR, FLOOR

DEFAULTS = {"duration": 5.0, "connections": 8, "scale": 10000}
QUICK = {"duration": 1.0, "connections": 2}
SMOKE = {"duration": 1.0, "connections": 4, "scale": 0}
BENCH_DATABASE = "shanhai_bench"


def parse_args(argv=None):
    from bench.http_rush import Figures

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        help="bench database (default: database shanhai_bench on the project's PostgreSQL cluster in var/bench/pg, "
        f"started and stopped by the run; e.g. {default_database_url()} for a quick SQLite run)",
    )
    parser.add_argument(
        "--hosts", type=int, default=2, help='gunicorn instances ("hosts") sharing database and Redis (default 2)'
    )
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="no Redis: cache in local memory per process, sessions in the database (only with --hosts 1)",
    )
    parser.add_argument("--scale", type=int, help="manage.py load_demo --scale N (default 10000; --smoke 0)")
    parser.add_argument("--reload", action="store_true", help="run load_demo even if the stamp says it ran")
    parser.add_argument("--skip-prepare", action="store_true", help="no migrate/load_demo/collectstatic")
    parser.add_argument("--duration", type=float, help="seconds of load per page (default 5; --quick, --smoke 1)")
    parser.add_argument("--connections", type=int, help="concurrent connections (default 8; --quick 2; --smoke 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per host (default 2)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (default 1: sync)")
    parser.add_argument(
        "--generator", choices=["auto", "wrk", "python"], default="auto", help="load generator (auto: wrk if on PATH)"
    )
    parser.add_argument("--max-requests", type=int, default=500_000, help="cap per page for the Python generator")
    parser.add_argument("--quick", action="store_true", help="1 s per page, 2 connections")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="CI: demo at scale 0, 1 s per page, small rushes; exit 1 if a page fails, a count is not exact or "
        "the two-host setup does not share sessions (never because of a timing)",
    )
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="measure only this page (repeatable); the floor is kept"
    )
    parser.add_argument("--all-pages", action="store_true", help="every registered page, not only the core ones")
    parser.add_argument("--list", action="store_true", help="list the registered pages and their paths, then stop")
    parser.add_argument("--no-pages", action="store_true", help="skip the page table (rushes only)")
    parser.add_argument("--no-rushes", action="store_true", help="skip the rushes")
    parser.add_argument(
        "--rush",
        action="append",
        metavar="NAME",
        help='run only this rush (repeatable: "checkout", "stall race", "registration", "check-in", "stall-sales")',
    )
    parser.add_argument("--no-json", action="store_true", help="do not write bench/results/*.json")
    base = Figures()
    rush = parser.add_argument_group("rushes (defaults; --smoke makes them small)")
    for name, help_text in (
        ("clients", "concurrent clients per rush, spread over the hosts"),
        ("buyers", "checkout rush: buyers, 1 unit each"),
        ("stock", "checkout rush: units in stock"),
        ("stalls", "stall race: stalls"),
        ("vendors", "stall race: vendors, each after one stall"),
        ("visitors", "registration rush: visitors, 1 person each"),
        ("capacity", "registration rush: places in the slot"),
        ("decline-every", "registration rush: every N-th visitor declines the waiting list (0: none)"),
        ("tickets", "check-in rush: confirmed tickets"),
        ("scanners", "check-in rush: door staff (one client each)"),
        ("double-every", "check-in rush: every N-th ticket is scanned by two scanners at once (0: none)"),
        ("sale-vendors", "stall-sales rush: vendors, each with a confirmed stall and a member recording"),
        ("sales-per-vendor", "stall-sales rush: sales per vendor, 1 unit each (the product's stock)"),
        ("retry-every", "stall-sales rush: every N-th sale is sent twice with the same client id (0: none)"),
    ):
        attr = name.replace("-", "_")
        rush.add_argument(
            f"--{name}", type=int, dest=f"rush_{attr}", help=f"{help_text} (default {getattr(base, attr)})"
        )
    args = parser.parse_args(argv)
    from bench.http_rush import RUSHES

    unknown = [name for name in args.rush or () if not chosen_rushes(RUSHES, [name])]
    if unknown:
        parser.error(f"no such rush: {', '.join(unknown)} (rushes: {', '.join(name for name, _run in RUSHES)})")
    base = SMOKE if args.smoke else QUICK if args.quick else DEFAULTS
    args.duration = base["duration"] if args.duration is None else args.duration
    args.connections = base["connections"] if args.connections is None else args.connections
    if args.scale is None:
        args.scale = SMOKE["scale"] if args.smoke else DEFAULTS["scale"]
    figures = Figures.smoke() if args.smoke else Figures()
    for attr in vars(figures):
        value = getattr(args, f"rush_{attr}", None)
        if value is not None:
            setattr(figures, attr, value)
    args.figures = figures
    problem = figures.problem()
    if problem:
        parser.error(problem)
    if args.duration <= 0 or args.duration > 600:
        parser.error("--duration must be in (0, 600] seconds")
    if not 1 <= args.connections <= 256:
        parser.error("--connections must be between 1 and 256")
    if not 1 <= args.hosts <= 8:
        parser.error("--hosts must be between 1 and 8")
    if args.no_redis and args.hosts > 1:
        parser.error("--no-redis needs --hosts 1: several hosts share sessions and cache through Redis")
    if args.scale < 0:
        parser.error("--scale must be >= 0")
    return args


def chosen_rushes(rushes, wanted):
    """The (name, run) of `rushes` whose names start with one of `wanted` (all when `wanted` is empty)."""
    return [(name, run) for name, run in rushes if not wanted or any(name.startswith(w) for w in wanted)]


def _sigterm(signum, frame):
    # Unwind like Ctrl-C, once: a second SIGTERM during the clean-up (stopping hosts, Redis, PostgreSQL, each
    # bounded in time) must not cut it short and leave processes behind.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def cpu_busy(seconds=1.0):
    """Share of all CPUs busy over `seconds`, from /proc/stat (Linux); None elsewhere."""

    def sample():
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields), idle

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    total = total1 - total0
    return None if total <= 0 else 1 - (idle1 - idle0) / total


def _git_commit():
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def machine_info(generator, args):
    import django
    import gunicorn
    import wagtail
    from django.db import connection

    vendor = connection.vendor
    if vendor == "sqlite":
        import sqlite3

        db_version = sqlite3.sqlite_version
    else:
        connection.ensure_connection()
        db_version = getattr(connection, "pg_version", None) or connection.Database.__version__
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = None
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "cpu_busy_before": cpu_busy(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "gunicorn": gunicorn.__version__,
        "db_vendor": vendor,
        "db_version": str(db_version),
        "generator": generator,
        "git_commit": _git_commit(),
    }


def _redact(url):
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def ensure_database(server_url, name, stamp):
    """Create database `name` on the server unless it exists; a new database invalidates the demo stamp."""
    from bench.checkout_rush import create_database

    rows = _pg(server_url, "SELECT 1 FROM pg_database WHERE datname = %s", name)
    if not rows:
        print(f"bench: creating database {name}")
        create_database(server_url, name)
        stamp.unlink(missing_ok=True)


def _pg(server_url, sql, *params):
    import psycopg

    from tests.support import postgres

    with psycopg.connect(postgres.with_database(server_url, "postgres"), autocommit=True, connect_timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def copy_database(server_url, template, prefix="shanhai_rush", attempts=20):
    """A new database copied from `template` (which must have no connections); returns (name, url)."""
    import psycopg

    from bench.checkout_rush import template_copy

    for attempt in range(attempts):
        try:
            return template_copy(server_url, template, prefix=prefix)
        except psycopg.errors.ObjectInUse:
            # Connections of stopped gunicorn workers can take a moment to go away.
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)
    raise AssertionError("unreachable")


def _generator_seconds():
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has been waited for
    return usage.ru_utime + usage.ru_stime


def measure_pages(rows, targets, args, generator, pids=()):
    """Load every row's path on all targets together; fills the row. `pids`: {"app": [host master pids],
    "redis": [pid]}, whose CPU per request the row gets (`cpu_ms`, with the load generator's when it is wrk)."""
    from bench import cpu
    from bench.load import measure

    host, port = targets[0]
    _warm_workers(targets, args.workers, [row["path"] for row in rows if row["path"] is not None])
    for row in rows:
        if row["path"] is None:
            continue
        headers = dict(row.get("headers") or ())
        try:
            # Warm every worker of every host, and take the status (and X-Cache) the real servers give.
            for _ in range(1 if args.smoke else 2 * args.workers):
                for target_host, target_port in targets:
                    row["status"], row["x_cache"] = _warm(target_host, target_port, row["path"], headers)
            before = {name: cpu.tree_seconds(*found) for name, found in dict(pids).items()}
            generator_before = _generator_seconds()
            result = measure(
                host,
                port,
                row["path"],
                duration=args.duration,
                connections=args.connections,
                generator=generator,
                max_requests=args.max_requests,
                headers=headers,
                targets=targets,
            )
            spent = {name: _spent(before[name], cpu.tree_seconds(*found)) for name, found in dict(pids).items()}
            if result.generator == "wrk":
                spent["load"] = _generator_seconds() - generator_before
        except Exception as exc:
            row["error"] = f"load failed: {exc!r}"
            continue
        if result.requests:
            row["cpu_ms"] = {name: s * 1000 / result.requests for name, s in spent.items() if s is not None}
        if result.requests == 0:
            # wrk then prints 0 µs percentiles; nothing was measured, which is a finding in itself.
            # A timing, so a warning, never a failure.
            row["warning"] = f"no request completed in {args.duration:g} s (one takes longer than the load period)"
            result.p50_ms = result.p99_ms = None
        row.update(
            rps=result.rps,
            p50_ms=result.p50_ms,
            p99_ms=result.p99_ms,
            requests=result.requests,
            seconds=result.seconds,
            errors=result.errors,
            non_2xx_3xx=result.non_2xx_3xx,
            generator=result.generator,
            load_extra=result.extra,
        )
        print(f"  {row['name']:<24} {row['path']:<40.40} {row['status']}  {result.rps:9.1f} req/s", flush=True)


def _spent(before, after):
    return None if before is None or after is None else max(after - before, 0.0)


def _warm_workers(targets, workers, paths):
    """Send every page to every host from several connections at once, so that each worker (not only the
    one that happens to accept first) has loaded the URLconf and templates before anything is measured:
    otherwise the first page measured (the floor) pays for the cold workers."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(h, p, path) for h, p in targets for path in paths for _ in range(2 * workers)]
    with ThreadPoolExecutor(max_workers=2 * workers * len(targets)) as pool:
        for future in [pool.submit(_warm, h, p, path, {}) for h, p, path in jobs]:
            with contextlib.suppress(OSError):  # the page's own warm-up reports a host that does not answer
                future.result()


def _warm(host, port, path, headers, timeout=10.0):
    import http.client

    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": f"{host}:{port}", **headers})
        resp = conn.getresponse()
        resp.read()
        return resp.status, resp.getheader("X-Cache")
    finally:
        conn.close()


def page_failures(rows):
    """What makes a smoke run fail on the page side: a page that was not found or not measured, answered
    outside 2xx/3xx, or had non-2xx/3xx answers under load. Never a timing."""
    failures = []
    for row in rows:
        status = row.get("status")
        if row.get("error"):
            failures.append(f"page {row['name']}: {row['error']}")
        elif row.get("path") is None:
            failures.append(f"page {row['name']}: no such page in the bench database")
        elif status is None or not 200 <= status < 400:
            failures.append(f"page {row['name']}: HTTP {status}")
        elif row.get("non_2xx_3xx"):
            failures.append(f"page {row['name']}: {row['non_2xx_3xx']} non-2xx/3xx responses under load")
    return failures


def rush_failures(rushes, session):
    failures = []
    if session is not None and not session.get("ok"):
        failures.append(f"shared session: {session.get('why')} {session.get('steps')}")
    for name, result in rushes.items():
        if "error" in result:
            failures.append(f"{name}: {result['error']}")
        elif not result.get("exact"):
            failures.append(f"{name}: counts not exact: {result.get('counts')}; answers {result.get('answers')}")
    return failures


def run_rushes(server_url, bench_database, redis_url, args, log=print):
    """Copy the bench database, make the scenes, start the rush hosts on the copy (Redis database 1), check
    that they share sessions, run every rush; drop the copy. Returns (rushes, session check, hosts info)."""
    from bench import checkout_rush, cpu, http_rush
    from bench.server import hosts
    from bench.stack import with_redis_db
    from tests.support import postgres

    rushes, session, servers = {}, None, []
    started = time.monotonic()
    name, url = copy_database(server_url, bench_database)
    log(f"\nbench: rushes on {name}, a copy of {bench_database} ({time.monotonic() - started:.1f} s)")
    try:
        settings, env = checkout_rush.bench_settings()
        scenes = http_rush.make_scenes(url, args.figures, settings=settings, env=env, log=log)
        scenes["url"] = url
        environ = bench_environ(url)
        if redis_url:
            environ["REDIS_URL"] = with_redis_db(redis_url, 1)
        with hosts(environ, args.hosts, workers=args.workers, threads=args.threads, prefix="rush-host") as up:
            servers = [info for _h, _p, info in up]
            targets = [(h, p) for h, p, _info in up]
            meter = cpu.Meter([info.get("pid") for info in servers], cpu.postmaster_pid(server_url))
            if len(targets) > 1:
                session = http_rush.check_shared_session(targets)
                log(
                    "bench: session made on host A known to host B: "
                    f"{'yes' if session['ok'] else 'NO'} {session['steps']}"
                )
            for rush_name, run in chosen_rushes(http_rush.RUSHES, args.rush):
                try:
                    meter.start()
                    result = run(targets, scenes, args.figures, log=log)
                    # CPU per order placed (checkout rush), per sale recorded (stall-sales rush), else per request.
                    unit = http_rush.CPU_PER.get(rush_name, "request")
                    done = result["answers"].get("201", 0) if unit != "request" else result["requests"]
                    result["cpu"] = {**meter.stop(done), "per": unit, "operations": done}
                except Exception as exc:
                    result = {"error": repr(exc)}
                rushes[rush_name] = result
                if "error" in result:
                    log(f"  {rush_name:<18} ERROR {result['error']}")
                else:
                    log(
                        f"  {rush_name:<18} {result['what']}: {result['ops_per_second']:,.0f} ops/s, answers "
                        f"{result['answers']}, per host {result['per_host']}; {result['counts']}: "
                        + ("exact" if result["exact"] else "NOT EXACT")
                        + f"; {cpu.describe(result['cpu'], result['cpu']['per'])}"
                    )
                    for problem in result.get("problems", []):
                        log(f"    unexpected answer: {problem}")
    finally:
        postgres.drop_database(postgres.with_database(server_url, "postgres"), name)
    return rushes, session, servers


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    os.chdir(BASE_DIR)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))

    from bench.load import wrk_path

    generator = args.generator if args.generator != "auto" else ("wrk" if wrk_path() else "python")
    if generator == "wrk" and not wrk_path():
        print("bench: wrk is not on PATH; use --generator python", file=sys.stderr)
        return 2
    try:
        with contextlib.ExitStack() as stack:
            return run(args, generator, stack)
    except KeyboardInterrupt:
        print("\nbench: interrupted", file=sys.stderr)
        return 130


def run(args, generator, stack):
    from bench import stack as services
    from bench.prepare import PrepareError, prepare
    from tests.support import postgres

    failures = []
    stamp = None
    if args.database_url:
        database_url = args.database_url
        server_url = database_url if postgres.is_postgres_url(database_url) else None
        bench_database = urlsplit(database_url).path.lstrip("/") if server_url else None
    else:
        try:
            if args.smoke:
                # CI: a throwaway cluster, so that a smoke run never touches (or waits for) the kept one.
                server_url = stack.enter_context(postgres.throwaway_cluster())
            else:
                server_url = stack.enter_context(services.postgres_server())
        except (postgres.PostgresUnavailable, postgres.PostgresStartError) as exc:
            print(
                f"bench: no PostgreSQL: {exc}\n(install Debian's postgresql, or pass --database-url)", file=sys.stderr
            )
            return 2
        # One database per demo scale, so that switching scales does not load the demo again and again.
        bench_database = f"{BENCH_DATABASE}_{args.scale}"
        stamp = services.PG_DIR / f"stamp-{bench_database}.json"
        ensure_database(server_url, bench_database, stamp)
        database_url = postgres.with_database(server_url, bench_database)

    redis_url = None
    if not args.no_redis:
        try:
            redis_url = stack.enter_context(services.redis_server())
        except services.StackError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 2

    environ = bench_environ(database_url)
    if redis_url:
        environ["REDIS_URL"] = redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ.update(environ)

    prep = {"demo": "skipped"}
    if not args.skip_prepare:
        try:
            prep = prepare(database_url, environ, scale=args.scale, reload=args.reload, stamp=stamp)
        except PrepareError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 1

    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.utils import translation

    from bench.pages import registry, select
    from bench.queries import count_queries, make_client
    from bench.report import add_floor_fraction, format_table, write_json
    from bench.server import BARE_APP, hosts

    registered = registry()
    only = [name.strip() for item in args.only or () for name in item.split(",")]
    try:
        pages = select(registered, only=only, all_pages=args.all_pages)
    except KeyError as exc:
        names = ", ".join(p.name for p in registered)
        print(f"bench: unknown page(s) {exc.args[0]}; known: {names}", file=sys.stderr)
        return 2

    rows = []
    for page in pages:
        row = {"name": page.name, "path": None, "note": page.note, "headers": []}
        try:
            with translation.override(settings.LANGUAGE_CODE):
                row["path"] = page.resolve()
                row["headers"] = [list(h) for h in page.resolve_headers()]
        except Exception as exc:  # a broken finder should not stop the other pages
            row["error"] = f"finding the path failed: {exc!r}"
        rows.append(row)

    if args.list:
        for row in rows:
            print(f"{row['name']:<24} {row['path'] or '(no page)'}")
        return 0

    started = time.time()
    info = None
    servers = []
    if not args.no_pages:
        # Count only after every path is found: a request leaves its language active in this thread.
        for row in rows:
            if row["name"] == BARE_FLOOR:
                row["queries"] = 0  # not Django
            elif row["path"] is not None:
                try:
                    # A fresh client per page: cookies a previous page set (an expired session cookie
                    # from a ·session row) would otherwise take later anonymous rows past the page cache.
                    row["django_status"], row["queries"] = count_queries(
                        row["path"], client=make_client(), headers=dict(row["headers"])
                    )
                except Exception as exc:
                    row["error"] = f"counting queries failed: {exc!r}"
    info = machine_info(generator, args)
    connections.close_all()

    busy = info["cpu_busy_before"]
    print(
        f"bench: load generator {generator}; {args.duration:g} s per page, {args.connections} connections over "
        f"{args.hosts} host(s) × {args.workers} gunicorn workers, {info['db_vendor']} database, "
        f"{'Redis' if redis_url else 'local-memory'} cache, demo scale {args.scale}, {info['cpu_count']} CPUs"
        + ("" if busy is None else f", {busy:.0%} busy before the run")
    )
    if busy is not None and busy > 0.25:
        print("bench: WARNING: other work keeps the CPUs busy; figures will be noisy and low")

    redis_keys = None
    bare = [row for row in rows if row["name"] == BARE_FLOOR and row["path"] is not None]
    site_rows = [row for row in rows if row not in bare]
    if bare and not args.no_pages:
        try:
            with hosts(
                environ, args.hosts, workers=args.workers, threads=args.threads, prefix="bare", app=BARE_APP
            ) as up:
                pids = {"app": [info["pid"] for _h, _p, info in up]}
                measure_pages(bare, [(h, p) for h, p, _i in up], args, generator, pids)
        except Exception as exc:
            bare[0]["error"] = f"the bare hosts failed: {exc!r}"
    try:
        with hosts(environ, args.hosts, workers=args.workers, threads=args.threads) as up:
            servers = [server_info for _h, _p, server_info in up]
            if not args.no_pages:
                pids = {"app": [info["pid"] for _h, _p, info in up]}
                if redis_url:
                    pids["redis"] = [services.redis_pid(redis_url)]
                measure_pages(site_rows, [(h, p) for h, p, _i in up], args, generator, pids)
            if redis_url:
                redis_keys = services.redis_keys(redis_url)
    except Exception as exc:  # a host that does not come up
        print(f"bench: the hosts failed: {exc!r}", file=sys.stderr)
        failures.append(f"hosts: {exc!r}")

    if not args.no_pages:
        add_floor_fraction(rows, FLOOR)
        add_floor_fraction(rows, BARE_FLOOR, key="bare_fraction")
        print()
        print(format_table(rows))
        for row in rows:
            parts = [row[key] for key in ("error", "warning") if row.get(key)]
            if row.get("non_2xx_3xx"):
                parts.append(f"{row['non_2xx_3xx']} non-2xx/3xx responses")
            if row.get("errors"):
                parts.append(f"{row['errors']} socket errors/timeouts")
            if parts:
                print(f"  ! {row['name']}: {'; '.join(parts)}")
        print(
            f"\nreq/s and p50/p99 from {args.hosts} gunicorn host(s) together over loopback; queries = SQL queries of "
            "one warm request (Django test client, same settings and database); × floor = req/s ÷ /healthz req/s "
            "(measured the same way); × bare = req/s ÷ the bare floor's (a one-line WSGI app on the same gunicorn "
            "settings); ·buyer / ·canteen = the page as a signed-in public buyer with a cart line / a canteen member "
            "(session cookie of a real account); ·uncached = rendered by Django (a query string the page cache does "
            "not keep); ·identity = without gzip (every other row sends Accept-Encoding: gzip, deflate, br, as "
            "browsers do); a word after the status is the X-Cache header of the last warm-up answer (hit/miss); "
            "CPU ms = CPU time per request of the gunicorn hosts / Redis / wrk while the row ran."
        )
        if redis_url:
            print(f"Redis holds {redis_keys} keys after the pages (cache and sessions of every host).")
        failures += page_failures(rows)

    rushes, session, rush_servers = {}, None, []
    if args.no_rushes:
        pass
    elif server_url is None:
        print("\nbench: rushes skipped: they need PostgreSQL (row locks across hosts); drop --database-url sqlite")
    elif failures and any(f.startswith("hosts:") for f in failures):
        print("\nbench: rushes skipped: the hosts did not start")
    else:
        rushes, session, rush_servers = run_rushes(server_url, bench_database, redis_url, args)
        failures += rush_failures(rushes, session)

    payload = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "settings": {
            "duration_s": args.duration,
            "connections": args.connections,
            "hosts": args.hosts,
            "workers_per_host": args.workers,
            "threads": args.threads,
            "scale": args.scale,
            "quick": args.quick,
            "smoke": args.smoke,
            "database_url": _redact(database_url),
            "redis": bool(redis_url),
            "django_settings": environ["DJANGO_SETTINGS_MODULE"],
            "rush_figures": vars(args.figures),
        },
        "prepare": prep,
        "machine": info,
        "servers": servers,
        "pages": [] if args.no_pages else rows,
        "redis_keys_after_pages": redis_keys,
        "shared_session": session,
        "rush_servers": rush_servers,
        "rushes": rushes,
        "exact": all(r.get("exact") for r in rushes.values()) if rushes else None,
        "failures": failures,
    }
    if not args.no_json:
        path = write_json(payload)
        print(f"\nbench: results written to {path.relative_to(BASE_DIR)} and bench/results/latest.json")
    if rushes:
        from bench.http_rush import format_rush_table

        print(
            f"\nRushes over {args.hosts} host(s), {args.figures.clients} clients round-robin (check-in: one per "
            "scanner), counts from the database:"
        )
        print(format_rush_table(rushes))
    if failures:
        print("\nbench: FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
