"""`python -m bench`: prepare a bench database, run gunicorn, load every registered page, print the figures.

See bench/README.md. Nothing here asserts a speed; it measures and reports.
"""

import argparse
import os
import platform
import signal
import subprocess
import sys
import time

from bench.env import BASE_DIR, bench_environ, default_database_url

DEFAULTS = {"duration": 5.0, "connections": 8}
QUICK = {"duration": 1.0, "connections": 2}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help=f"bench database (default {default_database_url()})")
    parser.add_argument("--redis-url", help="use this Redis for the cache (default: local memory per process)")
    parser.add_argument("--scale", type=int, default=0, help="manage.py load_demo --scale N (default 0)")
    parser.add_argument("--reload", action="store_true", help="run load_demo even if the stamp says it ran")
    parser.add_argument("--skip-prepare", action="store_true", help="no migrate/load_demo/collectstatic")
    parser.add_argument("--duration", type=float, help="seconds of load per page (default 5; --quick 1)")
    parser.add_argument("--connections", type=int, help="concurrent connections (default 8; --quick 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (default 1: sync)")
    parser.add_argument(
        "--generator", choices=["auto", "wrk", "python"], default="auto", help="load generator (auto: wrk if on PATH)"
    )
    parser.add_argument("--max-requests", type=int, default=500_000, help="cap per page for the Python generator")
    parser.add_argument("--quick", action="store_true", help="1 s per page, 2 connections: a smoke run")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="measure only this page (repeatable); the floor is kept"
    )
    parser.add_argument("--list", action="store_true", help="list the registered pages and their paths, then stop")
    parser.add_argument("--no-json", action="store_true", help="do not write bench/results/*.json")
    parser.add_argument(
        "--rush",
        action="store_true",
        help="also run the checkout rush (bench/checkout_rush.py) on PostgreSQL: --database-url's server if it is "
        "PostgreSQL, else a throwaway cluster",
    )
    from bench.checkout_rush import add_arguments as add_rush_arguments

    add_rush_arguments(parser, prefix="rush-")
    parser.add_argument(
        "--registration-rush",
        action="store_true",
        help="also run the registration and check-in rushes (bench/registration_rush.py) on PostgreSQL, like --rush",
    )
    from bench.registration_rush import add_arguments as add_registration_rush_arguments

    add_registration_rush_arguments(parser, prefix="reg-")
    args = parser.parse_args(argv)
    base = QUICK if args.quick else DEFAULTS
    args.duration = base["duration"] if args.duration is None else args.duration
    args.connections = base["connections"] if args.connections is None else args.connections
    args.database_url = args.database_url or default_database_url()
    if args.registration_rush:
        from bench.registration_rush import check_figures, figures_from

        problem = check_figures(figures_from(args, prefix="reg-"))
        if problem:
            parser.error(f"--reg-*: {problem}")
    if args.duration <= 0 or args.duration > 600:
        parser.error("--duration must be in (0, 600] seconds")
    if not 1 <= args.connections <= 256:
        parser.error("--connections must be between 1 and 256")
    return args


def _sigterm(signum, frame):
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


def run_rush_section(args):
    """The optional checkout rush (--rush): concurrent buyers for a scarce product, on PostgreSQL."""
    from bench import checkout_rush
    from tests.support import postgres

    print()
    database_url = args.database_url if postgres.is_postgres_url(args.database_url) else None
    settings, env = checkout_rush.bench_settings()
    try:
        with checkout_rush.server(database_url) as server_url:
            return checkout_rush.run_rush(
                server_url,
                attempts=args.rush_attempts,
                stock=args.rush_stock,
                workers=args.rush_workers,
                settings=settings,
                env=env,
            )
    except (postgres.PostgresUnavailable, postgres.PostgresStartError, checkout_rush.RushError) as exc:
        print(f"bench: rush skipped: {exc}")
        return {"error": str(exc)}


