"""The scale-out benchmark's parts: load spread over hosts, the rush clients and their exactness checks, the
page selection, the smoke verdicts, Redis and the kept PostgreSQL cluster, gunicorn.conf.py. No timing is
asserted."""

import http.server
import json
import runpy
import shutil
import threading
from pathlib import Path

import pytest

from bench import http_rush
from bench.__main__ import chosen_rushes, page_failures, parse_args, rush_failures
from bench.load import run_python, wrk_command, wrk_script
from bench.pages import BARE_FLOOR, CORE, FLOOR, IDENTITY_SUFFIX, UNCACHED_SUFFIX, BenchPage, select
from bench.report import format_table
from tests.support import postgres
from tests.support.plugin import skip_or_fail

BASE_DIR = Path(__file__).resolve().parents[2]


# --- two tiny hosts ---------------------------------------------------------------------------------------------


def _handler(name):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        seen = []

        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            Handler.seen.append({"path": self.path, "cookie": self.headers.get("Cookie"), "body": body})
            if self.path == "/taken":
                status, payload = 409, {"code": "stall_taken", "message": "taken"}
            elif self.path == "/boom":
                status, payload = 500, None
            else:
                status, payload = 201, {"host": name}
            data = b"<html>oops</html>" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def two_hosts():
    servers = []
    for name in ("a", "b"):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(name))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    yield [s.server_address for s in servers], [s.RequestHandlerClass.seen for s in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


def test_python_generator_spreads_connections_over_the_hosts_with_headers(two_hosts):
    targets, seen = two_hosts
    result = run_python(
        *targets[0], "/page", duration=5, connections=4, max_requests=40, headers={"Cookie": "x=1"}, targets=targets
    )
    assert result.requests == 40 and result.non_2xx_3xx == 0
    assert len(seen[0]) == 20 and len(seen[1]) == 20  # two connections each, 10 requests per connection
    assert {r["cookie"] for r in seen[0] + seen[1]} == {"x=1"}


def test_wrk_gets_one_thread_per_host_from_the_script():
    script = wrk_script([("127.0.0.1", 1111), ("127.0.0.1", 2222)])
    assert '{"127.0.0.1", "1111"}, {"127.0.0.1", "2222"}' in script
    assert "thread.addr = wrk.lookup" in script
    cmd = wrk_command(
        "http://127.0.0.1:1111/x", duration=1, connections=8, threads=2, headers={"Cookie": "a=b"}, script="/s.lua"
    )
    assert cmd[1:3] == ["-t2", "-c8"]
    assert cmd[cmd.index("-H") : cmd.index("-H") + 2] == ["-H", "Cookie: a=b"]
    assert cmd[-3:] == ["-s", "/s.lua", "http://127.0.0.1:1111/x"]


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_loads_both_hosts(two_hosts):
    from bench.load import run_wrk

    targets, seen = two_hosts
    host, port = targets[0]
    result = run_wrk(f"http://{host}:{port}/p", duration=1, connections=3, targets=targets)
    assert result.extra["connections"] == 4  # rounded up to a multiple of the hosts
    assert seen[0] and seen[1]


def test_rush_clients_go_round_robin_and_answers_are_classified(two_hosts):
    targets, seen = two_hosts
    plans = [[http_rush.Call("POST", "/book", {"i": i}, tag={"i": i})] for i in range(4)]
    plans.append([http_rush.Call("POST", "/taken", {}), http_rush.Call("GET", "/boom")])
    rows, seconds = http_rush.run_clients(targets, plans)
    assert seconds >= 0 and len(rows) == 6
    assert {(row["i"], row["host"]) for row in rows if "i" in row} == {(0, 0), (1, 1), (2, 0), (3, 1)}
    assert [r["body"]["i"] for r in seen[1] if r["path"] == "/book"] in ([1, 3], [3, 1])
    summary = http_rush.summary(rows, seconds or 1)
    assert summary["answers"] == {"201": 4, "stall_taken": 1, "500": 1}
    assert summary["per_host"] == {"0": 4, "1": 2}  # client 4 is on host A
    problems = http_rush._first_problems(rows, {"201", "stall_taken"})
    assert problems == [{"status": 500, "json": None, "text": "<html>oops</html>", "error": None}]


def test_a_socket_error_is_an_answer_too():
    rows, _ = http_rush.run_clients([("127.0.0.1", 1)], [[http_rush.Call("GET", "/")]])
    assert rows[0]["status"] is None and "error" in rows[0]
    assert http_rush.code_of(rows[0]) == "socket error"


# --- exactness ----------------------------------------------------------------------------------------------------


def test_checkout_exact_only_when_stock_sold_exactly_once():
    good = {"stock": 0, "orders": 15, "units": 15}
    answers = {"201": 15, "out_of_stock": 25}
    assert http_rush.judge_checkout(buyers=40, stock=15, answers=answers, db=good)
    oversold = {"201": 16, "out_of_stock": 24}
    assert not http_rush.judge_checkout(buyers=40, stock=15, answers=oversold, db=good)
    assert not http_rush.judge_checkout(buyers=40, stock=15, answers=answers, db={**good, "stock": -1})
    assert not http_rush.judge_checkout(buyers=40, stock=15, answers={**answers, "500": 1}, db=good)
    assert not http_rush.judge_checkout(buyers=40, stock=15, answers={"201": 15, "socket error": 25}, db=good)
    # more stock than buyers: everybody gets one
    assert http_rush.judge_checkout(buyers=5, stock=8, answers={"201": 5}, db={"stock": 3, "orders": 5, "units": 5})


def test_stall_race_exact_only_with_one_booking_per_stall():
    db = {"bookings": 4, "stalls_booked": 4, "active": 4}
    assert http_rush.judge_stalls(vendors=12, stalls=4, answers={"201": 4, "stall_taken": 8}, db=db)
    assert not http_rush.judge_stalls(vendors=12, stalls=4, answers={"201": 5, "stall_taken": 7}, db=db)
    assert not http_rush.judge_stalls(
        vendors=12, stalls=4, answers={"201": 4, "stall_taken": 8}, db={**db, "bookings": 5}
    )
    assert not http_rush.judge_stalls(vendors=12, stalls=4, answers={"201": 4, "stall_taken": 7, "403": 1}, db=db)


def test_registration_exact_only_with_capacity_confirmed_everywhere():
    db = {"by_status": {"confirmed": 20, "waitlisted": 19}, "slot": [20, 0], "ticket_type": [20, 0]}
    statuses = {"confirmed": 20, "waitlisted": 19}
    answers = {"201": 39, "full": 21}
    kwargs = {"visitors": 60, "capacity": 20, "decline_every": 2}
    assert http_rush.judge_registration(statuses=statuses, answers=answers, db=db, **kwargs)
    assert not http_rush.judge_registration(
        statuses={"confirmed": 21, "waitlisted": 18}, answers=answers, db=db, **kwargs
    )
    assert not http_rush.judge_registration(statuses=statuses, answers=answers, db={**db, "slot": [21, 0]}, **kwargs)
    # more refusals than visitors who declined the waiting list (30 of 60): someone was turned away wrongly
    too_many_full = {"confirmed": 20, "waitlisted": 5}
    db_full = {**db, "by_status": too_many_full}
    assert not http_rush.judge_registration(
        statuses=too_many_full, answers={"201": 25, "full": 35}, db=db_full, **kwargs
    )


def test_checkin_exact_only_when_each_ticket_is_valid_once():
    db = {"checkins": 100, "tickets_checked_in": 100}
    kinds = {"valid": 100, "already": 10}
    assert http_rush.judge_checkin(tickets=100, doubles=10, kinds=kinds, valid_once=100, db=db)
    assert not http_rush.judge_checkin(
        tickets=100, doubles=10, kinds={"valid": 101, "already": 9}, valid_once=99, db=db
    )
    assert not http_rush.judge_checkin(tickets=100, doubles=10, kinds=kinds, valid_once=100, db={**db, "checkins": 101})
    assert not http_rush.judge_checkin(tickets=100, doubles=10, kinds={**kinds, "unknown": 1}, valid_once=100, db=db)


def test_rush_table_says_which_rush_was_not_exact():
    ok = {"requests": 40, "ops_per_second": 52.0, "p50_ms": 9.5, "p99_ms": 20.0, "counts": "15 orders", "exact": True}
    table = http_rush.format_rush_table(
        {"checkout rush": ok, "stall race": {**ok, "exact": False}, "check-in rush": {"error": "RushError('x')"}}
    )
    lines = table.splitlines()
    assert lines[0].split() == [
        "rush",
        "requests",
        "ops/s",
        "p50",
        "ms",
        "p99",
        "ms",
        "CPU",
        "ms",
        "app+pg",
        "final",
        "counts",
        "(database)",
        "exact",
    ]
    assert lines[2].startswith("checkout rush") and lines[2].endswith("yes")
    assert lines[3].startswith("stall race") and lines[3].endswith("NO")
    cpu = {"app_ms_per_op": 4.25, "postgres_ms_per_op": 1.5, "per": "order"}
    table = http_rush.format_rush_table({"checkout rush": {**ok, "cpu": cpu}})
    assert "4.2+1.5/order" in table.splitlines()[2]
    assert "RushError" in lines[4] and lines[4].endswith("no")


# --- the smoke verdict -------------------------------------------------------------------------------------------


def test_smoke_fails_on_pages_that_do_not_answer_well_but_never_on_speed():
    rows = [
        {"name": "floor", "path": "/healthz", "status": 200, "rps": 1.0},
        {"name": "slow", "path": "/slow", "status": 200, "rps": 0.01, "p99_ms": 99999.0},
        {"name": "redirect", "path": "/r", "status": 302},
        {"name": "broken", "path": "/b", "status": 500},
        {"name": "flaky", "path": "/f", "status": 200, "non_2xx_3xx": 3},
        {"name": "gone", "path": None},
        {"name": "finder", "path": None, "error": "finding the path failed"},
    ]
    failures = page_failures(rows)
    assert [f.split(":")[0] for f in failures] == ["page broken", "page flaky", "page gone", "page finder"]


def test_smoke_fails_on_inexact_rushes_errors_and_unshared_sessions():
    assert rush_failures({"a": {"exact": True}}, {"ok": True}) == []
    assert rush_failures({"a": {"exact": True}}, None) == []
    failures = rush_failures({"a": {"exact": False, "counts": "x"}, "b": {"error": "boom"}}, {"ok": False, "why": "no"})
    assert len(failures) == 3 and failures[0].startswith("shared session")


def test_smoke_arguments_make_everything_small():
    args = parse_args(["--smoke"])
    assert (args.scale, args.duration, args.hosts) == (0, 1.0, 2)
    assert args.figures.buyers < 100 and args.figures.tickets <= 100
    args = parse_args(["--smoke", "--buyers", "7", "--scale", "1"])
    assert (args.figures.buyers, args.scale) == (7, 1)
    assert parse_args([]).scale == 10000


@pytest.mark.parametrize(
    "argv", [["--no-redis"], ["--hosts", "0"], ["--stalls", "0"], ["--clients", "0"], ["--scale", "-1"]]
)
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit):
        parse_args(argv)
    assert parse_args(["--no-redis", "--hosts", "1"]).no_redis


