"""Bounded HTTP load against one path on one or more hosts: `wrk` when it is on PATH, else a small Python
generator. With several hosts (the scale-out run) the connections are spread evenly over them and the figures
are for all of them together (one rate, one latency distribution).

Both return a LoadResult with the same fields, so the report does not care which one ran.

Percentiles: wrk reports them from its latency histogram for the requests it completed (closed loop,
no correction for coordinated omission); the Python generator records every request's latency and
uses the nearest-rank method. Either way p99 under a closed loop understates what an open-loop client
would see at the same rate; compare pages with each other and with the floor, not with other tools.
"""

import http.client
import math
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field

DEFAULT_MAX_REQUESTS = 500_000


@dataclass
class LoadResult:
    generator: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int = 0  # connection errors and timeouts
    non_2xx_3xx: int = 0
    extra: dict = field(default_factory=dict)

    def as_dict(self):
        return asdict(self)


# --- percentiles -----------------------------------------------------------------------------------------------


def percentile(sorted_values, pct):
    """Nearest-rank percentile of an ascending list: the smallest value with at least pct% at or below it."""
    if not sorted_values:
        return None
    if not 0 < pct <= 100:
        raise ValueError("pct must be in (0, 100]")
    rank = math.ceil(pct / 100 * len(sorted_values))
    return sorted_values[max(rank, 1) - 1]


# --- wrk ---------------------------------------------------------------------------------------------------------


def wrk_path():
    return shutil.which("wrk")


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_COUNT_SUFFIX = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}


def _duration_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output):
    """Parse `wrk --latency` output into a dict: requests, seconds, rps, p50/p75/p90/p99 ms, errors, non_2xx_3xx."""
    result = {"latency_ms": {}, "errors": 0, "non_2xx_3xx": 0}
    for pct, value in re.findall(r"^\s*(50|75|90|99)%\s+(\S+)\s*$", output, re.M):
        result["latency_ms"][int(pct)] = _duration_ms(value)
    match = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", output, re.M)
    if not match:
        raise ValueError("wrk output has no 'N requests in T' line")
    result["requests"] = int(match.group(1))
    result["seconds"] = _duration_ms(match.group(2) + match.group(3)) / 1000.0
    match = re.search(r"^Requests/sec:\s+([\d.]+)([kMG]?)\s*$", output, re.M)
    if not match:
        raise ValueError("wrk output has no 'Requests/sec' line")
    result["rps"] = float(match.group(1)) * _COUNT_SUFFIX[match.group(2)]
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if match:
        connect, read, write, timeout = (int(n) for n in match.groups())
        result["errors"] = connect + read + write + timeout
        result["socket_errors"] = {"connect": connect, "read": read, "write": write, "timeout": timeout}
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if match:
        result["non_2xx_3xx"] = int(match.group(1))
    return result


# wrk sends every thread's connections to the address of the URL unless setup() gives the thread another one:
# thread i goes to host i mod n, so with one thread per host the connections are split evenly.
WRK_HOSTS_LUA = """
local hosts = {%s}
local next_host = 0
function setup(thread)
  local target = hosts[next_host %% #hosts + 1]
  thread.addr = wrk.lookup(target[1], target[2])[1]
  next_host = next_host + 1
end
"""


def wrk_script(targets):
    """The Lua script that spreads wrk's threads over `targets` [(host, port), …]."""
    entries = ", ".join(f'{{"{host}", "{port}"}}' for host, port in targets)
    return WRK_HOSTS_LUA % entries


def wrk_command(url, *, duration, connections, threads=1, timeout_s=10, headers=None, script=None):
    cmd = [
        wrk_path() or "wrk",
        f"-t{max(1, min(threads, connections))}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={timeout_s}s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", str(script)]
    return [*cmd, url]