def run_registration_rush_section(args):
    """The optional registration and check-in rushes (--registration-rush), on PostgreSQL."""
    from bench import checkout_rush, registration_rush
    from tests.support import postgres

    print()
    database_url = args.database_url if postgres.is_postgres_url(args.database_url) else None
    settings, env = checkout_rush.bench_settings()
    try:
        with checkout_rush.server(database_url) as server_url:
            return registration_rush.run_rush(
                server_url, settings=settings, env=env, **registration_rush.figures_from(args, prefix="reg-")
            )
    except (postgres.PostgresUnavailable, postgres.PostgresStartError, checkout_rush.RushError) as exc:
        print(f"bench: registration rush skipped: {exc}")
        return {"error": str(exc)}


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    os.chdir(BASE_DIR)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))

    environ = bench_environ(args.database_url)
    if args.redis_url:
        environ["REDIS_URL"] = args.redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ.update(environ)

    from bench.load import measure, wrk_path

    generator = args.generator if args.generator != "auto" else ("wrk" if wrk_path() else "python")
    if generator == "wrk" and not wrk_path():
        print("bench: wrk is not on PATH; use --generator python", file=sys.stderr)
        return 2

    try:
        prep = {"demo": "skipped"}
        if not args.skip_prepare:
            from bench.prepare import PrepareError, prepare

            try:
                prep = prepare(args.database_url, environ, scale=args.scale, reload=args.reload)
            except PrepareError as exc:
                print(f"bench: {exc}", file=sys.stderr)
                return 1

        import django

        django.setup()
        from django.conf import settings
        from django.db import connections
        from django.utils import translation

        from bench.pages import FLOOR, registry
        from bench.queries import count_queries, make_client
        from bench.report import add_floor_fraction, format_table, write_json
        from bench.server import get as http_get
        from bench.server import gunicorn

        pages = registry()
        if args.only:
            wanted = {name.strip() for item in args.only for name in item.split(",")}
            unknown = wanted - {p.name for p in pages}
            if unknown:
                names = ", ".join(p.name for p in pages)
                print(f"bench: unknown page(s) {', '.join(sorted(unknown))}; known: {names}", file=sys.stderr)
                return 2
            pages = [p for p in pages if p.name in wanted or p.name == FLOOR]

        rows = []
        for page in pages:
            row = {"name": page.name, "path": None, "note": page.note}
            try:
                with translation.override(settings.LANGUAGE_CODE):
                    row["path"] = page.resolve()
            except Exception as exc:  # a broken finder should not stop the other pages
                row["error"] = f"finding the path failed: {exc!r}"
            rows.append(row)

        if args.list:
            for row in rows:
                print(f"{row['name']:<20} {row['path'] or '(no page)'}")
            return 0

        # Count only after every path is found: a request leaves its language active in this thread.
        client = make_client()
        for row in rows:
            if row["path"] is not None:
                try:
                    row["django_status"], row["queries"] = count_queries(row["path"], client=client)
                except Exception as exc:
                    row["error"] = f"counting queries failed: {exc!r}"

        info = machine_info(generator, args)
        connections.close_all()

        busy = info["cpu_busy_before"]
        print(
            f"bench: load generator {generator}; {args.duration:g} s per page, {args.connections} connections, "
            f"{args.workers} gunicorn workers, {info['db_vendor']} database, {info['cpu_count']} CPUs"
            + ("" if busy is None else f", {busy:.0%} busy before the run")
        )
        if busy is not None and busy > 0.25:
            print("bench: WARNING: other work keeps the CPUs busy; figures will be noisy and low")
        started = time.time()
        with gunicorn(environ, workers=args.workers, threads=args.threads) as (host, port, server_info):
            for row in rows:
                if row["path"] is None:
                    continue
                try:
                    # Warm every worker, and take the status the real server gives.
                    for _ in range(2 * args.workers):
                        row["status"], _body = http_get(host, port, row["path"])
                    result = measure(
                        host,
                        port,
                        row["path"],
                        duration=args.duration,
                        connections=args.connections,
                        generator=generator,
                        max_requests=args.max_requests,
                    )
                except Exception as exc:
                    row["error"] = f"load failed: {exc!r}"
                    continue
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
                print(
                    f"  {row['name']:<16} {row['path']:<40.40} {row['status']}  {result.rps:9.1f} req/s",
                    flush=True,
                )

        add_floor_fraction(rows, FLOOR)
        print()
        print(format_table(rows))
        problems = [r for r in rows if r.get("error") or r.get("errors") or r.get("non_2xx_3xx")]
        for row in problems:
            parts = []
            if row.get("error"):
                parts.append(row["error"])
            if row.get("non_2xx_3xx"):
                parts.append(f"{row['non_2xx_3xx']} non-2xx/3xx responses")
            if row.get("errors"):
                parts.append(f"{row['errors']} socket errors/timeouts")
            print(f"  ! {row['name']}: {'; '.join(parts)}")
        print(
            "\nreq/s and p50/p99 from gunicorn over loopback; queries = SQL queries of one warm request "
            "(Django test client, same settings and database); × floor = req/s ÷ /healthz req/s."
        )

        rush_result = None
        if args.rush:
            rush_result = run_rush_section(args)
        registration_rush_result = None
        if args.registration_rush:
            registration_rush_result = run_registration_rush_section(args)

        payload = {
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
            "settings": {
                "duration_s": args.duration,
                "connections": args.connections,
                "workers": args.workers,
                "threads": args.threads,
                "scale": args.scale,
                "quick": args.quick,
                "database_url": _redact(args.database_url),
                "django_settings": environ["DJANGO_SETTINGS_MODULE"],
            },
            "prepare": prep,
            "machine": info,
            "server": server_info,
            "pages": rows,
        }
        if rush_result is not None:
            payload["rush"] = rush_result
        if registration_rush_result is not None:
            payload["registration_rush"] = registration_rush_result
        if not args.no_json:
            path = write_json(payload)
            print(f"bench: results written to {path.relative_to(BASE_DIR)} and bench/results/latest.json")
        return 0
    except KeyboardInterrupt:
        print("\nbench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