# --- pages ---------------------------------------------------------------------------------------------------------


def _pages():
    return [BenchPage(name, f"/{i}") for i, name in enumerate([BARE_FLOOR, FLOOR, "other", *CORE[2:]])]


def test_core_pages_in_order_with_reader_and_uncached_variants():
    from cms.page_cache import MAX_QUERY_LENGTH

    chosen = select(_pages())
    names = [p.name for p in chosen]
    assert names[:2] == [BARE_FLOOR, FLOOR] and "other" not in names
    home = names.index("home")
    assert names[home + 1 : home + 4] == ["home ·buyer", "home ·canteen", "home" + UNCACHED_SUFFIX]
    product = chosen[names.index("product")]
    uncached = chosen[names.index("product" + UNCACHED_SUFFIX)].resolve()
    assert uncached.startswith(product.path + "?_uncached=") and len(uncached.split("?")[1]) > MAX_QUERY_LENGTH
    buyer = chosen[names.index("product ·buyer")]
    assert buyer.path == product.path and callable(buyer.headers)  # a real session, made when the run starts
    assert names.index("cart") > names.index("sitemap" + UNCACHED_SUFFIX)
    assert "other" in [p.name for p in select(_pages(), all_pages=True)]


def test_rows_send_accept_encoding_as_browsers_do_and_the_identity_row_refuses_it():
    chosen = {p.name: p for p in select(_pages())}
    assert ("Accept-Encoding", "gzip, deflate, br") in chosen["product"].resolve_headers()
    assert ("Accept-Encoding", "gzip, deflate, br") in chosen[FLOOR].resolve_headers()  # the floors alike
    identity = chosen["product" + IDENTITY_SUFFIX]
    assert identity.path == chosen["product"].path
    assert [v for n, v in identity.resolve_headers() if n == "Accept-Encoding"] == ["identity"]
    cookie = BenchPage("x", "/", headers=(("Cookie", "a=b"),)).resolve_headers()
    assert cookie == (("Accept-Encoding", "gzip, deflate, br"), ("Cookie", "a=b"))


