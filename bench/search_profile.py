"""What one cold search costs the app, in-process: `python -m bench.search_profile [--scale 100000] [--phases]`.

A cold search is the bench's `search 胡柚 ·cold` row (bench/README.md): the page cache bypassed and, through the
header only the bench's settings honour, no kept ranking, results section or product card read. Each request goes
through the whole WSGI handler with production settings (`bench/env.py`), the bench database of the project's
cluster at --scale (or --database-url) and a Redis of its own, as gunicorn would call it. Prints the CPU ms of this
process per request (the database's own CPU is not in it) and the SQL queries of one request; with `--phases`, a
cProfile folded into phases (ranking, loading the cards' rows, rendering the cards, the rest of the page), scaled
to the unprofiled total, and the functions with the most own time; `--sql` prints the queries.
"""

import argparse
import contextlib
import cProfile
import os
import pstats
import statistics
import sys
import time
from urllib.parse import quote

from bench.env import BASE_DIR

# (label, (file fragment, function name)): cumulative time of the outermost calls, as a share of the request.
PHASES = [
    ("whole request (WSGI handler)", ("django/core/handlers/wsgi.py", "__call__")),
    ("the search view", ("marketplace/views.py", "search")),
    ("  results section (rank, load, render)", ("marketplace/views.py", "_search_results")),
    ("    ranking (cms.search)", ("cms/search.py", "ranked")),
    ("    products' count and any-word check", ("marketplace/catalogue.py", "search")),
    ("    loading the product cards' rows", ("marketplace/catalogue.py", "product_cards")),
    ("    loading the vendor cards' rows", ("marketplace/catalogue.py", "vendor_cards")),
    ("    rendering the results section", ("django/template/loader.py", "render_to_string")),
    ("      product cards", ("marketplace/templatetags/market_tags.py", "product_card_items")),
    ("  the page around it (TemplateResponse.render)", ("django/template/response.py", "render")),
    ("SQL (every query, wherever it runs)", ("django/db/backends/utils.py", "_execute")),
    ("cache reads and writes", ("django/core/cache/backends/redis.py", "get")),
]


def cold_path(query="胡柚"):
    from bench.pages import UNCACHED_QUERY

    return f"/search/?q={quote(query)}&{UNCACHED_QUERY}"


def _handler_call(handler, path, headers=()):
    from bench.profile import _environ

    environ = _environ(path.split("?")[0])
    environ["QUERY_STRING"] = path.split("?", 1)[1] if "?" in path else ""
    for name, value in headers:
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    found = {}

    def start_response(status, response_headers):
        found["status"] = status

    def once():
        result = handler(dict(environ), start_response)
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        return found["status"], body

    return once


def cold_search_costs(path, n=40, rounds=5, headers=(("X-Bench-Search-Afresh", "1"),)):
    """(CPU ms per request: the median of `rounds` rounds of n, the best round; queries of one request; body)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    once = _handler_call(WSGIHandler(), path, headers)
    for _ in range(5):
        status, body = once()
    assert status.startswith("200"), status
    # Not CaptureQueriesContext: request_started resets the connection's query log.
    queries = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append({"sql": sql, "time": f"{time.perf_counter() - started:.4f}"})

    with connection.execute_wrapper(record):
        once()
    timings = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(n):
            once()
        timings.append((time.process_time() - started) / n * 1000)
    return statistics.median(timings), min(timings), queries, body


def phases(path, n=40, headers=(("X-Bench-Search-Afresh", "1"),), top=25):
    from django.core.handlers.wsgi import WSGIHandler

    once = _handler_call(WSGIHandler(), path, headers)
    for _ in range(5):
        once()
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(n):
        once()
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows, whole = [], None
    for label, (fragment, name) in PHASES:
        found = [ct for (file, _, func), (*_, ct, _c) in stats.stats.items() if func == name and fragment in file]
        cumulative = max(found, default=0.0)
        ms = cumulative / n * 1000
        whole = whole or ms or 1.0
        rows.append((label, ms / whole))
    calls = sum(nc for (_cc, nc, _tt, _ct, _c) in stats.stats.values()) / n
    own = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    functions = [
        (f"{file.split('site-packages/')[-1]}:{line} {func}", tt / n * 1000, nc / n)
        for (file, line, func), (_cc, nc, tt, _ct, _c) in own
    ]
    return rows, calls, functions


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.search_profile", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: the project cluster's bench database at --scale")
    parser.add_argument("--redis-url", help="default: a Redis of this run's own")
    parser.add_argument("--scale", type=int, default=10000)
    parser.add_argument("--query", default="胡柚")
    parser.add_argument("--language", default="zh-hans", choices=("zh-hans", "en"))
    parser.add_argument("--requests", type=int, default=40, help="per round (five rounds)")
    parser.add_argument("--phases", action="store_true", help="also a cProfile folded into phases")
    parser.add_argument("--sql", action="store_true", help="also print the queries of one request")
    parser.add_argument("--dump", metavar="FILE", help="write the page's HTML there (to compare two trees' pages)")
    args = parser.parse_args(argv)
    os.chdir(BASE_DIR)
    with contextlib.ExitStack() as stack:
        from bench import stack as services
        from bench.profile import _setup

        database_url = args.database_url
        if not database_url:
            from tests.support import postgres

            server = stack.enter_context(services.postgres_server())
            database_url = postgres.with_database(server, f"shanhai_bench_{args.scale}")
        redis_url = args.redis_url or stack.enter_context(services.redis_server())
        _setup(database_url, redis_url)
        path = cold_path(args.query)
        if args.language == "en":
            path = "/en" + path
        median, best, queries, body = cold_search_costs(path, n=args.requests)
        print(
            f"Cold search {path[:40]}…: {median:.1f} CPU ms per request (best round {best:.1f}), "
            f"{len(queries)} queries, {len(body):,} bytes"
        )
        if args.dump:
            with open(args.dump, "wb") as out:
                out.write(body)
        if args.sql:
            for query in queries:
                print(f"  {query['time']}s  {query['sql'][:400]}")
        if args.phases:
            rows, calls, functions = phases(path, n=args.requests)
            print(f"\n{calls:,.0f} Python function calls per request\n")
            print("| phase | share of the request (profiled) |\n| --- | ---: |")
            for label, share in rows:
                print(f"| {label} | {share:.0%} |")
            print("\n| function (most own time) | own ms per request (profiled) | calls per request |")
            print("| --- | ---: | ---: |")
            for name, ms, calls in functions:
                print(f"| {name} | {ms:.2f} | {calls:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
