"""Where the time of the personal pages goes, in-process (no HTTP, no load generator).

For each personal page of `bench/personal.py` (cart, checkout, account, order, canteen dashboard and statement,
my stalls, ticket, check-in), with the session of the account it belongs to: the CPU ms of one request through
the whole WSGI handler (production settings, page cache as configured), its SQL queries, and a cProfile over
many requests folded into phases (middleware, session and user, the view, template rendering and within it the
site shell around the content, context processors, translations, form rendering, static() URLs, URL reversals,
SQL, the cache).

    python -m bench.personal_profile --database-url sqlite:////tmp/db.sqlite3 --redis-url redis://127.0.0.1:6421/0
    python -m bench.personal_profile ... --only cart --only ticket --language en --requests 300

Needs a database with load_demo in it (the pages' accounts come from there; `bench-buyer` is made with one order
and one cart line). Timings are CPU ms of this process: compare rows with each other, and runs made one after
the other. The phases are cProfile's cumulative times scaled to the unprofiled total (cProfile inflates small
functions most, so read them as shares); they overlap where noted (the shell and forms are inside rendering).
"""

import argparse
import cProfile
import os
import pstats
import sys
import time

from bench.env import BASE_DIR
from bench.profile import _setup

TRANSLATION = "django/utils/translation/__init__.py"

# (label, [(file fragment, function name), …]): the phase's time is the sum of the matching functions' cumulative
# times (cProfile counts a recursive function's outermost calls only).
PHASES = [
    ("middleware (outside the view and its rendering)", None),
    ("  session and user (cached_db session, auth user)", [("django/contrib/auth/__init__.py", "get_user")]),
    ("URL resolving", [("django/core/handlers/base.py", "resolve_request")]),
    ("view, without rendering (queries, forms, context)", None),
    ("template rendering (whole page)", [("django/template/base.py", "render")]),
    ("  site shell: everything around {% block content %}", None),
    ("  content block", [("bench/personal_profile.py", "_content_block")]),
    ("  context processors", [("django/template/context.py", "bind_template")]),
    ("  form rendering (FORM_RENDERER templates)", [("django/forms/renderers.py", "render")]),
    ("translations (gettext & co.)", [(TRANSLATION, f) for f in ("gettext", "ngettext", "pgettext", "npgettext")]),
    ("language links (translate_url)", [("django/urls/base.py", "translate_url")]),
    ("url reversals (reverse)", [("django/urls/base.py", "reverse")]),
    ("static() URLs (manifest storage)", [("django/contrib/staticfiles/storage.py", "url")]),
    ("money and number formatting", [("cms/templatetags/cms_tags.py", "cny"), ("django/utils/formats.py", "localize")]),
    ("SQL: ORM (compile + execute)", [("django/db/models/sql/compiler.py", "execute_sql")]),
    ("  of which the database driver", [("django/db/backends/utils.py", "_execute")]),
    ("cache (Redis commands)", [("redis/client.py", "execute_command")]),
    ("Wagtail page route", [("wagtail/views.py", "serve")]),
]


def _content_block(original, node, context):
    return original(node, context)


def _mark_content_block():
    """Render `{% block content %}` through a function of its own, so that cProfile tells it from the shell."""
    from django.template.loader_tags import BlockNode

    original = BlockNode.render

    def render(node, context):
        if node.name == "content":
            return _content_block(original, node, context)
        return original(node, context)

    BlockNode.render = render
    return lambda: setattr(BlockNode, "render", original)


def _environ(path, headers):
    from django.test.client import RequestFactory

    path, _, query = path.partition("?")
    environ = RequestFactory(SERVER_NAME="127.0.0.1", HTTP_HOST="127.0.0.1")._base_environ(
        PATH_INFO=path, REQUEST_METHOD="GET", QUERY_STRING=query
    )
    for name, value in headers:
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _requests(handler, environ, n):
    found = {}

    def start_response(status, headers):
        found["status"] = status

    started = time.process_time()
    for _ in range(n):
        result = handler(dict(environ), start_response)
        b"".join(result)
        result.close()
    return (time.process_time() - started) / n * 1000, found.get("status", "")


def _queries(handler, environ):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _requests(handler, environ, 1)
    return len(captured)


def _cumulative(stats, targets):
    total = 0.0
    for fragment, name in targets:
        best = 0.0
        for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.items():
            if func == name and fragment in file:
                best = max(best, ct) if name == "render" else best + ct
        total += best
    return total


def profile_page(handler, environ, n):
    """(CPU ms per request unprofiled, status, queries, {phase label: estimated ms})."""
    _requests(handler, environ, 5)
    ms, status = min((_requests(handler, environ, n) for _ in range(3)), key=lambda pair: pair[0])
    queries = _queries(handler, environ)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    _requests(handler, environ, n)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    whole = _cumulative(stats, [("django/core/handlers/wsgi.py", "__call__")]) or 1.0
    scale = ms / whole  # profiled seconds over n requests → unprofiled ms per request
    raw = {label: _cumulative(stats, targets) for label, targets in PHASES if targets}
    inside = _cumulative(stats, [("django/core/handlers/base.py", "_get_response")])
    render = raw["template rendering (whole page)"]
    raw["middleware (outside the view and its rendering)"] = whole - inside
    raw["view, without rendering (queries, forms, context)"] = inside - render - raw["URL resolving"]
    raw["  site shell: everything around {% block content %}"] = render - raw["  content block"]
    return ms, status, queries, {label: raw[label] * scale for label, _ in PHASES}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.personal_profile", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", help="the cache and sessions as in production (else local memory)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", action="append", help="a page name (repeatable)")
    parser.add_argument("--language", default="zh-hans", help="zh-hans (no prefix) or en (/en/…)")
    parser.add_argument("--phases", action="store_true", help="also the phase table (cProfile)")
    args = parser.parse_args(argv)
    os.chdir(BASE_DIR)
    _setup(args.database_url, args.redis_url)
    from django.core.handlers.wsgi import WSGIHandler

    from bench.personal import PAGES

    restore = _mark_content_block()
    handler = WSGIHandler()
    rows = []
    try:
        for page in PAGES:
            if args.only and page.name not in args.only:
                continue
            path = page.resolve()
            if path is None:
                print(f"{page.name}: (no page)")
                continue
            if args.language != "zh-hans":
                path = f"/{args.language}{path}"
            environ = _environ(path, page.resolve_headers())
            if args.phases:
                rows.append((page.name, path, *profile_page(handler, environ, args.requests)))
            else:
                _requests(handler, environ, 5)
                ms, status = min((_requests(handler, environ, args.requests) for _ in range(3)), key=lambda p: p[0])
                rows.append((page.name, path, ms, status, _queries(handler, environ), {}))
    finally:
        restore()
    print("| page | path | status | queries | CPU ms per request |\n| --- | --- | --- | ---: | ---: |")
    for name, path, ms, status, queries, _phases in rows:
        print(f"| {name} | {path} | {status.split(' ')[0]} | {queries} | {ms:.2f} |")
    if args.phases:
        print("\nPhases, ms per request (cProfile shares × the unprofiled total):\n")
        print("| phase | " + " | ".join(name for name, *_ in rows) + " |")
        print("| --- |" + " ---: |" * len(rows))
        for label, _ in PHASES:
            cells = " | ".join(f"{phases[label]:.2f}" for *_, phases in rows)
            print(f"| {label.replace('  ', '&nbsp;&nbsp;')} | {cells} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
