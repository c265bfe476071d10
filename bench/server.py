"""Run gunicorn on a free loopback port for the length of a `with` block, and always stop it."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time

from bench.env import BASE_DIR, PYTHON, VAR_DIR, child_environ

HOST = "127.0.0.1"


class ServerError(RuntimeError):
    pass


_handed_out = set()


def free_port(host=HOST):
    """A free loopback port: any, or one of BENCH_PORT_RANGE (e.g. "8140-8159") on a shared machine."""
    wanted = os.environ.get("BENCH_PORT_RANGE", "").strip()
    if wanted:
        low, _, high = wanted.partition("-")
        for port in range(int(low), int(high or low) + 1):
            if port in _handed_out:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind((host, port))
                except OSError:
                    continue
            _handed_out.add(port)
            return port
        raise OSError(f"no free port in BENCH_PORT_RANGE={wanted}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def free_port_in(first, last, host=HOST, taken=()):
    """The first free port in [first, last] (not in `taken`), for runs that must stay in an agreed range."""
    for port in range(first, last + 1):
        if port in taken:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    raise ServerError(f"no free port in {first}-{last}")


def get(host, port, path, timeout=5.0):
    """One GET on a fresh connection: (status, body bytes)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": f"{host}:{port}"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def wait_until_healthy(proc, port, *, timeout=60.0, path="/healthz"):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"gunicorn exited with code {proc.returncode} before {path} answered")
        try:
            status, _ = get(HOST, port, path, timeout=2.0)
            if status == 200:
                return
            last_error = f"status {status}"
        except OSError as exc:
            last_error = exc
        time.sleep(0.1)
    raise ServerError(f"{path} did not answer 200 within {timeout:.0f}s (last: {last_error})")


def stop(proc, timeout=15.0):
    """SIGTERM gunicorn's master (graceful), then SIGKILL its process group if it lingers."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


SITE_APP = "config.wsgi:application"
# The bare floor: a one-line WSGI app on the same gunicorn settings (bench/bare.py).
BARE_APP = "bench.bare:application"


def gunicorn_command(port, *, workers=2, threads=1, host=HOST, app=SITE_APP):
    """gunicorn with the project's gunicorn.conf.py, bind/workers/threads/logging set by flags (flags win)."""
    return [
        PYTHON,
        "-m",
        "gunicorn",
        "--config",
        str(BASE_DIR / "gunicorn.conf.py"),
        app,
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--backlog",
        "256",
        "--graceful-timeout",
        "5",
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
    ]


# Steady state is what the benchmark measures: no worker recycling in the middle of a page's load
# (gunicorn.conf.py's max_requests), and no access log (it is off by default anyway).
BENCH_GUNICORN_ENV = {"GUNICORN_MAX_REQUESTS": "0", "GUNICORN_ACCESS_LOG": ""}


@contextlib.contextmanager
def gunicorn(environ, *, workers=2, threads=1, port=None, name="gunicorn", log=print):
    """Start gunicorn on 127.0.0.1:<port or a free one>; yield (host, port, info); always stop it.

    Its output goes to var/bench/<name>.log.
    """
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log_path = VAR_DIR / f"{name}.log"
    cmd = gunicorn_command(port, workers=workers, threads=threads)
    with open(log_path, "w") as log_file:
        # Own session: a Ctrl-C in the terminal reaches only us, and we stop gunicorn in order.
        proc = subprocess.Popen(
            cmd,
            cwd=BASE_DIR,
            env=child_environ({**BENCH_GUNICORN_ENV, **environ}),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until_healthy(proc, port)
            log(f"bench: {name} up on http://{HOST}:{port} ({workers} workers × {threads} threads, pid {proc.pid})")
            yield HOST, port, {"name": name, "port": port, "workers": workers, "threads": threads, "log": str(log_path)}
        finally:
            stop(proc)
            log(f"bench: {name} stopped")


@contextlib.contextmanager
def hosts(environ, count=2, *, workers=2, threads=1, prefix="host", log=print, app=SITE_APP, ports=None):
    """`count` gunicorn instances (the "hosts" of a scale-out) on free loopback ports (or on `ports`), started
    at the same time, all with the same environment (database, REDIS_URL). Yields a list of (host, port, info),
    host A first; stops every one of them on the way out, also when one fails to start."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    started = []  # (proc, log_file, name)
    try:
        for i in range(count):
            name = f"{prefix}-{chr(ord('a') + i)}"
            port = ports[i] if ports else free_port()
            log_file = open(VAR_DIR / f"{name}.log", "w")  # noqa: SIM115 (closed below)
            try:
                proc = subprocess.Popen(
                    gunicorn_command(port, workers=workers, threads=threads, app=app),
                    cwd=BASE_DIR,
                    env=child_environ({**BENCH_GUNICORN_ENV, **environ}),
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            except BaseException:
                log_file.close()
                raise
            started.append((proc, log_file, name, port))
        result = []
        for proc, _log_file, name, port in started:
            wait_until_healthy(proc, port, timeout=90.0)
            log(f"bench: {name} up on http://{HOST}:{port} ({workers} workers × {threads} threads, pid {proc.pid})")
            info = {"name": name, "port": port, "workers": workers, "threads": threads}
            info["log"] = str(VAR_DIR / f"{name}.log")
            result.append((HOST, port, info))
        yield result
    finally:
        for proc, log_file, _name, _port in started:
            try:
                stop(proc)
            finally:
                log_file.close()
        if started:
            log(f"bench: {', '.join(name for _p, _f, name, _port in started)} stopped")
