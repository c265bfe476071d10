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


def free_port(host=HOST):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


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


@contextlib.contextmanager
def gunicorn(environ, *, workers=2, threads=1, log=print):
    """Start `gunicorn cms.wsgi:application` on 127.0.0.1:<free port>; yield (host, port, info)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = VAR_DIR / "gunicorn.log"
    cmd = [
        PYTHON,
        "-m",
        "gunicorn",
        "cms.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--backlog",
        "256",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
    ]
    with open(log_path, "w") as log_file:
        # Own session: a Ctrl-C in the terminal reaches only us, and we stop gunicorn in order.
        proc = subprocess.Popen(
            cmd,
            cwd=BASE_DIR,
            env=child_environ(environ),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until_healthy(proc, port)
            log(f"bench: gunicorn up on http://{HOST}:{port} ({workers} workers × {threads} threads, pid {proc.pid})")
            yield HOST, port, {"workers": workers, "threads": threads, "log": str(log_path)}
        finally:
            stop(proc)
            log("bench: gunicorn stopped")
