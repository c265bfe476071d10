"""The benchmark harness's parts: wrk parsing, the Python load generator, query counting. No timing is asserted."""

import http.server
import threading

import pytest

from bench.env import BASE_DIR
from bench.load import parse_wrk, percentile, run_python
from bench.pages import PAGES, BenchPage, first_live, registry
from bench.prepare import demo_files, demo_fingerprint, sqlite_path, stamp_path
from bench.queries import count_queries
from bench.report import add_floor_fraction, format_table

# Captured from `wrk -t1 -c4 -d1s --latency`, with a socket-errors line as wrk prints it.
WRK_SAMPLE = """\
Running 1s test @ http://127.0.0.1:18765/nonexistent
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.34ms    4.50ms  26.46ms   81.05%
    Req/Sec   842.20    336.85     1.19k    70.00%
  Latency Distribution
     50%    3.23ms
     75%    7.46ms
     90%   11.71ms
     99%    1.20s
  839 requests in 1.00s, 426.24KB read
  Socket errors: connect 1, read 12, write 0, timeout 3
  Non-2xx or 3xx responses: 839
Requests/sec:    838.18
Transfer/sec:    425.82KB
"""


def test_parse_wrk_reads_rate_percentiles_and_errors():
    parsed = parse_wrk(WRK_SAMPLE)
    assert parsed["requests"] == 839
    assert parsed["seconds"] == pytest.approx(1.0)
    assert parsed["rps"] == pytest.approx(838.18)
    assert parsed["latency_ms"] == {50: 3.23, 75: 7.46, 90: 11.71, 99: 1200.0}
    assert parsed["errors"] == 16
    assert parsed["socket_errors"] == {"connect": 1, "read": 12, "write": 0, "timeout": 3}
    assert parsed["non_2xx_3xx"] == 839


def test_parse_wrk_microseconds_and_no_errors():
    sample = WRK_SAMPLE.replace("3.23ms", "812.00us").replace(
        "  Socket errors: connect 1, read 12, write 0, timeout 3\n", ""
    )
    sample = sample.replace("  Non-2xx or 3xx responses: 839\n", "")
    parsed = parse_wrk(sample)
    assert parsed["latency_ms"][50] == pytest.approx(0.812)
    assert parsed["errors"] == 0
    assert parsed["non_2xx_3xx"] == 0


def test_parse_wrk_rejects_garbage():
    with pytest.raises(ValueError):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_percentile_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile([1, 2, 3, 4], 75) == 3
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile(values, 0)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the generator expects

    def do_GET(self):
        status = 404 if self.path == "/missing" else 200
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def tiny_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address
    server.shutdown()
    server.server_close()


def test_python_generator_stops_at_max_requests(tiny_server):
    host, port = tiny_server
    result = run_python(host, port, "/", duration=30, connections=3, max_requests=60)
    assert result.generator == "python"
    assert result.requests == 60  # 3 threads × 20, long before the 30 s deadline
    assert result.errors == 0
    assert result.non_2xx_3xx == 0
    assert result.extra["status_counts"] == {"200": 60}
    assert 0 < result.p50_ms <= result.p99_ms
    assert result.rps == pytest.approx(result.requests / result.seconds)


def test_python_generator_stops_at_deadline_and_counts_non_2xx(tiny_server):
    host, port = tiny_server
    result = run_python(host, port, "/missing", duration=0.2, connections=2, max_requests=10**9)
    assert result.requests > 0
    assert result.non_2xx_3xx == result.requests
    assert result.extra["status_counts"] == {"404": result.requests}


def test_python_generator_counts_connection_errors():
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_python("127.0.0.1", port, "/", duration=5, connections=1, max_requests=3)
    assert result.requests == 0
    assert result.errors == 3
    assert result.p50_ms is None


def test_count_queries_home_page(home_page):
    status, queries = count_queries("/")
    assert status == 200
    assert isinstance(queries, int)
    assert queries > 0


@pytest.mark.django_db
def test_count_queries_floor_is_zero():
    assert count_queries("/healthz") == (200, 0)


def test_first_live_finds_home_and_none(home_page):
    assert first_live("cms.HomePage")() == "/"
    assert first_live("cms.CampaignPage")() is None


def test_registry_starts_with_the_floors_and_names_are_unique():
    assert PAGES[0] == BenchPage("bare floor", "/", PAGES[0].note)
    assert PAGES[1] == BenchPage("floor", "/healthz", PAGES[1].note)
    names = [page.name for page in registry()]
    assert len(names) == len(set(names))
    assert BenchPage("x", "http://example.com/a/b/?q=1").resolve() == "/a/b/?q=1"
    assert BenchPage("x", lambda: None).resolve() is None


def test_report_table_and_floor_fraction():
    rows = [
        {"name": "floor", "path": "/healthz", "status": 200, "rps": 1000.0, "p50_ms": 1.0, "p99_ms": 3.0, "queries": 0},
        {"name": "home", "path": "/", "status": 200, "rps": 250.0, "p50_ms": 8.0, "p99_ms": 20.0, "queries": 9},
        {"name": "campaign", "path": None},
    ]
    add_floor_fraction(rows, "floor")
    assert rows[1]["floor_fraction"] == 0.25
    assert rows[2]["floor_fraction"] is None
    table = format_table(rows)
    assert table.splitlines()[0].split() == [
        "page",
        "path",
        "status",
        "req/s",
        "p50",
        "ms",
        "p99",
        "ms",
        "queries",
        "×",
        "floor",
        "×",
        "bare",
        "CPU",
        "ms",
        "app/redis/wrk",
    ]
    assert "(no page)" in table
    assert "0.25" in table


def test_stamp_lives_beside_the_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path}/b.sqlite3"
    assert sqlite_path(url) == tmp_path / "b.sqlite3"
    assert stamp_path(url) == tmp_path / "b.sqlite3.stamp.json"
    assert sqlite_path("postgres://u:p@127.0.0.1/db") is None
    assert stamp_path("postgres://u:p@127.0.0.1/db").name.startswith("stamp-")


def test_demo_fingerprint_follows_demo_code(tmp_path):
    (tmp_path / "shop" / "demo").mkdir(parents=True)
    (tmp_path / "shop" / "demo" / "__init__.py").write_text("def load(*, scale, stdout): pass\n")
    (tmp_path / "shop" / "models.py").write_text("# not demo code\n")
    before = demo_fingerprint(tmp_path)
    (tmp_path / "shop" / "models.py").write_text("# changed, still not demo code\n")
    assert demo_fingerprint(tmp_path) == before
    (tmp_path / "shop" / "demo" / "__init__.py").write_text("def load(*, scale, stdout): return 1\n")
    assert demo_fingerprint(tmp_path) != before


def test_demo_fingerprint_covers_every_app_demo_package():
    hashed = {path.relative_to(BASE_DIR).as_posix() for path in demo_files()}
    for app in ("cms", "marketplace", "events"):
        package = sorted(path.relative_to(BASE_DIR).as_posix() for path in (BASE_DIR / app / "demo").glob("*.py"))
        assert package and set(package) <= hashed, app
    assert {"events/demo/english.py", "events/demo/results.py"} <= hashed
