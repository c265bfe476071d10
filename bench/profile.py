"""Where the time of one request goes, in-process (no HTTP, no load generator):

1. the cost of each middleware: a trivial view (`/robots.txt`) through the first k entries of MIDDLEWARE for
   k = 0 … n, the difference between neighbours being what the k-th one adds;
2. a profile of one uncached product page (cProfile over many requests), folded into the steps a request
   goes through (routing, view restrictions, context, templates, SQL …).

    python -m bench.profile                      # the project cluster's bench database at --scale 10000
    python -m bench.profile --database-url sqlite:///var/bench/bench.sqlite3

Timings are CPU ms of this process per request (so neighbours on a shared machine matter less than for wall
time; the database's own CPU is not in them): compare rows with each other.
"""

import argparse
import contextlib
import cProfile
import os
import pstats
import sys
import time

from bench.env import BASE_DIR, bench_environ

# (label, what to match in a profiled function: (file fragment, function name)); cumulative time per request.
STEPS = [
    ("whole request (WSGI handler)", ("django/core/handlers/wsgi.py", "__call__")),
    ("inside all middleware: URL, view, templates", ("django/core/handlers/base.py", "_get_response")),
    ("  URL resolving (i18n patterns)", ("django/core/handlers/base.py", "resolve_request")),
    ("  Wagtail serve view (route, hooks, page.serve)", ("wagtail/views.py", "serve")),
    ("    page route: walking down the tree", ("wagtail/models/pages.py", "route")),
    ("    view restriction hook", ("wagtail/wagtail_hooks.py", "inner")),
    ("    page.serve → get_context", ("marketplace/models.py", "get_context")),
    ("  template rendering (TemplateResponse.render)", ("django/template/response.py", "render")),
    ("SQL (every query, wherever it runs)", ("django/db/backends/utils.py", "_execute")),
    ("page cache lookups and stores (FastPath, PageCacheMiddleware)", ("cms/page_cache.py", "_look_up")),
    ("CSP header", ("cms/csp.py", "process_response")),
]


def _setup(database_url, redis_url=None):
    os.environ.update(bench_environ(database_url))
    os.environ.pop("REDIS_URL", None)
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def _environ(path, host="127.0.0.1"):
    from django.test.client import RequestFactory

    return RequestFactory(SERVER_NAME=host, HTTP_HOST=host)._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")


def _run(handler, path, n):
    def start_response(status, headers):
        return None

    environ = _environ(path.split("?")[0])
    if "?" in path:
        environ["QUERY_STRING"] = path.split("?", 1)[1]
    # CPU time of this process: on a shared machine, wall time mostly measures the neighbours.
    started = time.process_time()
    for _ in range(n):
        result = handler(dict(environ), start_response)
        b"".join(result)
        if hasattr(result, "close"):
            result.close()
    return (time.process_time() - started) / n * 1000


def middleware_costs(path="/robots.txt", n=400):
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    full = list(settings.MIDDLEWARE)
    rows, previous = [], None
    for k in range(len(full) + 1):
        with override_settings(MIDDLEWARE=full[:k]):
            handler = WSGIHandler()
            _run(handler, path, 20)
            ms = min(_run(handler, path, n) for _ in range(3))
        name = full[k - 1] if k else "(no middleware: handler + view)"
        rows.append((name, ms, None if previous is None else ms - previous))
        previous = ms
    return rows


def product_profile(path, n=200):
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    _run(handler, path, 10)
    wall = _run(handler, path, n)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    _run(handler, path, n)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total_profiled = None
    rows = []
    for label, (fragment, name) in STEPS:
        cumulative = 0.0
        for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.items():
            # cProfile's cumulative time already counts a recursive function's outermost calls only.
            if func == name and fragment in file:
                cumulative = max(cumulative, ct)
        per_request = cumulative / n * 1000
        if total_profiled is None:
            total_profiled = per_request or 1.0
        rows.append((label, per_request, per_request / total_profiled))
    return wall, rows