def test_only_keeps_the_floors_and_knows_variants():
    assert [p.name for p in select(_pages(), only=["other"])] == [BARE_FLOOR, FLOOR, "other"]
    assert [p.name for p in select(_pages(), only=["home" + UNCACHED_SUFFIX])] == [
        BARE_FLOOR,
        FLOOR,
        "home" + UNCACHED_SUFFIX,
    ]
    with pytest.raises(KeyError):
        select(_pages(), only=["nope"])


def test_table_shows_the_cache_header():
    table = format_table([{"name": "home", "path": "/", "status": 200, "x_cache": "HIT", "rps": 5.0}])
    assert "200 hit" in table


# --- services: gunicorn.conf.py, Redis, the kept cluster ------------------------------------------------------------


def test_gunicorn_conf_reads_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:9001")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "1000")
    conf = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert (conf["workers"], conf["bind"], conf["worker_class"]) == (3, ["127.0.0.1:9001"], "sync")
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (1000, 100)
    assert conf["accesslog"] is None and conf["wsgi_app"] == "config.wsgi:application"
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "0")
    conf = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert (conf["worker_class"], conf["max_requests_jitter"]) == ("gthread", 0)


def test_redis_runs_on_loopback_without_disk():
    from bench.stack import redis_command

    cmd = redis_command(6399)
    assert cmd[cmd.index("--bind") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--save") + 1] == "" and cmd[cmd.index("--appendonly") + 1] == "no"


def test_redis_server_starts_answers_and_stops():
    from bench.stack import redis_keys, redis_ping, redis_server, with_redis_db

    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed (Debian: redis-server)")
    with redis_server(log=lambda *a: None) as url:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        assert url.startswith("redis://127.0.0.1:") and redis_ping(port)
        assert redis_keys(url) == 0
        assert with_redis_db(url, 1) == url[: -len("/0")] + "/1"
    assert not redis_ping(port)


@pytest.mark.postgres
def test_project_cluster_is_kept_reuses_its_port_and_is_never_shared():
    import tempfile

    reason = postgres.unavailable_reason()
    if reason:
        skip_or_fail(reason)
    # Not pytest's tmp_path: as root, the postgres user must be able to reach the directory.
    parent = Path(tempfile.mkdtemp(prefix="shanhai-kept-pg-"))
    try:
        postgres._prepare_dir(parent)
        _kept_cluster(parent / "pg")
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def _kept_cluster(directory):
    import psycopg

    with postgres.project_cluster(directory) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE kept")
        with pytest.raises(postgres.PostgresStartError, match="already running"), postgres.project_cluster(directory):
            pass
    # The remembered port is reused when it is free; under pytest-xdist another worker's server may have taken it
    # meanwhile, and then a new port is the right answer (the database is the same either way).
    remembered = int((directory / "port").read_text().strip())
    port_was_free = postgres._port_free(remembered)
    with postgres.project_cluster(directory) as again:
        assert again == url or not port_was_free
        assert int((directory / "port").read_text().strip()) == int(again.rsplit(":", 1)[1].split("/")[0])
        with psycopg.connect(postgres.with_database(again, "kept")) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    assert not postgres._running(postgres.find_bin_dir(), directory / "data")


def test_rush_picks_the_rushes_by_the_start_of_their_names(capsys):
    rushes = [("checkout rush", 1), ("stall race", 2), ("stall-sales rush", 3)]
    assert chosen_rushes(rushes, None) == rushes
    assert chosen_rushes(rushes, ["checkout"]) == [("checkout rush", 1)]
    assert chosen_rushes(rushes, ["stall-", "checkout"]) == [("checkout rush", 1), ("stall-sales rush", 3)]
    assert parse_args(["--rush", "checkout"]).rush == ["checkout"]
    with pytest.raises(SystemExit):
        parse_args(["--rush", "nope"])
