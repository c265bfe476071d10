"""The services a scale-out benchmark needs, started by the project on loopback and always stopped:
the project's PostgreSQL cluster under var/bench/pg (kept between runs) and a throwaway redis-server.

    with postgres_server() as server_url, redis_server() as redis_url:
        ...

Both come from Debian's packages (postgresql, redis-server); `make bench` installs them when missing.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time

from bench.env import VAR_DIR
from bench.server import free_port

PG_DIR = VAR_DIR / "pg"
HOST = "127.0.0.1"


class StackError(RuntimeError):
    pass


@contextlib.contextmanager
def postgres_server(directory=PG_DIR, log=print):
    """The project's PostgreSQL cluster (tests.support.postgres.project_cluster); yields the server URL."""
    from tests.support import postgres

    started = time.monotonic()
    with postgres.project_cluster(directory) as url:
        log(f"bench: PostgreSQL cluster in {directory} on {url} ({time.monotonic() - started:.1f} s)")
        yield url
    log("bench: PostgreSQL stopped")


def redis_command(port, binary="redis-server"):
    """A memory-only redis-server on 127.0.0.1:port: no RDB snapshots, no AOF, nothing on disk."""
    return [
        binary,
        "--bind",
        HOST,
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
        "--dir",
        str(VAR_DIR),
        "--maxmemory",
        "256mb",
        "--maxmemory-policy",
        "allkeys-lru",
    ]


def redis_ping(port, timeout=1.0):
    """True when a Redis server answers PING on 127.0.0.1:port (plain RESP over a socket, no client needed)."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def redis_keys(url):
    """How many keys the Redis at url holds in its database (DBSIZE), or None if it cannot be asked."""
    try:
        import redis

        return redis.Redis.from_url(url, socket_timeout=2).dbsize()
    except Exception:
        return None


def redis_pid(url):
    """The process id of the Redis at url (INFO server), or None if it cannot be asked."""
    try:
        import redis

        return int(redis.Redis.from_url(url, socket_timeout=2).info("server")["process_id"])
    except Exception:
        return None


@contextlib.contextmanager
def redis_server(log=print, timeout=15.0):
    """Start redis-server on a free loopback port; yield its URL (database 0); stop it on the way out."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise StackError("redis-server is not installed (Debian: apt-get install redis-server)")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with open(VAR_DIR / "redis.log", "w") as log_file:
        proc = subprocess.Popen(
            redis_command(port, binary),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while not redis_ping(port):
                if proc.poll() is not None:
                    raise StackError(f"redis-server exited with code {proc.returncode}; see var/bench/redis.log")
                if time.monotonic() > deadline:
                    raise StackError(f"redis-server did not answer PING within {timeout:.0f} s")
                time.sleep(0.05)
            log(f"bench: redis-server on redis://{HOST}:{port} (pid {proc.pid}, memory only)")
            yield f"redis://{HOST}:{port}/0"
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
            log("bench: redis-server stopped")


def with_redis_db(url, db):
    """The same Redis server, another numbered database (the rush hosts keep their cache apart)."""
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))