def hit_costs(cases, n=2000, handler=None):
    """CPU ms of this process per page-cache hit, and the bytes answered, for each (label, path, headers):
    the WSGI application as gunicorn calls it (default: Django's handler alone), the page cache and Redis (the
    versions, the reader's entry) included."""
    from django.core.handlers.wsgi import WSGIHandler

    handler = handler or WSGIHandler()
    rows = []
    for label, path, headers in cases:
        environ = _environ(path)
        for name, value in headers:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        found = {}

        def start_response(status, response_headers, found=found):
            found["status"] = status
            found["headers"] = dict(response_headers)

        def once(environ=environ, start_response=start_response):
            result = handler(dict(environ), start_response)
            body = b"".join(result)
            if hasattr(result, "close"):
                result.close()
            return body

        for _ in range(20):
            body = once()
        timings = []
        for _ in range(3):
            started = time.process_time()
            for _ in range(n):
                once()
            timings.append((time.process_time() - started) / n * 1000)
        answered = found["headers"]
        state, encoding = answered.get("X-Cache", ""), answered.get("Content-Encoding", "")
        rows.append((label, min(timings), len(body), state, encoding))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: the project cluster's bench database at --scale")
    parser.add_argument("--scale", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--hits", action="store_true", help="instead: CPU per page-cache hit (product page, anonymous and signed-in)"
    )
    parser.add_argument(
        "--wsgi-only", action="store_true", help="with --hits: only the site's WSGI application, not Django's handler"
    )
    parser.add_argument(
        "--cprofile", action="store_true", help="with --hits: also the functions a WSGI hit spends most in (cProfile)"
    )
    args = parser.parse_args(argv)
    os.chdir(BASE_DIR)
    with contextlib.ExitStack() as stack:
        from bench import stack as services

        database_url = args.database_url
        if not database_url:
            from tests.support import postgres

            server = stack.enter_context(services.postgres_server())
            database_url = postgres.with_database(server, f"shanhai_bench_{args.scale}")
        if args.hits:
            redis_url = stack.enter_context(services.redis_server())
            _setup(database_url, redis_url)
            return _print_hits(args)
        _setup(database_url)
        from django.test.utils import override_settings

        from bench.pages import UNCACHED_QUERY, first_live

        with override_settings(PAGE_CACHE_SECONDS=0):
            print("Middleware, each on top of those before it (/robots.txt, CPU ms per request):\n")
            print("| middleware | ms with it | adds ms |\n| --- | ---: | ---: |")
            for name, ms, added in middleware_costs(n=args.requests * 2):
                print(f"| {name} | {ms:.3f} | {'' if added is None else f'{added:+.3f}'} |")
            product = first_live("marketplace.ProductPage")()
            wall, rows = product_profile(product + "?" + UNCACHED_QUERY, n=args.requests)
        print(f"\nOne uncached product page ({product}): {wall:.1f} CPU ms per request unprofiled.\n")
        print("| step | ms per request (profiled) | share |\n| --- | ---: | ---: |")
        for label, ms, share in rows:
            print(f"| {label} | {ms:.2f} | {share:.0%} |")
    return 0


def _print_hits(args):
    from bench.pages import BROWSER_HEADERS, first_live
    from bench.personal import BUYER, CANTEEN_BUYER, session_cookie

    product = first_live("marketplace.ProductPage")()
    gzip = BROWSER_HEADERS
    cases = [
        ("/healthz (the floor)", "/healthz", gzip),
        ("anonymous", product, ()),
        ("anonymous, Accept-Encoding", product, gzip),
        ("buyer", product, session_cookie(BUYER)),
        ("buyer, Accept-Encoding", product, (*session_cookie(BUYER), *gzip)),
        ("canteen, Accept-Encoding", product, (*session_cookie(CANTEEN_BUYER), *gzip)),
    ]
    from django.core.handlers.wsgi import WSGIHandler

    from cms.page_cache_wsgi import PageCacheApplication

    print(f"Page-cache hits of {product} (CPU ms of this process per request, Redis included):\n")
    print("Django's handler (FastPathMiddleware) / the site's WSGI application (config.wsgi: hits before Django)\n")
    print("| reader | ms per hit: Django | ms per hit: WSGI | bytes | X-Cache | Content-Encoding |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    application = PageCacheApplication(WSGIHandler())
    wsgi = hit_costs(cases, n=args.requests * 10, handler=application)
    django = wsgi if args.wsgi_only else hit_costs(cases, n=args.requests * 10)
    for (label, ms, size, state, encoding), (_label, wsgi_ms, wsgi_size, _state, _encoding) in zip(
        django, wsgi, strict=True
    ):
        sizes = f"{size:,}" if size == wsgi_size else f"{size:,} / {wsgi_size:,}"
        print(f"| {label} | {ms:.3f} | {wsgi_ms:.3f} | {sizes} | {state} | {encoding} |")
    if args.cprofile:
        for label, path, headers in cases[2:]:
            print(f"\nWhere a WSGI hit spends its time: {label} (cProfile, own time, µs per hit)\n")
            print("| function | µs per hit | share |\n| --- | ---: | ---: |")
            for name, micros, share in hit_profile(application, path, headers, n=args.requests * 5):
                print(f"| {name} | {micros:.1f} | {share:.0%} |")
    return 0


def hit_profile(handler, path, headers, n=1000, top=25):
    """The functions one hit spends most of its own time in: [(function, µs per hit, share of the hit)]."""
    environ = _environ(path)
    for name, value in headers:
        environ["HTTP_" + name.upper().replace("-", "_")] = value

    def start_response(status, response_headers):
        return None

    for _ in range(20):
        b"".join(handler(dict(environ), start_response))
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(n):
        b"".join(handler(dict(environ), start_response))
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in stats.values()) or 1.0
    rows = sorted(
        (
            (f"{'/'.join(file.rsplit('/', 2)[-2:])}:{func}", own)
            for (file, _line, func), (_cc, _nc, own, _ct, _c) in stats.items()
        ),
        key=lambda row: -row[1],
    )
    return [(name, tt / n * 1e6, tt / total) for name, tt in rows[:top]]


if __name__ == "__main__":
    sys.exit(main())