def run_wrk(url, *, duration, connections, threads=1, timeout_s=10, headers=None, targets=None):
    """Run wrk against url for `duration` seconds; wrk is itself bounded in time, and we add a hard timeout.
    With `targets` (several hosts), one wrk thread per host, connections rounded up to a multiple of them."""
    with tempfile.TemporaryDirectory(prefix="shanhai-wrk-") as tmp:
        script = None
        if targets and len(targets) > 1:
            script = f"{tmp}/hosts.lua"
            with open(script, "w") as f:
                f.write(wrk_script(targets))
            threads = len(targets)
            connections = max(connections, threads)
            connections += -connections % threads
        cmd = wrk_command(
            url,
            duration=duration,
            connections=connections,
            threads=threads,
            timeout_s=timeout_s,
            headers=headers,
            script=script,
        )
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + timeout_s + 30)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    parsed = parse_wrk(proc.stdout)
    return LoadResult(
        generator="wrk",
        requests=parsed["requests"],
        seconds=parsed["seconds"],
        rps=parsed["rps"],
        p50_ms=parsed["latency_ms"].get(50),
        p99_ms=parsed["latency_ms"].get(99),
        errors=parsed["errors"],
        non_2xx_3xx=parsed["non_2xx_3xx"],
        extra={
            "latency_ms": parsed["latency_ms"],
            "socket_errors": parsed.get("socket_errors", {}),
            "connections": connections,
        },
    )


# --- Python generator ---------------------------------------------------------------------------------------------


def run_python(
    host,
    port,
    path,
    *,
    duration,
    connections,
    max_requests=DEFAULT_MAX_REQUESTS,
    timeout_s=10.0,
    headers=None,
    targets=None,
):
    """Closed-loop load from `connections` threads, each with one keep-alive http.client connection;
    connection i goes to targets[i mod n] (default: host:port only).

    Bounded twice: every thread stops at the deadline (`duration` seconds after the start) and after its
    share of `max_requests`. A request that fails on the socket counts as an error and the thread
    reconnects; its latency is not recorded.
    """
    connections = max(1, connections)
    per_thread = max(1, math.ceil(max_requests / connections))
    latencies = [[] for _ in range(connections)]
    statuses = [{} for _ in range(connections)]
    errors = [0] * connections
    start_barrier = threading.Barrier(connections + 1)
    deadline = [0.0]
    targets = list(targets or [(host, port)])

    def worker(i):
        own_host, own_port = targets[i % len(targets)]
        request_headers = {"Host": f"{own_host}:{own_port}", "Connection": "keep-alive", **(headers or {})}
        conn = http.client.HTTPConnection(own_host, own_port, timeout=timeout_s)
        own_lat, own_status = latencies[i], statuses[i]
        start_barrier.wait()
        try:
            while len(own_lat) + errors[i] < per_thread:
                t0 = time.perf_counter()
                if t0 >= deadline[0]:
                    break
                try:
                    conn.request("GET", path, headers=request_headers)
                    resp = conn.getresponse()
                    resp.read()
                except (OSError, http.client.HTTPException):
                    errors[i] += 1
                    conn.close()  # http.client reopens on the next request
                    continue
                own_lat.append(time.perf_counter() - t0)
                own_status[resp.status] = own_status.get(resp.status, 0) + 1
                if resp.will_close:
                    conn.close()
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + duration
    start_barrier.wait()
    for thread in threads:
        thread.join(timeout=duration + timeout_s + 5)
    elapsed = time.perf_counter() - started

    all_lat = sorted(value for per in latencies for value in per)
    status_counts = {}
    for per in statuses:
        for status, count in per.items():
            status_counts[status] = status_counts.get(status, 0) + count
    p50 = percentile(all_lat, 50)
    p99 = percentile(all_lat, 99)
    return LoadResult(
        generator="python",
        requests=len(all_lat),
        seconds=elapsed,
        rps=len(all_lat) / elapsed if elapsed > 0 else 0.0,
        p50_ms=None if p50 is None else p50 * 1000,
        p99_ms=None if p99 is None else p99 * 1000,
        errors=sum(errors),
        non_2xx_3xx=sum(count for status, count in status_counts.items() if not 200 <= status < 400),
        extra={"status_counts": {str(k): v for k, v in sorted(status_counts.items())}},
    )


def measure(
    host,
    port,
    path,
    *,
    duration,
    connections,
    generator="auto",
    max_requests=DEFAULT_MAX_REQUESTS,
    headers=None,
    targets=None,
):
    """Load one path with the chosen generator ("auto": wrk when on PATH, else python), on host:port or spread
    over `targets` [(host, port), …]."""
    if generator == "auto":
        generator = "wrk" if wrk_path() else "python"
    if generator == "wrk":
        return run_wrk(
            f"http://{host}:{port}{path}", duration=duration, connections=connections, headers=headers, targets=targets
        )
    return run_python(
        host,
        port,
        path,
        duration=duration,
        connections=connections,
        max_requests=max_requests,
        headers=headers,
        targets=targets,
    )
